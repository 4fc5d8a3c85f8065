using Skein.LabelModels;
using Skein.Training;

namespace Skein.Selection;

/// <summary>A label model in a <see cref="SearchSpace"/>: a name and a trainer for a seed.</summary>
/// <param name="Name">The name in tables and JSON.</param>
/// <param name="Trainer">A fresh trainer for a seed (models without randomness ignore it).</param>
public sealed record LabelModelCandidate(string Name, Func<int, ILabelModelTrainer> Trainer)
{
    /// <summary>Snorkel's matrix-completion label model, seeded.</summary>
    public static LabelModelCandidate MatrixCompletion { get; } =
        new(nameof(LabelModels.MatrixCompletion), seed => new MatrixCompletion(new MatrixCompletionOptions { Seed = seed }));

    /// <summary>Data programming (EM over LF accuracies).</summary>
    public static LabelModelCandidate DataProgramming { get; } = new(nameof(LabelModels.DataProgramming), _ => new DataProgramming());

    /// <summary>Dawid–Skene (EM over per-class confusion matrices).</summary>
    public static LabelModelCandidate DawidSkene { get; } = new(nameof(LabelModels.DawidSkene), _ => new DawidSkene());

    /// <summary>Majority vote: the baseline every other candidate must beat.</summary>
    public static LabelModelCandidate MajorityVote { get; } = new(nameof(LabelModels.MajorityVote), _ => new MajorityVote());
}

/// <summary>Which labels the end model learns from.</summary>
public enum TrainingLabels
{
    /// <summary>The label model's probabilities (noise-aware).</summary>
    Soft,

    /// <summary>Their argmax, one-hot (random tie-break as the label model is scored).</summary>
    Hard,

    /// <summary>Fit on both and keep the better on dev (soft wins ties).</summary>
    Both,
}

/// <summary>The score candidates are ranked by on the dev split.</summary>
public enum SelectionMetric
{
    /// <summary>Accuracy.</summary>
    Accuracy,

    /// <summary>Binary F1 of class 1 (spam, positive, …); needs k = 2.</summary>
    F1,
}

/// <summary>
/// What <see cref="ModelSelector"/> tries, as an immutable description. Candidates are tried in list order and a later
/// one replaces the current best only when it scores strictly better, so ties keep the earlier (simpler-first) choice.
/// </summary>
public sealed record SearchSpace
{
    /// <summary>
    /// The label models (default: MatrixCompletion, DataProgramming, MajorityVote — majority vote last, so it wins only
    /// when strictly better).
    /// </summary>
    public IReadOnlyList<LabelModelCandidate> LabelModels { get; init; } =
        [LabelModelCandidate.MatrixCompletion, LabelModelCandidate.DataProgramming, LabelModelCandidate.MajorityVote];

    /// <summary>The end models with their budget ladders (default: <see cref="EndModelCandidate.EarlyStoppedMlp"/>).</summary>
    public IReadOnlyList<EndModelCandidate> EndModels { get; init; } = [EndModelCandidate.EarlyStoppedMlp()];

    /// <summary>
    /// Soft, hard or both (default both). Soft labels are the noise-aware default, but a label model can rank well and be
    /// badly calibrated: data programming with one-sided keyword LFs gives spam posteriors near 1 and ham near 0.5–0.6,
    /// and an MLP on those soft labels leaned to spam (0.72 leaving each YouTube video out, against 0.92 on the argmax).
    /// </summary>
    public TrainingLabels Labels { get; init; } = TrainingLabels.Both;

    /// <summary>
    /// Self-training settings tried around the chosen end model, with the rows no LF covers as the pool; the best is kept
    /// only when it beats the plain end model on dev. Empty (default) = no self-training. See <see cref="DefaultSelfTraining"/>.
    /// </summary>
    public IReadOnlyList<SelfTrainingOptions> SelfTraining { get; init; } = [];

    /// <summary>The dev score (default accuracy).</summary>
    public SelectionMetric Metric { get; init; } = SelectionMetric.Accuracy;

    /// <summary>Leave rows no LF voted on out of the end model's training (default true: they carry only the prior).</summary>
    public bool DropUncovered { get; init; } = true;

    /// <summary>The default self-training threshold (largest class probability), chosen on WRENCH valid splits (docs/self-training.md).</summary>
    public const double DefaultSelfTrainingThreshold = 0.9;

    /// <summary>Self-training rounds per setting: the WRENCH experiments gained nothing after the third.</summary>
    public const int DefaultSelfTrainingRounds = 3;

    /// <summary>
    /// The self-training settings worth trying: class-balanced top-k, FlexMatch class-adaptive thresholds and a fixed
    /// threshold, in that order (a fixed threshold floods the pool's majority class and lost up to 5 F1 points on the
    /// valid halves of sms and trec; class-adaptive gained 0.4–2.2 and top-k never lost; docs/self-training.md).
    /// </summary>
    /// <param name="threshold">The confidence cut of the threshold settings, in [0, 1].</param>
    public static IReadOnlyList<SelfTrainingOptions> DefaultSelfTraining(double threshold = DefaultSelfTrainingThreshold)
    {
        new OptionChecks(nameof(SelfTrainingOptions), nameof(threshold)).Probability(threshold, "Threshold");
        return
        [
            new SelfTrainingOptions { Selection = PseudoLabelSelection.TopKPerClass, Threshold = threshold, MaxIterations = DefaultSelfTrainingRounds },
            new SelfTrainingOptions { Selection = PseudoLabelSelection.ClassAdaptive, Threshold = threshold, MaxIterations = DefaultSelfTrainingRounds },
            new SelfTrainingOptions { Selection = PseudoLabelSelection.FixedThreshold, Threshold = threshold, MaxIterations = DefaultSelfTrainingRounds },
        ];
    }

    /// <summary>Checks every list and setting once; the messages name the option.</summary>
    /// <exception cref="ArgumentException">An empty list, a null entry, duplicate names or an undefined enum value.</exception>
    public SearchSpace Validate()
    {
        var check = new OptionChecks(nameof(SearchSpace), "space");
        check.NotEmpty(LabelModels);
        check.NotEmpty(EndModels);
        check.That(LabelModels.All(c => c is not null) && LabelModels.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count() == LabelModels.Count,
            "LabelModels: every candidate must be non-null with a unique name.");
        check.That(EndModels.All(c => c is not null), "EndModels: a candidate is null.");
        check.That(SelfTraining is not null && SelfTraining.All(s => s is not null), "SelfTraining: give a list (empty for none) without null entries.");
        check.Defined(Labels);
        check.Defined(Metric);
        foreach (var s in SelfTraining!)
        {
            _ = new Training.SelfTraining(new EndModels.SoftmaxRegression(), s);
        }

        return this;
    }
}
