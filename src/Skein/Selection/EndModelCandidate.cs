using Skein.EndModels;
using Skein.Features;

namespace Skein.Selection;

/// <summary>One rung of an end model's budget ladder: a trainer and how its budget reads in a table.</summary>
/// <param name="Setting">E.g. "50 iterations" or "≤ 60 epochs, patience 8".</param>
/// <param name="Trainer">A fresh trainer at that budget.</param>
public sealed record EndModelBudget(string Setting, IEndModelTrainer Trainer);

/// <summary>
/// An end model kind in a <see cref="SearchSpace"/>: a name, a budget ladder (the same model at growing budgets; the
/// selector keeps the rung that scores best on dev, i.e. early stopping on the user's metric) and the TF-IDF size it
/// suits. Built-ins: <see cref="Softmax"/>, <see cref="Mlp"/> and <see cref="EarlyStoppedMlp"/>; any other trainer (for
/// example a fine-tuned encoder from another package) enters through <see cref="Custom"/>.
/// </summary>
public sealed class EndModelCandidate
{
    /// <summary>The softmax ladder's L-BFGS iteration counts: WRENCH's valid scores stopped rising past 200.</summary>
    public static IReadOnlyList<int> DefaultSoftmaxIterations { get; } = [25, 50, 100, 200];

    /// <summary>The MLP ladder's epoch counts.</summary>
    public static IReadOnlyList<int> DefaultMlpEpochs { get; } = [5, 10, 20, 40];

    /// <summary>
    /// Hashed n-gram buckets for softmax regression (2^18). The MLP's first layer is buckets × 256 weights, so it gets
    /// 2^15 (<see cref="MlpTfIdfDimension"/>) to stay within a laptop's memory and time.
    /// </summary>
    public const int SoftmaxTfIdfDimension = 1 << 18;

    /// <summary>Hashed n-gram buckets for the MLP (2^15).</summary>
    public const int MlpTfIdfDimension = 1 << 15;

    /// <summary>Share of rows a single fit (<see cref="Trainer"/>) holds out for early stopping by default.</summary>
    public const double DefaultValidationFraction = 0.1;

    /// <summary>The name of <see cref="Softmax"/>.</summary>
    public const string SoftmaxName = "softmax";

    /// <summary>The name of <see cref="Mlp"/> and <see cref="EarlyStoppedMlp"/>.</summary>
    public const string MlpName = "mlp";

    private readonly Func<int, IReadOnlyList<EndModelBudget>> _ladder;
    private readonly Func<int?, double, IEndModelTrainer> _single;

    private EndModelCandidate(string name, Func<int, IReadOnlyList<EndModelBudget>> ladder, Func<int?, double, IEndModelTrainer> single,
        bool earlyStopsOnDev, int tfIdfDimension)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        _ladder = ladder;
        _single = single;
        EarlyStopsOnDev = earlyStopsOnDev;
        TfIdfDimension = tfIdfDimension;
    }

    /// <summary>The model's name in tables and JSON ("softmax", "mlp", …).</summary>
    public string Name { get; }

    /// <summary>Whether each fit gets the dev split as its <see cref="ValidationSet"/> (early stopping on dev loss).</summary>
    public bool EarlyStopsOnDev { get; }

    /// <summary>Hashed n-gram buckets that suit this model when its features are TF-IDF.</summary>
    public int TfIdfDimension { get; }

    /// <summary>TF-IDF options of <see cref="TfIdfDimension"/> buckets (other settings at their defaults).</summary>
    public HashedNGramOptions TfIdfOptions => new() { Dimension = TfIdfDimension };

    /// <summary>The names <see cref="FromName"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = [SoftmaxName, MlpName];

    /// <summary>The budget ladder for a seed: fresh trainers, smallest budget first.</summary>
    public IReadOnlyList<EndModelBudget> Ladder(int seed)
    {
        var ladder = _ladder(seed);
        return ladder is { Count: > 0 } ? ladder : throw new InvalidOperationException($"End model candidate '{Name}' gave an empty budget ladder.");
    }

    /// <summary>One trainer at the full budget that holds out <paramref name="validationFraction"/> of its rows for early stopping.</summary>
    public IEndModelTrainer Trainer(int? seed, double validationFraction) => _single(seed, validationFraction);

    /// <summary>L2 softmax regression at growing L-BFGS budgets (default <see cref="DefaultSoftmaxIterations"/>).</summary>
    public static EndModelCandidate Softmax(IReadOnlyList<int>? maxIterations = null)
    {
        int[] budgets = [.. maxIterations ?? DefaultSoftmaxIterations];
        new OptionChecks(nameof(EndModelCandidate), nameof(maxIterations)).NotEmpty(budgets, nameof(maxIterations));
        return new EndModelCandidate(SoftmaxName,
            seed => [.. budgets.Select(n => new EndModelBudget($"{n} iterations", new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = seed, MaxIterations = n })))],
            (seed, fraction) => new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = seed, ValidationFraction = fraction }),
            earlyStopsOnDev: false, SoftmaxTfIdfDimension);
    }

    /// <summary>An MLP (<see cref="MlpOptions"/> defaults: one hidden layer of 256) at growing epoch budgets (default <see cref="DefaultMlpEpochs"/>).</summary>
    public static EndModelCandidate Mlp(IReadOnlyList<int>? epochs = null)
    {
        int[] budgets = [.. epochs ?? DefaultMlpEpochs];
        new OptionChecks(nameof(EndModelCandidate), nameof(epochs)).NotEmpty(budgets, nameof(epochs));
        return new EndModelCandidate(MlpName,
            seed => [.. budgets.Select(n => new EndModelBudget($"{n} epochs", new Mlp(new MlpOptions { Seed = seed, Epochs = n })))],
            (seed, fraction) => new Mlp(new MlpOptions { Seed = seed, ValidationFraction = fraction }),
            earlyStopsOnDev: false, MlpTfIdfDimension);
    }

    /// <summary>
    /// One MLP (hidden layer of 256) that early-stops on the dev split's loss: at most <paramref name="maxEpochs"/>
    /// epochs, stopping after <paramref name="patience"/> without improvement. With gold dev labels this beat the
    /// fixed-budget ladder on the YouTube demo and needs one fit instead of four.
    /// </summary>
    public static EndModelCandidate EarlyStoppedMlp(int maxEpochs = 60, int patience = 8)
    {
        var options = new MlpOptions { HiddenSizes = [256], Epochs = maxEpochs, Patience = patience };
        _ = new Mlp(options); // validates
        return new EndModelCandidate(MlpName,
            seed => [new EndModelBudget($"≤ {maxEpochs} epochs, patience {patience}", new Mlp(options with { Seed = seed }))],
            (seed, fraction) => new Mlp(options with { Seed = seed, ValidationFraction = fraction }),
            earlyStopsOnDev: true, MlpTfIdfDimension);
    }

    /// <summary>
    /// Any other end model: the extension point for trainers from other packages (e.g. a fine-tuned encoder).
    /// </summary>
    /// <param name="name">The name in tables and JSON.</param>
    /// <param name="ladder">Fresh trainers for a seed, smallest budget first (one entry for a single setting).</param>
    /// <param name="earlyStopsOnDev">Pass the dev split to each fit as its <see cref="ValidationSet"/>.</param>
    /// <param name="tfIdfDimension">Hashed n-gram buckets that suit the model when its features are TF-IDF.</param>
    public static EndModelCandidate Custom(string name, Func<int, IReadOnlyList<EndModelBudget>> ladder, bool earlyStopsOnDev = false,
        int tfIdfDimension = SoftmaxTfIdfDimension)
    {
        ArgumentNullException.ThrowIfNull(ladder);
        return new EndModelCandidate(name, ladder, (seed, _) => ladder(seed ?? 0)[^1].Trainer, earlyStopsOnDev, tfIdfDimension);
    }

    /// <summary>The built-in ladder for "softmax" or "mlp" (the names the CLI accepts).</summary>
    /// <exception cref="ArgumentException">Another name.</exception>
    public static EndModelCandidate FromName(string name) => name switch
    {
        SoftmaxName => Softmax(),
        MlpName => Mlp(),
        _ => throw new ArgumentException($"Unknown end model '{name}'; expected {string.Join(" or ", Names)}.", nameof(name)),
    };

    /// <inheritdoc/>
    public override string ToString() => Name;
}
