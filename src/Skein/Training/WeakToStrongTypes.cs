using Skein.EndModels;
using Skein.Features;

namespace Skein.Training;

/// <summary>How a weak-to-strong student is trained on its supervisor's soft labels.</summary>
public enum WeakToStrongLoss
{
    /// <summary>Plain soft-label cross-entropy ("xent" in openai/weak-to-strong): the student imitates the weak labels.</summary>
    CrossEntropy,

    /// <summary>The auxiliary confidence loss ("logconf"; <see cref="AuxiliaryConfidenceObjective"/>); needs an <see cref="Mlp"/> student.</summary>
    AuxiliaryConfidence,
}

/// <summary>
/// One side of a weak-to-strong experiment: how its items become features and which model learns from them.
/// </summary>
/// <typeparam name="TItem">The raw item (e.g. a text).</typeparam>
/// <param name="Name">A label for reports.</param>
/// <param name="Featurize">
/// A fixed map from items to features, called once on the data items and once on the test items (so it must not
/// learn anything from what it is given, e.g. no IDF fitted per call).
/// </param>
/// <param name="Trainer">A fresh trainer for a seed.</param>
public sealed record WeakToStrongView<TItem>(string Name, Func<IReadOnlyList<TItem>, FeatureMatrix> Featurize, Func<int, IEndModelTrainer> Trainer);

/// <summary>
/// Featurised data of a weak-to-strong experiment: every data row and test row in the weak model's view and in the
/// strong model's view, with gold labels.
/// </summary>
/// <param name="WeakFeatures">Data rows in the weak view.</param>
/// <param name="StrongFeatures">Data rows in the strong view.</param>
/// <param name="Labels">Gold class of each data row, in [0, k).</param>
/// <param name="WeakTestFeatures">Test rows in the weak view.</param>
/// <param name="StrongTestFeatures">Test rows in the strong view.</param>
/// <param name="TestLabels">Gold class of each test row, in [0, k).</param>
/// <param name="Cardinality">k, at least 2.</param>
public sealed record WeakToStrongData(
    FeatureMatrix WeakFeatures,
    FeatureMatrix StrongFeatures,
    IReadOnlyList<int> Labels,
    FeatureMatrix WeakTestFeatures,
    FeatureMatrix StrongTestFeatures,
    IReadOnlyList<int> TestLabels,
    int Cardinality);

/// <summary>Options of <see cref="WeakToStrongExperiment"/>.</summary>
public sealed record WeakToStrongOptions
{
    /// <summary>One run per seed (split, initialisation, shuffles); at least one, distinct. Default [0, 1, 2].</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [0, 1, 2];

    /// <summary>The students to train per seed, all sharing the seed's weak labels and ceiling; at least one, distinct. Default [CrossEntropy, AuxiliaryConfidence].</summary>
    public IReadOnlyList<WeakToStrongLoss> Losses { get; init; } = [WeakToStrongLoss.CrossEntropy, WeakToStrongLoss.AuxiliaryConfidence];

    /// <summary>Options of the auxiliary confidence loss. Default: α_max 0.5, warm-up 0.1, weak-marginal hardening.</summary>
    public AuxiliaryConfidenceOptions Auxiliary { get; init; } = new();

    /// <summary>
    /// Weak teachers per seed, 1–1000; above 1 the supervisor is a <see cref="TeacherEnsemble"/> of that many weak models
    /// (trainer seeds seed·1009 + j) and the weak baseline is the ensemble's accuracy. Default 1.
    /// </summary>
    public int WeakEnsembleSize { get; init; } = 1;

    /// <summary>Split each class 50/50 (true) or the shuffled rows as a whole (false). Default true.</summary>
    public bool Stratified { get; init; } = true;
}

/// <summary>One student of one seed.</summary>
/// <param name="Loss">How it was trained.</param>
/// <param name="Accuracy">Test accuracy, in [0, 1].</param>
/// <param name="Pgr">Performance gap recovered for this seed; null where the ceiling does not beat the weak model.</param>
/// <param name="AgreementWithWeak">Share of test rows where it predicts what the weak supervisor predicts (imitation).</param>
/// <param name="OverruledShare">Auxiliary loss only: share of hardened row-steps that went against the weak label's argmax.</param>
public sealed record WeakToStrongStudentResult(WeakToStrongLoss Loss, double Accuracy, double? Pgr, double AgreementWithWeak, double? OverruledShare);

/// <summary>The models of one seed.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="WeakTrainRows">Rows of half A (the weak model's gold training rows).</param>
/// <param name="StudentTrainRows">Rows of half B (weak labels for the students, gold labels for the ceiling).</param>
/// <param name="Weak">The weak supervisor's test accuracy.</param>
/// <param name="WeakLabelAccuracy">Accuracy of the weak labels (argmax) on half B: how noisy the students' supervision is.</param>
/// <param name="Ceiling">Test accuracy of the strong model trained on half B's gold labels.</param>
/// <param name="Students">One entry per loss, in the order of the options.</param>
public sealed record WeakToStrongSeedResult(int Seed, int WeakTrainRows, int StudentTrainRows, double Weak, double WeakLabelAccuracy, double Ceiling,
    IReadOnlyList<WeakToStrongStudentResult> Students);

/// <summary>A loss's students over all seeds.</summary>
/// <param name="Loss">How they were trained.</param>
/// <param name="MeanAccuracy">Mean test accuracy over seeds.</param>
/// <param name="Pgr">PGR of the means (mean weak, mean student, mean ceiling); null where the mean ceiling does not beat the mean weak.</param>
/// <param name="MeanSeedPgr">Mean of the per-seed PGRs; null if any seed's PGR is undefined.</param>
public sealed record WeakToStrongStudentSummary(WeakToStrongLoss Loss, double MeanAccuracy, double? Pgr, double? MeanSeedPgr);

/// <summary>The whole experiment.</summary>
/// <param name="Seeds">Per-seed results, in seed order of the options.</param>
/// <param name="MeanWeak">Mean weak test accuracy.</param>
/// <param name="MeanWeakLabelAccuracy">Mean accuracy of the weak labels on half B.</param>
/// <param name="MeanCeiling">Mean ceiling test accuracy.</param>
/// <param name="Students">Per loss, in the order of the options.</param>
public sealed record WeakToStrongResult(IReadOnlyList<WeakToStrongSeedResult> Seeds, double MeanWeak, double MeanWeakLabelAccuracy, double MeanCeiling,
    IReadOnlyList<WeakToStrongStudentSummary> Students)
{
    /// <summary>The summary of one loss.</summary>
    /// <exception cref="KeyNotFoundException">The loss was not run.</exception>
    public WeakToStrongStudentSummary Student(WeakToStrongLoss loss) =>
        Students.FirstOrDefault(s => s.Loss == loss) ?? throw new KeyNotFoundException($"The experiment did not train a {loss} student.");
}
