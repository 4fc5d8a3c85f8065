using Skein.Data;
using Skein.EndModels;
using Skein.Features;

namespace Skein.Training;

/// <summary>How the student is pulled towards the teacher on the consistency rows.</summary>
public enum TeacherConsistency
{
    /// <summary>(1/k)·Σ_c (p_c − q_c)² on probabilities, the mean-teacher default (WRENCH, Tarvainen &amp; Valpola).</summary>
    MeanSquaredError,

    /// <summary>KL(q ‖ p): soft cross-entropy against the teacher's probabilities (minus their constant entropy).</summary>
    CrossEntropy,

    /// <summary>Cross-entropy against the teacher's argmax, weighted by confidence (DACS/FST; see <see cref="PseudoLabelMasking"/>).</summary>
    PseudoLabel,
}

/// <summary>Which rows of a batch get the consistency term.</summary>
public enum ConsistencyRows
{
    /// <summary>Labeled and pool rows alike (mean teacher's usual choice).</summary>
    All,

    /// <summary>Only the unlabeled pool's rows (needs a non-empty pool).</summary>
    Pool,
}

/// <summary>How pseudo-labels are weighted by the teacher's confidence max_c q_c against the threshold τ.</summary>
public enum PseudoLabelMasking
{
    /// <summary>DACS: every row weighs the share of the batch's rows with confidence ≥ τ.</summary>
    ConfidentShare,

    /// <summary>A per-row mask: 1 when the row's confidence is ≥ τ, else 0.</summary>
    PerRow,
}

/// <summary>One epoch of a teacher–student run: means over its (real) steps.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="SupervisedLoss">Mean weighted soft cross-entropy on the labeled rows.</param>
/// <param name="ConsistencyLoss">Mean consistency (or pseudo-label) loss on the consistency rows, before the weight.</param>
/// <param name="ConsistencyWeight">w(t) at the epoch's last step.</param>
/// <param name="EmaDecay">α_t of the epoch's last teacher update.</param>
/// <param name="ConfidentShare">Pseudo-labels only: mean share of consistency rows with teacher confidence ≥ τ; else null.</param>
public sealed record TeacherStudentEpoch(int Epoch, double SupervisedLoss, double ConsistencyLoss, double ConsistencyWeight, double EmaDecay,
    double? ConfidentShare);

/// <summary>Options of <see cref="MeanTeacher"/>.</summary>
public sealed record MeanTeacherOptions
{
    /// <summary>
    /// The student network and its training (epochs, batch size of labeled rows, dropout = the student's noise, Adam,
    /// seed). ValidationFraction must be 0: the run has no early stopping. Default: <see cref="MlpOptions"/>' defaults.
    /// </summary>
    public MlpOptions Student { get; init; } = new();

    /// <summary>
    /// EMA decay α of the teacher, in (0, 1). Default 0.99: our runs are hundreds of steps, where WRENCH's 0.999 (made for
    /// tens of thousands) would leave the teacher a near-uniform running mean.
    /// </summary>
    public double EmaDecay { get; init; } = 0.99;

    /// <summary>Use α_t = min(1 − 1/(t + 1), α) (DACS/FST warm-up) instead of a constant α. Default true.</summary>
    public bool EmaWarmup { get; init; } = true;

    /// <summary>The consistency loss. Default <see cref="TeacherConsistency.MeanSquaredError"/>.</summary>
    public TeacherConsistency Consistency { get; init; } = TeacherConsistency.MeanSquaredError;

    /// <summary>Rows that get the consistency term. Default <see cref="ConsistencyRows.All"/>.</summary>
    public ConsistencyRows ConsistencyRows { get; init; } = ConsistencyRows.All;

    /// <summary>w_max, the consistency weight after the ramp; finite, ≥ 0. Default 10 (MSE on probabilities is small).</summary>
    public double ConsistencyWeight { get; init; } = 10;

    /// <summary>Share of training over which w(t) = w_max·exp(−5(1 − t/T)²) ramps up, in [0, 1]. Default 0.3.</summary>
    public double RampFraction { get; init; } = 0.3;

    /// <summary>Standard deviation of Gaussian noise added independently to the student's and the teacher's inputs (dense features only); finite, ≥ 0. Default 0.</summary>
    public double InputNoise { get; init; }

    /// <summary>Confidence threshold τ for <see cref="TeacherConsistency.PseudoLabel"/>, in [0, 1]. Default 0.968 (FST).</summary>
    public double ConfidenceThreshold { get; init; } = 0.968;

    /// <summary>Pseudo-label weighting. Default <see cref="PseudoLabelMasking.ConfidentShare"/>.</summary>
    public PseudoLabelMasking PseudoLabelMasking { get; init; } = PseudoLabelMasking.ConfidentShare;

    /// <summary>Pool rows per step; null (default) = the student's batch size; at least 1.</summary>
    public int? UnlabeledBatchSize { get; init; }
}

/// <summary>The outcome of <see cref="MeanTeacher.Fit"/>.</summary>
/// <param name="Teacher">The EMA teacher: the model to predict with (as WRENCH does).</param>
/// <param name="Student">The student at the end of training.</param>
/// <param name="History">Per-epoch losses, consistency weight and EMA decay.</param>
/// <param name="Steps">Optimiser steps taken.</param>
public sealed record MeanTeacherResult(MlpModel Teacher, MlpModel Student, IReadOnlyList<TeacherStudentEpoch> History, long Steps)
{
    /// <summary>The model to predict with: <see cref="Teacher"/>.</summary>
    public MlpModel Model => Teacher;
}

/// <summary>
/// Mean teacher (Tarvainen &amp; Valpola 2017; WRENCH's implementation): an <see cref="Mlp"/> student trained on
/// soft cross-entropy over labeled rows plus w(t)·consistency with a teacher whose weights are an exponential moving
/// average of the student's, updated after every optimiser step. Noise: the student's dropout (the teacher predicts
/// without dropout, so its targets are its clean mean prediction) and optional independent Gaussian input noise.
/// The teacher's targets are constants (detached).
/// </summary>
public sealed class MeanTeacher
{
    /// <summary>A trainer with the default options.</summary>
    public MeanTeacher()
        : this(new MeanTeacherOptions())
    {
    }

    /// <summary>A trainer with the given options.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public MeanTeacher(MeanTeacherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = new OptionChecks(nameof(MeanTeacherOptions));
        TeacherStudentOptions.CheckStudent(nameof(MeanTeacherOptions), options.Student, nameof(options));
        TeacherStudentOptions.CheckEma(nameof(MeanTeacherOptions), options.EmaDecay, nameof(options));
        check.Defined(options.Consistency);
        check.Defined(options.ConsistencyRows);
        check.NonNegative(options.ConsistencyWeight);
        check.Probability(options.RampFraction);
        check.NonNegative(options.InputNoise);
        check.Probability(options.ConfidenceThreshold);
        check.Defined(options.PseudoLabelMasking);
        check.That(options.UnlabeledBatchSize is null or >= 1, $"UnlabeledBatchSize = {options.UnlabeledBatchSize}; it must be at least 1.");
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public MeanTeacherOptions Options { get; }

    /// <summary>Trains student and teacher.</summary>
    /// <param name="features">Labeled rows' features (dense or sparse).</param>
    /// <param name="labels">Their soft labels (gold, or a label model's).</param>
    /// <param name="unlabeled">Optional unlabeled pool with the same columns: it only enters the consistency term.</param>
    /// <param name="weights">Optional per-labeled-row weights (finite, ≥ 0, not all 0).</param>
    /// <exception cref="ArgumentException">No labeled rows, mismatched shapes, bad weights, a pool-only consistency without a pool, or input noise on sparse features.</exception>
    public MeanTeacherResult Fit(FeatureMatrix features, ProbabilisticLabels labels, FeatureMatrix? unlabeled = null, IReadOnlyList<double>? weights = null)
    {
        var o = Options;
        var run = new TeacherStudentRun(nameof(MeanTeacher), new TeacherStudentSettings(o.Student, o.EmaDecay, o.EmaWarmup, o.Consistency,
            o.ConsistencyRows, o.ConsistencyWeight, o.RampFraction, o.InputNoise, o.ConfidenceThreshold, o.PseudoLabelMasking,
            o.UnlabeledBatchSize), features, labels, weights, unlabeled);
        var history = new List<TeacherStudentEpoch>();
        var epoch = new EpochAccumulator();
        for (int e = 1; e <= o.Student.Epochs; e++)
        {
            for (int s = 0; s < run.StepsPerEpoch; s++)
            {
                epoch.Add(run.MeanTeacherStep());
            }

            history.Add(epoch.Close(e, run.Teacher.LastDecay));
        }

        return new MeanTeacherResult(run.Model(run.Teacher.Net, history), run.Model(run.Session.Net, history), history, run.Session.Step);
    }
}

/// <summary>Validation shared by the teacher–student options.</summary>
internal static class TeacherStudentOptions
{
    public static void CheckStudent(string owner, MlpOptions? student, string parameter)
    {
        if (student is null)
        {
            throw new ArgumentException($"{owner}.Student is null.", parameter);
        }

        try
        {
            _ = new Mlp(student);
        }
        catch (ArgumentException error)
        {
            throw new ArgumentException($"{owner}.Student: {error.Message}", parameter, error);
        }

        if (student.ValidationFraction > 0)
        {
            throw new ArgumentException(
                $"{owner}.Student.ValidationFraction = {student.ValidationFraction}; these runs have no early stopping, so it must be 0.", parameter);
        }
    }

    public static void CheckEma(string owner, double decay, string parameter) =>
        new OptionChecks(owner, parameter).InRange(decay, 0, 1, minOpen: true, maxOpen: true, option: "EmaDecay");
}
