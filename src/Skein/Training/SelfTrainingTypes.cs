using Skein.Data;
using Skein.EndModels;

namespace Skein.Training;

/// <summary>How <see cref="SelfTraining"/> picks the pool rows it pseudo-labels each round.</summary>
public enum PseudoLabelSelection
{
    /// <summary>Every remaining pool row whose confidence is at least <see cref="SelfTrainingOptions.Threshold"/> (Amini et al. §3).</summary>
    FixedThreshold,

    /// <summary>
    /// Class-balanced: per round the <see cref="SelfTrainingOptions.RowsPerRound"/> most confident remaining rows, split
    /// over the predicted classes in proportion to the class prior estimated from the labelled rows.
    /// </summary>
    TopKPerClass,

    /// <summary>
    /// Curriculum labelling (Cascante-Bonilla et al.): round r pseudo-labels the top r·<see cref="SelfTrainingOptions.CurriculumStep"/>
    /// of the whole pool by confidence, re-fits a fresh model on the labelled rows plus only that set (pseudo-labels are
    /// replaced each round, not accumulated), until the whole pool is used.
    /// </summary>
    PercentileCurriculum,

    /// <summary>
    /// FlexMatch's class-adaptive thresholds T(c) = M(β(c))·τ with M(x) = x/(2 − x), where β(c) is the number of pool rows
    /// confidently (≥ τ) predicted as c, normalised by the largest such count (or the unused count, under warm-up).
    /// </summary>
    ClassAdaptive,
}

/// <summary>The confidence score of a prediction that selection ranks and thresholds.</summary>
public enum ConfidenceMeasure
{
    /// <summary>The largest class probability, p₁.</summary>
    MaxProbability,

    /// <summary>The multi-class margin p₁ − p₂ between the two most probable classes.</summary>
    Margin,
}

/// <summary>Training weight of a pseudo-labelled row.</summary>
public enum PseudoLabelWeighting
{
    /// <summary><see cref="SelfTrainingOptions.PseudoLabelWeight"/> for every pseudo-labelled row.</summary>
    Constant,

    /// <summary><see cref="SelfTrainingOptions.PseudoLabelWeight"/> × the row's confidence when it was selected.</summary>
    Confidence,
}

/// <summary>Why <see cref="SelfTraining"/> stopped.</summary>
public enum SelfTrainingTermination
{
    /// <summary>A round selected no new row.</summary>
    NoNewLabels,

    /// <summary>Every pool row is pseudo-labelled (or the pool was empty).</summary>
    PoolExhausted,

    /// <summary><see cref="SelfTrainingOptions.MaxIterations"/> rounds ran with rows still left in the pool.</summary>
    MaxIterations,
}

/// <summary>Options of <see cref="SelfTraining"/>.</summary>
public sealed record SelfTrainingOptions
{
    /// <summary>The selection strategy. Default <see cref="PseudoLabelSelection.FixedThreshold"/>.</summary>
    public PseudoLabelSelection Selection { get; init; } = PseudoLabelSelection.FixedThreshold;

    /// <summary>The confidence that selection ranks and thresholds. Default <see cref="ConfidenceMeasure.MaxProbability"/>.</summary>
    public ConfidenceMeasure Confidence { get; init; } = ConfidenceMeasure.MaxProbability;

    /// <summary>
    /// The cut θ of <see cref="PseudoLabelSelection.FixedThreshold"/>, and FlexMatch's τ for
    /// <see cref="PseudoLabelSelection.ClassAdaptive"/>; in [0, 1]. Default 0.9.
    /// </summary>
    public double Threshold { get; init; } = 0.9;

    /// <summary>Rows added per round by <see cref="PseudoLabelSelection.TopKPerClass"/> (over all classes); at least 1. Default 100.</summary>
    public int RowsPerRound { get; init; } = 100;

    /// <summary>Share of the pool added per round by <see cref="PseudoLabelSelection.PercentileCurriculum"/>, in (0, 1]. Default 0.2.</summary>
    public double CurriculumStep { get; init; } = 0.2;

    /// <summary>FlexMatch's warm-up: normalise the counts by max(largest count, unused rows) instead of the largest count. Default true.</summary>
    public bool FlexMatchWarmup { get; init; } = true;

    /// <summary>Train on the model's predicted distribution instead of a one-hot of its most probable class. Default false (hard).</summary>
    public bool SoftPseudoLabels { get; init; }

    /// <summary>How pseudo-labelled rows are weighted. Default <see cref="PseudoLabelWeighting.Constant"/>.</summary>
    public PseudoLabelWeighting Weighting { get; init; } = PseudoLabelWeighting.Constant;

    /// <summary>Weight of a pseudo-labelled row relative to a labelled row of weight 1; finite, &gt; 0. Default 1.</summary>
    public double PseudoLabelWeight { get; init; } = 1;

    /// <summary>Most pseudo-labelling rounds (re-fits after the first fit); at least 1. Default 10.</summary>
    public int MaxIterations { get; init; } = 10;
}

/// <summary>What one pseudo-labelling round did.</summary>
/// <param name="Round">1-based round.</param>
/// <param name="RowsAdded">Pool rows pseudo-labelled this round that were not pseudo-labelled before it.</param>
/// <param name="RowsPseudoLabeled">Pool rows the round's model was trained on with pseudo-labels.</param>
/// <param name="PoolRemaining">Pool rows still without a pseudo-label after the round.</param>
/// <param name="ClassCounts">Per predicted class, the pool rows selected this round.</param>
/// <param name="Thresholds">
/// Per class, the confidence cut the round used: θ (fixed), T(c) (class-adaptive), the confidence of the last row taken
/// (top-k, curriculum; NaN for a class with none taken).
/// </param>
public sealed record SelfTrainingRound(int Round, int RowsAdded, int RowsPseudoLabeled, int PoolRemaining,
    IReadOnlyList<int> ClassCounts, IReadOnlyList<double> Thresholds);

/// <summary>The outcome of <see cref="SelfTraining.Fit"/>.</summary>
public sealed record SelfTrainingResult
{
    /// <summary>The model of the last fit (trained on the labelled rows and the final pseudo-labels).</summary>
    public required EndModel Model { get; init; }

    /// <summary>Per row: 0 = labelled from the start, r ≥ 1 = pseudo-labelled in round r, −1 = never labelled.</summary>
    public required IReadOnlyList<int> LabeledAtIteration { get; init; }

    /// <summary>
    /// Per row, the target of the last fit: the given label for labelled rows, the pseudo-label for pseudo-labelled rows;
    /// for never-labelled rows, the final model's prediction (not trained on).
    /// </summary>
    public required ProbabilisticLabels PseudoLabels { get; init; }

    /// <summary>Per row, the training weight in the last fit (0 for never-labelled rows).</summary>
    public required IReadOnlyList<double> Weights { get; init; }

    /// <summary>Pseudo-labelling rounds that re-fitted the model (0 when the first round added nothing or the pool was empty).</summary>
    public required int Iterations { get; init; }

    /// <summary>Why the loop stopped.</summary>
    public required SelfTrainingTermination Termination { get; init; }

    /// <summary>Every round, including a final one that selected nothing.</summary>
    public required IReadOnlyList<SelfTrainingRound> Rounds { get; init; }
}
