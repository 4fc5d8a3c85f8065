using System.Globalization;
using Skein.LabelModels;

namespace Skein.Evaluation;

/// <summary>One hyper-parameter setting of a grid point, e.g. ("lr", 0.01).</summary>
/// <param name="Name">The hyper-parameter's name in the model's search space (WRENCH's spelling).</param>
/// <param name="Value">Its value; integer hyper-parameters (epochs) are whole numbers.</param>
public readonly record struct HyperParameterValue(string Name, double Value)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name}={Value.ToString("R", CultureInfo.InvariantCulture)}";
}

/// <summary>One axis of a grid search: a hyper-parameter and the values tried, in order.</summary>
/// <param name="Name">The hyper-parameter's name.</param>
/// <param name="Values">The values tried, in grid order.</param>
public sealed record HyperParameterAxis(string Name, IReadOnlyList<double> Values);

/// <summary>What a catalog factory gets to build a trainer: the WRENCH class balance, a seed and hyper-parameters.</summary>
public sealed record LabelModelSettings
{
    /// <summary>Class balance for models that use one (null = the model's own default).</summary>
    public ClassBalance? ClassBalance { get; init; }

    /// <summary>Seed for models that use one (null = the model picks and records one).</summary>
    public int? Seed { get; init; }

    /// <summary>Hyper-parameters of one grid point; a name that is absent takes the model's default.</summary>
    public IReadOnlyList<HyperParameterValue> HyperParameters { get; init; } = [];

    /// <summary>The value of <paramref name="name"/>, or <paramref name="fallback"/> when the settings do not set it.</summary>
    public double Get(string name, double fallback)
    {
        foreach (var h in HyperParameters)
        {
            if (h.Name == name)
            {
                return h.Value;
            }
        }

        return fallback;
    }
}

/// <summary>
/// A label model as the evaluation tools see it: its CLI name, what it needs from the data, its WRENCH search
/// space and a factory. A spec whose <see cref="Factory"/> is null is planned but not part of this build.
/// </summary>
/// <param name="Name">Short CLI name (mv, wmv, ds, dp, metal, fs).</param>
/// <param name="Title">The trainer's type name, for messages.</param>
/// <param name="UsesClassBalance">Whether the model consumes a class balance (WRENCH passes the valid-label balance).</param>
/// <param name="MinLfCount">The fewest LFs the model can be fitted on.</param>
/// <param name="UsesSeed">Whether a seed changes the fit.</param>
/// <param name="SearchSpace">Axes of the grid search (empty = nothing to tune).</param>
/// <param name="Factory">Builds a trainer from settings; null when the model is not available in this build.</param>
public sealed record LabelModelSpec(
    string Name,
    string Title,
    bool UsesClassBalance,
    int MinLfCount,
    bool UsesSeed,
    IReadOnlyList<HyperParameterAxis> SearchSpace,
    Func<LabelModelSettings, ILabelModelTrainer>? Factory)
{
    /// <summary>Whether this build can fit the model.</summary>
    public bool IsAvailable => Factory is not null;

    /// <summary>Builds a trainer.</summary>
    /// <exception cref="NotSupportedException">The model is not available in this build.</exception>
    public ILabelModelTrainer CreateTrainer(LabelModelSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Factory is null
            ? throw new NotSupportedException($"label model '{Name}' ({Title}) is not available in this build.")
            : Factory(settings);
    }

    /// <summary>Rejects a label matrix with too few LFs for this model.</summary>
    /// <exception cref="ArgumentException">The model needs more LFs than <paramref name="lfCount"/>.</exception>
    public void RequireLfCount(int lfCount)
    {
        if (lfCount < MinLfCount)
        {
            throw new ArgumentException(
                $"label model '{Name}' ({Title}) needs at least {MinLfCount} LFs; the label matrix has {lfCount}.");
        }
    }

    /// <summary>
    /// Every point of the grid: the cartesian product of <see cref="SearchSpace"/>, first axis outermost, last axis
    /// varying fastest. An empty search space gives one empty point (the defaults).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<HyperParameterValue>> Grid()
    {
        var points = new List<IReadOnlyList<HyperParameterValue>> { Array.Empty<HyperParameterValue>() };
        foreach (var axis in SearchSpace)
        {
            var next = new List<IReadOnlyList<HyperParameterValue>>(points.Count * axis.Values.Count);
            foreach (var point in points)
            {
                foreach (var value in axis.Values)
                {
                    next.Add([.. point, new HyperParameterValue(axis.Name, value)]);
                }
            }

            points = next;
        }

        return points;
    }
}

/// <summary>
/// The label models the CLI and the WRENCH protocol know by name: mv, wmv, ds, dp, metal and fs.
/// </summary>
public static class LabelModelCatalog
{
    // WRENCH's search space (search_space.py): Snorkel/MeTaL lr and l2 over five decades, five epoch counts;
    // the DP generative model uses smaller learning rates.
    private static readonly double[] Decades = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1];
    private static readonly double[] EpochCounts = [5, 10, 50, 100, 200];

    /// <summary>Majority vote (WRENCH vote shares). Ignores class balance.</summary>
    public static LabelModelSpec MajorityVote { get; } = new("mv", nameof(LabelModels.MajorityVote), false, 1, false, [],
        _ => new MajorityVote());

    /// <summary>WRENCH's class-balance-weighted majority vote.</summary>
    public static LabelModelSpec WeightedMajorityVote { get; } = new("wmv", nameof(LabelModels.WeightedMajorityVote), true, 1, false, [],
        s => new WeightedMajorityVote(new WeightedMajorityVoteOptions { ClassBalance = s.ClassBalance }));

    /// <summary>Dawid–Skene EM (WRENCH semantics). Ignores class balance, as WRENCH does.</summary>
    public static LabelModelSpec DawidSkene { get; } = new("ds", nameof(LabelModels.DawidSkene), false, 1, false, [],
        _ => new DawidSkene());

    /// <summary>
    /// Data programming: the conditionally independent accuracy model fitted by EM on the exact marginal likelihood
    /// (WRENCH fits the same model by Gibbs-sampled SGD). WRENCH disables its class-prior factor, so no class balance;
    /// the search is over the L2 pull toward the initial accuracy, the only knob the exact fit has.
    /// </summary>
    public static LabelModelSpec DataProgramming { get; } = new("dp", nameof(LabelModels.DataProgramming), false, 1, false,
        [new("l2", [0, 1e-3, 1e-2, 1e-1, 1])],
        s => new DataProgramming(new DataProgrammingOptions { L2 = s.Get("l2", 0) }));

    /// <summary>Snorkel's LabelModel (WRENCH "MeTaL"); needs at least 3 LFs, as Snorkel does.</summary>
    public static LabelModelSpec MatrixCompletion { get; } = new("metal", nameof(LabelModels.MatrixCompletion), true, 3, true,
        [new("lr", Decades), new("l2", Decades), new("n_epochs", EpochCounts)],
        s => new MatrixCompletion(new MatrixCompletionOptions
        {
            LearningRate = s.Get("lr", 0.01),
            L2 = s.Get("l2", 0),
            Epochs = (int)s.Get("n_epochs", 100),
            ClassBalance = s.ClassBalance,
            Seed = s.Seed,
        }));

    /// <summary>FlyingSquid's triplet method (multiclass: one-vs-rest combined into one posterior); needs 3 LFs.</summary>
    public static LabelModelSpec Triplet { get; } = new("fs", nameof(LabelModels.Triplet), true, 3, false, [],
        s => new Triplet(new TripletOptions { ClassBalance = s.ClassBalance }));

    /// <summary>Every known model, in CLI order.</summary>
    public static IReadOnlyList<LabelModelSpec> All { get; } =
        [MajorityVote, WeightedMajorityVote, DawidSkene, DataProgramming, MatrixCompletion, Triplet];

    /// <summary>The CLI names of <see cref="All"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(s => s.Name).ToArray();

    /// <summary>The spec called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No model has that name.</exception>
    public static LabelModelSpec Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"unknown label model '{name}'; known: {string.Join(", ", Names)}.", nameof(name));
    }
}
