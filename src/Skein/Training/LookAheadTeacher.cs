using Skein.Data;
using Skein.EndModels;
using Skein.Features;

namespace Skein.Training;

/// <summary>Options of <see cref="LookAheadTeacher"/>.</summary>
public sealed record LookAheadTeacherOptions
{
    /// <summary>The student network and its training; ValidationFraction must be 0. Default: <see cref="MlpOptions"/>' defaults.</summary>
    public MlpOptions Student { get; init; } = new();

    /// <summary>
    /// EMA decay α of the teacher, in (0, 1). Default 0.999 (the FST repo's UDA setting); small data sets and short runs
    /// need 0.99 (FST's semi-supervised setting), or the teacher stays a running mean of early students.
    /// </summary>
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>Use α_t = min(1 − 1/(t + 1), α) (DACS/FST warm-up). Default true.</summary>
    public bool EmaWarmup { get; init; } = true;

    /// <summary>Look-ahead depth K: virtual student steps per real step, ≥ 0; 0 is a mean teacher with pseudo-labels. Default 3 (FST).</summary>
    public int LookAheadSteps { get; init; } = 3;

    /// <summary>
    /// Whether undoing the virtual steps also restores Adam's moments and step count. Default true: the real step is then
    /// exactly one step from the snapshot and the look-ahead only changes the teacher. False reproduces the FST repo,
    /// which restores the parameters only, so the virtual steps' gradients stay in the optimiser's moments.
    /// </summary>
    public bool RestoreOptimizerState { get; init; } = true;

    /// <summary>Confidence threshold τ of the pseudo-labels, in [0, 1]. Default 0.968 (FST).</summary>
    public double ConfidenceThreshold { get; init; } = 0.968;

    /// <summary>Pseudo-label weighting. Default <see cref="PseudoLabelMasking.ConfidentShare"/> (DACS/FST).</summary>
    public PseudoLabelMasking PseudoLabelMasking { get; init; } = PseudoLabelMasking.ConfidentShare;

    /// <summary>Weight of the pseudo-label loss after the ramp; finite, ≥ 0. Default 1 (FST adds it to the supervised loss).</summary>
    public double PseudoLabelWeight { get; init; } = 1;

    /// <summary>Share of training over which the pseudo-label weight ramps up (sigmoid ramp), in [0, 1]. Default 0 (none, as FST).</summary>
    public double RampFraction { get; init; }

    /// <summary>Rows that get pseudo-labels. Default <see cref="ConsistencyRows.Pool"/> (needs a pool).</summary>
    public ConsistencyRows PseudoLabelRows { get; init; } = ConsistencyRows.Pool;

    /// <summary>Standard deviation of independent Gaussian noise on the student's and teacher's inputs (dense only); finite, ≥ 0. Default 0.</summary>
    public double InputNoise { get; init; }

    /// <summary>Pool rows per step; null (default) = the student's batch size; at least 1.</summary>
    public int? UnlabeledBatchSize { get; init; }
}

/// <summary>The outcome of <see cref="LookAheadTeacher.Fit"/>.</summary>
/// <param name="Teacher">The EMA teacher, updated from virtual future students: the model to predict with.</param>
/// <param name="Student">The student at the end of training.</param>
/// <param name="History">Per-epoch losses (of the real steps), pseudo-label weight, EMA decay and confident share.</param>
/// <param name="RealSteps">Real student steps.</param>
/// <param name="VirtualSteps">Virtual (undone) student steps.</param>
/// <param name="RestoredOptimizerState">Whether the optimiser state was restored with the parameters.</param>
public sealed record LookAheadTeacherResult(MlpModel Teacher, MlpModel Student, IReadOnlyList<TeacherStudentEpoch> History, long RealSteps,
    long VirtualSteps, bool RestoredOptimizerState)
{
    /// <summary>The model to predict with: <see cref="Teacher"/>.</summary>
    public MlpModel Model => Teacher;
}

/// <summary>
/// Learning from Future (FST-D; Du et al., NeurIPS 2022): a mean teacher whose EMA also absorbs K virtual future
/// students. Each real step: snapshot the student; K times update the teacher from the current student and take a
/// virtual step on this batch (supervised loss + the teacher's pseudo-labels); update the teacher once more; restore the
/// student; take the real step on the same batch with the now "future" teacher's pseudo-labels. After the last step the
/// teacher gets one more update, so it includes the final student.
/// </summary>
public sealed class LookAheadTeacher
{
    /// <summary>A trainer with the default options.</summary>
    public LookAheadTeacher()
        : this(new LookAheadTeacherOptions())
    {
    }

    /// <summary>A trainer with the given options.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public LookAheadTeacher(LookAheadTeacherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = new OptionChecks(nameof(LookAheadTeacherOptions));
        TeacherStudentOptions.CheckStudent(nameof(LookAheadTeacherOptions), options.Student, nameof(options));
        TeacherStudentOptions.CheckEma(nameof(LookAheadTeacherOptions), options.EmaDecay, nameof(options));
        check.AtLeast(options.LookAheadSteps, 0);
        check.Probability(options.ConfidenceThreshold);
        check.Defined(options.PseudoLabelMasking);
        check.NonNegative(options.PseudoLabelWeight);
        check.Probability(options.RampFraction);
        check.Defined(options.PseudoLabelRows);
        check.NonNegative(options.InputNoise);
        check.That(options.UnlabeledBatchSize is null or >= 1, $"UnlabeledBatchSize = {options.UnlabeledBatchSize}; it must be at least 1.");
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public LookAheadTeacherOptions Options { get; }

    /// <summary>Trains student and teacher.</summary>
    /// <param name="features">Labeled rows' features (dense or sparse).</param>
    /// <param name="labels">Their soft labels.</param>
    /// <param name="unlabeled">The unlabeled pool (required with <see cref="ConsistencyRows.Pool"/>, the default).</param>
    /// <param name="weights">Optional per-labeled-row weights (finite, ≥ 0, not all 0).</param>
    /// <exception cref="ArgumentException">No labeled rows, mismatched shapes, bad weights, no pool for pool pseudo-labels, or input noise on sparse features.</exception>
    public LookAheadTeacherResult Fit(FeatureMatrix features, ProbabilisticLabels labels, FeatureMatrix? unlabeled = null,
        IReadOnlyList<double>? weights = null)
    {
        var run = CreateRun(features, labels, unlabeled, weights);
        var o = Options;
        var history = new List<TeacherStudentEpoch>();
        var epoch = new EpochAccumulator();
        for (int e = 1; e <= o.Student.Epochs; e++)
        {
            for (int s = 0; s < run.StepsPerEpoch; s++)
            {
                epoch.Add(run.LookAheadStep(o.LookAheadSteps, o.RestoreOptimizerState));
            }

            history.Add(epoch.Close(e, run.Teacher.LastDecay));
        }

        run.FinalTeacherUpdate();
        return new LookAheadTeacherResult(run.Model(run.Teacher.Net, history), run.Model(run.Session.Net, history), history, run.RealSteps,
            run.Session.Step - run.RealSteps, o.RestoreOptimizerState);
    }

    internal TeacherStudentRun CreateRun(FeatureMatrix features, ProbabilisticLabels labels, FeatureMatrix? unlabeled, IReadOnlyList<double>? weights)
    {
        var o = Options;
        return new TeacherStudentRun(nameof(LookAheadTeacher), new TeacherStudentSettings(o.Student, o.EmaDecay, o.EmaWarmup,
            TeacherConsistency.PseudoLabel, o.PseudoLabelRows, o.PseudoLabelWeight, o.RampFraction, o.InputNoise, o.ConfidenceThreshold,
            o.PseudoLabelMasking, o.UnlabeledBatchSize), features, labels, weights, unlabeled);
    }
}
