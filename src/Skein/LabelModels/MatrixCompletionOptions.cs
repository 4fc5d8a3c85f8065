namespace Skein.LabelModels;

/// <summary>The optimiser <see cref="MatrixCompletion"/> runs (PyTorch semantics, as Snorkel uses them).</summary>
public enum MatrixCompletionOptimizer
{
    /// <summary>SGD with heavy-ball momentum (no dampening, no Nesterov). Snorkel's default.</summary>
    Sgd,

    /// <summary>Adam (bias-corrected, not AMSGrad), betas <see cref="MatrixCompletionOptions.Beta1"/>/<see cref="MatrixCompletionOptions.Beta2"/>, ε 1e-8.</summary>
    Adam,

    /// <summary>Adamax (infinity-norm Adam), same betas, ε 1e-8.</summary>
    Adamax,
}

/// <summary>How the learning rate of <see cref="MatrixCompletion"/> changes over the epochs (Snorkel's schedulers).</summary>
public enum MatrixCompletionScheduler
{
    /// <summary>The learning rate stays fixed. Snorkel's default.</summary>
    Constant,

    /// <summary>lr·(E − e)/E at epoch e of E (PyTorch LambdaLR, as in Snorkel without warm-up).</summary>
    Linear,

    /// <summary>Multiplied by <see cref="MatrixCompletionOptions.SchedulerGamma"/> after every epoch.</summary>
    Exponential,

    /// <summary>Multiplied by <see cref="MatrixCompletionOptions.SchedulerGamma"/> every <see cref="MatrixCompletionOptions.StepSize"/> epochs.</summary>
    Step,
}

/// <summary>Options of <see cref="MatrixCompletion"/>; the defaults are Snorkel's <c>TrainConfig</c>.</summary>
public sealed record MatrixCompletionOptions
{
    /// <summary>Full-batch optimiser steps; at least 1. Default 100.</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Base learning rate; finite and &gt; 0. Default 0.01.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>
    /// Centred L2 strength: adds ‖L2·(μ − μ_init)‖² to the loss and is also the optimiser's weight decay (both as in
    /// Snorkel); finite and ≥ 0. Default 0.
    /// </summary>
    public double L2 { get; init; }

    /// <summary>The optimiser. Default <see cref="MatrixCompletionOptimizer.Sgd"/>.</summary>
    public MatrixCompletionOptimizer Optimizer { get; init; } = MatrixCompletionOptimizer.Sgd;

    /// <summary>SGD momentum; finite and in [0, 1). Default 0.9.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Adam/Adamax β₁; in [0, 1). Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam/Adamax β₂; in [0, 1). Default 0.999.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>
    /// Initial precision P(Y = c | λ_j = c) of every LF, in [0, 1]; sets μ_init. Default 0.7. Ignored when
    /// <see cref="PrecisionInitPerLf"/> is given.
    /// </summary>
    public double PrecisionInit { get; init; } = 0.7;

    /// <summary>Per-LF initial precisions in [0, 1], one per LF; null (default) = <see cref="PrecisionInit"/> for all.</summary>
    public IReadOnlyList<double>? PrecisionInitPerLf { get; init; }

    /// <summary>
    /// The fixed class prior p; null (default) = uniform, as Snorkel without <c>Y_dev</c>. Its weights are used as
    /// given (WRENCH's un-normalised balance included), exactly as Snorkel uses its <c>class_balance</c> argument.
    /// </summary>
    public ClassBalance? ClassBalance { get; init; }

    /// <summary>
    /// Learned μ is clamped to [ε, 1 − ε] after training; null (default) = min(0.01, 10^−⌈log10 n⌉). In [0, 0.5).
    /// </summary>
    public double? MuEpsilon { get; init; }

    /// <summary>The learning-rate schedule. Default <see cref="MatrixCompletionScheduler.Constant"/>.</summary>
    public MatrixCompletionScheduler LearningRateScheduler { get; init; } = MatrixCompletionScheduler.Constant;

    /// <summary>Decay factor of the exponential and step schedules; in (0, 1]. Default 0.9.</summary>
    public double SchedulerGamma { get; init; } = 0.9;

    /// <summary>Epochs between decays of the step schedule; at least 1. Default 5.</summary>
    public int StepSize { get; init; } = 5;

    /// <summary>
    /// Seed ≥ 0 of the initial scale u (numpy's legacy generator, so Snorkel's <c>seed</c> gives the same u);
    /// null (default) picks one and records it in <see cref="MatrixCompletionModel.Seed"/>.
    /// </summary>
    public int? Seed { get; init; }
}
