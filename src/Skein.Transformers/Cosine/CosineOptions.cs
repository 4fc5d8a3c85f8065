namespace Skein.Transformers;

/// <summary>How the contrastive regulariser measures the distance between two pooled vectors.</summary>
public enum ContrastiveDistance
{
    /// <summary>d² = mean over dimensions of (x − y)² (the reference repo's default and WRENCH's only choice).</summary>
    L2,

    /// <summary>d = 1 − cos(x, y) (the reference repo's AGNews setting).</summary>
    Cosine,
}

/// <summary>
/// Options of <see cref="CosineTrainer"/>. Stage-2 defaults follow WRENCH's COSINE (teacher update 100, ξ = 0.7,
/// μ = 1, margin 1) and the reference repo (λ = 0, sharpening power 2, L2 distance, a fresh AdamW with linear decay).
/// </summary>
public sealed record CosineOptions
{
    /// <summary>Stage 1: fine-tuning on the covered rows' weak labels, with early stopping when a validation set is given. Its <see cref="FineTuneOptions.Seed"/> is replaced by <see cref="Seed"/>.</summary>
    public FineTuneOptions Stage1 { get; init; } = new();

    /// <summary>Most optimiser steps of self-training; at least 1. Default 10000 (WRENCH's n_steps; early stopping usually ends it sooner).</summary>
    public int SelfTrainingSteps { get; init; } = 10000;

    /// <summary>Peak learning rate of the encoder in self-training (no warm-up, linear decay); null (default) = stage 1's.</summary>
    public double? SelfTrainingLearningRate { get; init; }

    /// <summary>Rows per self-training batch; null (default) = stage 1's batch size.</summary>
    public int? SelfTrainingBatchSize { get; init; }

    /// <summary>T: the teacher (the pseudo-labels and confidence weights of every row) is refreshed from the student every this many steps; at least 1. Default 100.</summary>
    public int TeacherUpdatePeriod { get; init; } = 100;

    /// <summary>ξ: rows whose confidence weight 1 − H(p)/log C is not above this are left out until the next refresh, in [0, 1). Default 0.7.</summary>
    public double ConfidenceThreshold { get; init; } = 0.7;

    /// <summary>Sharpening power of the soft pseudo-labels, q ∝ p^power / f (f = the batch's class totals); finite, ≥ 1. Default 2.</summary>
    public double SharpeningPower { get; init; } = 2;

    /// <summary>μ: weight of the contrastive regulariser; finite, ≥ 0 (0 turns it off). Default 1.</summary>
    public double ContrastiveWeight { get; init; } = 1;

    /// <summary>Margin m by which pooled vectors of pairs with different pseudo-labels are pushed apart; finite, &gt; 0. Default 1.</summary>
    public double Margin { get; init; } = 1;

    /// <summary>Distance of the contrastive regulariser. Default <see cref="ContrastiveDistance.L2"/>.</summary>
    public ContrastiveDistance Distance { get; init; } = ContrastiveDistance.L2;

    /// <summary>
    /// λ: weight of the confidence regulariser (a KL-to-uniform penalty on the student); finite, ≥ 0. Default 0, the
    /// reference repo's default: WRENCH's 0.1 made students fine-tuned on soft labels so unsure that no row passed ξ
    /// within a few hundred steps on WRENCH youtube, sms and trec (docs/finetuning.md).
    /// </summary>
    public double ConfidenceWeight { get; init; }

    /// <summary>With a validation set: the valid metric is checked every this many self-training steps; null (default) = <see cref="TeacherUpdatePeriod"/>.</summary>
    public int? EvaluationPeriod { get; init; }

    /// <summary>With a validation set: self-training stops after this many checks without a better valid metric (stage 1's best counts); at least 1. Default 10 (WRENCH).</summary>
    public int Patience { get; init; } = 10;

    /// <summary>Seed of both stages; null picks one at fit time and records it on the classifier.</summary>
    public int? Seed { get; init; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Stage1, nameof(Stage1));
        Stage1.Validate($"{nameof(CosineOptions)}.{nameof(Stage1)}");
        var check = new OptionChecks(nameof(CosineOptions));
        check.AtLeast(SelfTrainingSteps, 1);
        check.That(SelfTrainingLearningRate is null || (double.IsFinite(SelfTrainingLearningRate.Value) && SelfTrainingLearningRate > 0),
            $"SelfTrainingLearningRate = {SelfTrainingLearningRate}; it must be null or a finite number > 0.");
        check.That(SelfTrainingBatchSize is null or >= 1, $"SelfTrainingBatchSize = {SelfTrainingBatchSize}; it must be null or at least 1.");
        check.AtLeast(TeacherUpdatePeriod, 1);
        check.InRange(ConfidenceThreshold, 0, 1, maxOpen: true);
        check.InRange(SharpeningPower, 1, double.MaxValue);
        check.NonNegative(ContrastiveWeight);
        check.Positive(Margin);
        check.Defined(Distance);
        check.NonNegative(ConfidenceWeight);
        check.That(EvaluationPeriod is null or >= 1, $"EvaluationPeriod = {EvaluationPeriod}; it must be null or at least 1.");
        check.AtLeast(Patience, 1);
    }
}

/// <summary>Why COSINE's self-training stopped.</summary>
public enum SelfTrainingStop
{
    /// <summary>It ran <see cref="CosineOptions.SelfTrainingSteps"/> steps.</summary>
    StepBudget,

    /// <summary><see cref="CosineOptions.Patience"/> checks in a row did not beat the best valid metric.</summary>
    Patience,

    /// <summary>At a teacher refresh no row's confidence weight exceeded <see cref="CosineOptions.ConfidenceThreshold"/> (the student had become too unsure; lower ξ or λ).</summary>
    NoConfidentRows,
}

/// <summary>The outcome of a COSINE fit.</summary>
/// <param name="Classifier">The classifier with the best weights found (stage 2's, or stage 1's when self-training never beat it on valid).</param>
/// <param name="Stage1Valid">Stage 1's best valid metric (percent), null without validation.</param>
/// <param name="Valid">The returned classifier's valid metric, null without validation.</param>
/// <param name="SelfTrainingSteps">Self-training steps taken.</param>
/// <param name="SelfTrainingKept">Whether the returned weights come from stage 2.</param>
/// <param name="Stop">Why self-training stopped.</param>
public sealed record CosineResult(FineTunedClassifier Classifier, double? Stage1Valid, double? Valid, int SelfTrainingSteps, bool SelfTrainingKept, SelfTrainingStop Stop);
