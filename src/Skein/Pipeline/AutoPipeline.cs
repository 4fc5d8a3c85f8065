using Skein.Analysis;
using Skein.Data;
using Skein.EndModels;
using Skein.Evaluation;
using Skein.Labeling;
using Skein.LabelModels;
using Skein.Selection;

namespace Skein.Pipeline;

/// <summary>
/// The whole weak-supervision flow as one call: LFs → label matrix → label model (chosen on dev) → features → end model
/// (model, budget and soft-or-hard labels chosen on dev) → predictions on new items. Start with
/// <see cref="For{T}(IEnumerable{ILabelingFunction{T}}, int, Func{T, string})"/>:
/// <code>
/// var fitted = AutoPipeline.For(lfs, cardinality: 2, text: c => c)
///     .WithDev(devTexts, devGold)
///     .WithSeed(1)
///     .Fit(trainTexts);
/// int[] predicted = fitted.Predict(newTexts);
/// </code>
/// </summary>
public static class AutoPipeline
{
    /// <summary>
    /// A pipeline over items with text: features default to hashed word/char n-gram TF-IDF of
    /// <paramref name="text"/>, sized for the search space's first end model.
    /// </summary>
    /// <exception cref="ArgumentException">No LFs, duplicate names or k outside [2, <see cref="LabelMatrix.MaxCardinality"/>].</exception>
    public static AutoPipelineBuilder<T> For<T>(IEnumerable<ILabelingFunction<T>> labelingFunctions, int cardinality, Func<T, string> text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new AutoPipelineBuilder<T>(labelingFunctions, cardinality, text);
    }

    /// <summary>A pipeline over any items; give the features with <see cref="AutoPipelineBuilder{T}.WithFeatures"/>.</summary>
    /// <exception cref="ArgumentException">No LFs, duplicate names or k outside [2, <see cref="LabelMatrix.MaxCardinality"/>].</exception>
    public static AutoPipelineBuilder<T> For<T>(IEnumerable<ILabelingFunction<T>> labelingFunctions, int cardinality) =>
        new(labelingFunctions, cardinality, null);
}

/// <summary>
/// An immutable description of an <see cref="AutoPipeline"/> run: every <c>With…</c> returns a new builder, and
/// <see cref="Fit"/> may be called any number of times.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class AutoPipelineBuilder<T>
{
    private readonly ILabelingFunction<T>[] _lfs;
    private readonly Func<T, string>? _text;
    private (string Name, IFeaturizer<T> Featurizer)[] _features = [];
    private IReadOnlyList<T>? _dev;
    private int[]? _devGold;

    internal AutoPipelineBuilder(IEnumerable<ILabelingFunction<T>> labelingFunctions, int cardinality, Func<T, string>? text)
    {
        ArgumentNullException.ThrowIfNull(labelingFunctions);
        _lfs = [.. labelingFunctions];
        if (_lfs.Length == 0 || _lfs.Any(lf => lf is null))
        {
            throw new ArgumentException("Give at least one labeling function, none null.", nameof(labelingFunctions));
        }

        if (_lfs.GroupBy(lf => lf.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new ArgumentException($"Two labeling functions are named '{duplicate.Key}'; names must be unique.", nameof(labelingFunctions));
        }

        new OptionChecks(nameof(AutoPipeline), nameof(cardinality)).InRange(cardinality, 2, LabelMatrix.MaxCardinality);
        Cardinality = cardinality;
        _text = text;
    }

    /// <summary>Number of classes, k.</summary>
    public int Cardinality { get; }

    /// <summary>The labeling functions, in column order.</summary>
    public IReadOnlyList<ILabelingFunction<T>> LabelingFunctions => _lfs;

    /// <summary>What is searched (default: <see cref="SearchSpace"/>'s defaults).</summary>
    public SearchSpace Space { get; private init; } = new();

    /// <summary>The seed of every fit; null picks one at fit time and records it on the fitted pipeline.</summary>
    public int? Seed { get; private init; }

    /// <summary>How the LFs are applied; null = defaults.</summary>
    public ApplyOptions? ApplyOptions { get; private init; }

    /// <summary>Gold-labelled dev items: every choice is scored on them (never trained on, except as early-stopping data).</summary>
    /// <exception cref="ArgumentException">Counts differ, no items, or a label outside [0, k).</exception>
    public AutoPipelineBuilder<T> WithDev(IReadOnlyList<T> items, IReadOnlyList<int> gold)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(gold);
        if (items.Count == 0 || items.Count != gold.Count)
        {
            throw new ArgumentException($"{items.Count} dev items and {gold.Count} dev labels; give at least one item and one label per item.", nameof(gold));
        }

        int bad = Enumerable.Range(0, gold.Count).FirstOrDefault(i => gold[i] < 0 || gold[i] >= Cardinality, -1);
        if (bad >= 0)
        {
            throw new ArgumentException($"Dev label {gold[bad]} of item {bad} is outside [0, {Cardinality}).", nameof(gold));
        }

        var copy = Clone();
        copy._dev = [.. items];
        copy._devGold = [.. gold];
        return copy;
    }

    /// <summary>Replaces the search space.</summary>
    /// <exception cref="ArgumentException">The space is invalid (the message names the option).</exception>
    public AutoPipelineBuilder<T> WithSearchSpace(SearchSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        var copy = Clone(space.Validate());
        return copy;
    }

    /// <summary>Adds a feature view to search over; the first call replaces the default TF-IDF view.</summary>
    public AutoPipelineBuilder<T> WithFeatures(string name, IFeaturizer<T> featurizer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(featurizer);
        var copy = Clone();
        copy._features = [.. _features, (name, featurizer)];
        return copy;
    }

    /// <summary>Sets the seed of every fit.</summary>
    public AutoPipelineBuilder<T> WithSeed(int? seed) => Clone(seed: seed, setSeed: true);

    /// <summary>Sets how the LFs are applied (parallelism, fault policy).</summary>
    public AutoPipelineBuilder<T> WithApplyOptions(ApplyOptions? options) => new(this) { ApplyOptions = options };

    /// <summary>Applies the LFs to <paramref name="items"/> and runs the <see cref="ModelSelector"/> on them and the dev items.</summary>
    /// <param name="items">Unlabelled train items.</param>
    /// <param name="progress">One report per candidate scored.</param>
    /// <param name="cancellationToken">Checked while the LFs are applied.</param>
    /// <exception cref="ArgumentException">No items, or no LF voted on any item.</exception>
    /// <exception cref="InvalidOperationException">No feature view: the builder has no text selector and no <see cref="WithFeatures"/>.</exception>
    public FittedPipeline<T> Fit(IReadOnlyList<T> items, IProgress<SelectionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            throw new ArgumentException("The pipeline needs at least one train item.", nameof(items));
        }

        int seed = Seed ?? Random.Shared.Next();
        var views = _features.Length > 0 ? _features
            : _text is { } text ? [("tfidf", Featurizer.TfIdf(text, Space.EndModels[0].TfIdfOptions))]
            : throw new InvalidOperationException("No features: use AutoPipeline.For with a text selector, or call WithFeatures.");
        var applier = new LabelingFunctionApplier<T>(_lfs, Cardinality, ApplyOptions);
        var train = applier.Apply(items, cancellationToken).Matrix;
        var dev = _dev is null ? null : applier.Apply(_dev, cancellationToken).Matrix;

        // Featurizers are fitted on the train items only (all of them: IDF needs no labels).
        var fitted = views.Select(v => (v.Name, Fitted: v.Featurizer.Fit(items))).ToArray();
        var sets = fitted.Select(f => new FeatureSet(f.Name, f.Fitted.Transform(items),
            _dev is null ? f.Fitted.Transform(items.Take(1).ToArray()) : f.Fitted.Transform(_dev))).ToArray();
        var selection = new ModelSelector(Space).Select(train, dev, _devGold, sets, seed, progress);
        var featurizer = fitted.First(f => f.Name == selection.Features).Fitted;
        return new FittedPipeline<T>(_lfs, Cardinality, ApplyOptions, seed, train, selection, featurizer, Space.Metric);
    }

    private AutoPipelineBuilder(AutoPipelineBuilder<T> from)
    {
        _lfs = from._lfs;
        _text = from._text;
        _features = from._features;
        _dev = from._dev;
        _devGold = from._devGold;
        Cardinality = from.Cardinality;
        Space = from.Space;
        Seed = from.Seed;
        ApplyOptions = from.ApplyOptions;
    }

    private AutoPipelineBuilder<T> Clone(SearchSpace? space = null, int? seed = null, bool setSeed = false) => new(this)
    {
        Space = space ?? Space,
        Seed = setSeed ? seed : Seed,
    };
}

/// <summary>A label model's score on labelled items.</summary>
/// <param name="Name">The candidate's name.</param>
/// <param name="Score">Its score (the search's metric).</param>
public sealed record NamedScore(string Name, double Score);

/// <summary>A fitted pipeline's scores on gold-labelled items, with the probabilities behind them.</summary>
/// <param name="Matrix">The LFs' votes on the items.</param>
/// <param name="LabelModels">Every fitted label-model candidate's score, in search order.</param>
/// <param name="LabelModel">The chosen label model's score.</param>
/// <param name="EndModel">The end model's score.</param>
/// <param name="LabelModelProbabilities">The chosen label model's probabilities.</param>
/// <param name="EndModelProbabilities">The end model's probabilities.</param>
public sealed record PipelineEvaluation(LabelMatrix Matrix, IReadOnlyList<NamedScore> LabelModels, double LabelModel, double EndModel,
    ProbabilisticLabels LabelModelProbabilities, ProbabilisticLabels EndModelProbabilities);

/// <summary>
/// The result of <see cref="AutoPipelineBuilder{T}.Fit"/>: the chosen label model, fitted featurizer and end model, the
/// selection table, and predictions on new items. Immutable; safe to predict with from several threads.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class FittedPipeline<T>
{
    private readonly ILabelingFunction<T>[] _lfs;
    private readonly ApplyOptions? _applyOptions;
    private readonly SelectionMetric _metric;

    internal FittedPipeline(ILabelingFunction<T>[] lfs, int cardinality, ApplyOptions? applyOptions, int seed, LabelMatrix trainMatrix,
        SelectionResult selection, IFittedFeaturizer<T> featurizer, SelectionMetric metric)
    {
        _lfs = lfs;
        _applyOptions = applyOptions;
        _metric = metric;
        Cardinality = cardinality;
        Seed = seed;
        TrainMatrix = trainMatrix;
        Selection = selection;
        Featurizer = featurizer;
    }

    /// <summary>Number of classes, k.</summary>
    public int Cardinality { get; }

    /// <summary>The seed every candidate was fitted with (the given one, or the one picked at fit time).</summary>
    public int Seed { get; }

    /// <summary>The labeling functions, in column order.</summary>
    public IReadOnlyList<ILabelingFunction<T>> LabelingFunctions => _lfs;

    /// <summary>The LFs' votes on the train items.</summary>
    public LabelMatrix TrainMatrix { get; }

    /// <summary>Everything the search tried and chose.</summary>
    public SelectionResult Selection { get; }

    /// <summary>Every candidate's dev score, in search order.</summary>
    public IReadOnlyList<CandidateScore> Table => Selection.Table;

    /// <summary>The chosen label model's name.</summary>
    public string LabelModelName => Selection.LabelModel.Name;

    /// <summary>The chosen label model, fitted on the train votes.</summary>
    public LabelModel LabelModel => Selection.LabelModel.Model;

    /// <summary>The featurizer fitted on the train items.</summary>
    public IFittedFeaturizer<T> Featurizer { get; }

    /// <summary>The chosen end model.</summary>
    public EndModel EndModel => Selection.EndModel;

    /// <summary>Applies the LFs to <paramref name="items"/>.</summary>
    public LabelMatrix Apply(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return new LabelingFunctionApplier<T>(_lfs, Cardinality, _applyOptions).Apply(items).Matrix;
    }

    /// <summary>The chosen label model's probabilities for <paramref name="items"/> (from the LF votes; uncovered rows get the prior).</summary>
    public ProbabilisticLabels LabelProba(IReadOnlyList<T> items) => LabelModel.PredictProba(Apply(items));

    /// <summary>The end model's probabilities for <paramref name="items"/> (n×k; needs no LF to vote).</summary>
    public ProbabilisticLabels PredictProba(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return EndModel.PredictProba(Featurizer.Transform(items));
    }

    /// <summary>The end model's class for each item.</summary>
    public int[] Predict(IReadOnlyList<T> items) => PredictProba(items).ArgMax();

    /// <summary>Scores every fitted label model and the end model on gold-labelled items (the search's metric).</summary>
    /// <exception cref="ArgumentException">Counts differ or a label is outside [0, k).</exception>
    public PipelineEvaluation Evaluate(IReadOnlyList<T> items, IReadOnlyList<int> gold)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(gold);
        if (items.Count != gold.Count || items.Count == 0 || gold.Any(y => y < 0 || y >= Cardinality))
        {
            throw new ArgumentException($"Give one gold label in [0, {Cardinality}) per item ({items.Count} items, {gold.Count} labels).", nameof(gold));
        }

        var matrix = Apply(items);
        double Score(IReadOnlyList<int> predicted) => _metric == SelectionMetric.F1 ? Metrics.BinaryF1(gold, predicted) : Metrics.Accuracy(gold, predicted);
        var labelModels = Selection.LabelModels
            .Select(t => new NamedScore(t.Name, Score(TieBreaking.ProbsToPreds(t.Model.PredictProba(matrix), TieBreakPolicy.Random))))
            .ToArray();
        var lmProbabilities = LabelModel.PredictProba(matrix);
        var endProbabilities = PredictProba(items);
        return new PipelineEvaluation(matrix, labelModels, Score(TieBreaking.ProbsToPreds(lmProbabilities, TieBreakPolicy.Random)),
            Score(endProbabilities.ArgMax()), lmProbabilities, endProbabilities);
    }

    /// <summary>LF statistics on the train votes (no gold: train labels are never used).</summary>
    public LabelMatrixSummary TrainSummary() => LabelMatrixSummary.Create(TrainMatrix, null);
}
