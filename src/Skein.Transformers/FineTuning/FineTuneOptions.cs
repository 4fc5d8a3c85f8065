using Skein.Evaluation;

namespace Skein.Transformers;

/// <summary>Which targets the classifier is trained on.</summary>
public enum FineTuneLabels
{
    /// <summary>The label model's probabilities (noise-aware cross-entropy, Snorkel's choice).</summary>
    Soft,

    /// <summary>One-hot of each row's most probable class (ties to the lowest class; WRENCH's default).</summary>
    Hard,
}

/// <summary>Options of <see cref="FineTuneTrainer"/>. Defaults are the usual BERT fine-tuning ones.</summary>
public sealed record FineTuneOptions
{
    /// <summary>Peak learning rate of the encoder's parameters; finite, &gt; 0. Default 2e-5.</summary>
    public double LearningRate { get; init; } = 2e-5;

    /// <summary>Peak learning rate of the linear head; null (default) = <see cref="LearningRate"/>. A larger one helps when most encoder layers are frozen.</summary>
    public double? HeadLearningRate { get; init; }

    /// <summary>Passes over the training rows; at least 1. Default 3.</summary>
    public int Epochs { get; init; } = 3;

    /// <summary>Rows per minibatch; at least 1. Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Rows per batch when predicting; at least 1. Default 64.</summary>
    public int PredictBatchSize { get; init; } = 64;

    /// <summary>Tokens per text, [CLS] and [SEP] included (longer texts are truncated); at least 2. Default 128.</summary>
    public int MaxLength { get; init; } = 128;

    /// <summary>Share of all optimiser steps spent warming the learning rate up from 0, in [0, 1]; it then decays linearly to 0. Default 0.1.</summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>AdamW's decoupled weight decay (not applied to biases and LayerNorm); finite, ≥ 0. Default 0.01.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>AdamW's ε; finite, &gt; 0. Default 1e-8.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>Global gradient-norm cap; null = no clipping, else finite and &gt; 0. Default 1.0.</summary>
    public double? MaxGradientNorm { get; init; } = 1.0;

    /// <summary>Dropout on the pooled representation before the head, in [0, 1). Default 0.1.</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary>Soft (default) or hard targets.</summary>
    public FineTuneLabels Labels { get; init; } = FineTuneLabels.Soft;

    /// <summary>With a validation set: how many times per epoch the valid metric is checked (at evenly spaced batches); at least 1. Default 1.</summary>
    public int EvaluationsPerEpoch { get; init; } = 1;

    /// <summary>With a validation set: stop after this many checks (epochs, with one check per epoch) without a better valid metric and keep the best weights; at least 1. Default 2.</summary>
    public int Patience { get; init; } = 2;

    /// <summary>Seed of the head's initialisation, batch order and dropout; null picks one at fit time and records it on the classifier.</summary>
    public int? Seed { get; init; }

    internal void Validate(string owner = nameof(FineTuneOptions))
    {
        var check = new OptionChecks(owner);
        check.Positive(LearningRate);
        check.That(HeadLearningRate is null || (double.IsFinite(HeadLearningRate.Value) && HeadLearningRate > 0),
            $"HeadLearningRate = {HeadLearningRate}; it must be null or a finite number > 0.");
        check.AtLeast(Epochs, 1);
        check.AtLeast(BatchSize, 1);
        check.AtLeast(PredictBatchSize, 1);
        check.AtLeast(MaxLength, 2);
        check.Probability(WarmupFraction);
        check.NonNegative(WeightDecay);
        check.Positive(AdamEpsilon);
        check.That(MaxGradientNorm is null || (double.IsFinite(MaxGradientNorm.Value) && MaxGradientNorm > 0),
            $"MaxGradientNorm = {MaxGradientNorm}; it must be null or a finite number > 0.");
        check.InRange(Dropout, 0, 1, maxOpen: true);
        check.Defined(Labels);
        check.AtLeast(EvaluationsPerEpoch, 1);
        check.AtLeast(Patience, 1);
    }
}

/// <summary>A labelled validation split for early stopping: texts, their gold classes and the metric to maximise.</summary>
/// <param name="Texts">The validation texts.</param>
/// <param name="Gold">Their gold classes, each in [0, k).</param>
/// <param name="Metric">Accuracy (default) or binary F1 of class 1, in percent, scored as WRENCH does.</param>
public sealed record FineTuneValidation(IReadOnlyList<string> Texts, IReadOnlyList<int> Gold, WrenchMetric Metric = WrenchMetric.Accuracy);

/// <summary>One epoch's report.</summary>
/// <param name="Stage">"fine-tune", or a COSINE stage name.</param>
/// <param name="Epoch">1-based epoch (or evaluation round, in COSINE's self-training).</param>
/// <param name="TrainLoss">Mean training loss over the epoch's batches.</param>
/// <param name="ValidMetric">The valid metric after the epoch (percent), null without a validation set.</param>
/// <param name="LearningRate">The encoder's learning rate at the last step of the epoch.</param>
/// <param name="Steps">Optimiser steps taken so far in this stage.</param>
public sealed record FineTuneProgress(string Stage, int Epoch, double TrainLoss, double? ValidMetric, double LearningRate, int Steps)
{
    /// <summary>1-based check within the epoch (see <see cref="FineTuneOptions.EvaluationsPerEpoch"/>); the loss is the mean since the previous report.</summary>
    public int Check { get; init; } = 1;

    /// <summary>Checks in this epoch.</summary>
    public int ChecksPerEpoch { get; init; } = 1;
}
