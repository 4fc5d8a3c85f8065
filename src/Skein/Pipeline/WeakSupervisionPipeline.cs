using Skein.Analysis;
using Skein.Data;
using Skein.EndModels;
using Skein.Labeling;
using Skein.LabelModels;

namespace Skein.Pipeline;

/// <summary>
/// Items → labeling functions → label model → (optionally drop rows no LF covers) → features → end model.
/// Immutable and reusable: every <see cref="Run"/> fits fresh models. Build one with <see cref="Builder"/>.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class WeakSupervisionPipeline<T>
{
    private readonly ILabelingFunction<T>[] _lfs;

    private WeakSupervisionPipeline(Builder b)
    {
        _lfs = [.. b.Lfs];
        Cardinality = b.CardinalityValue!.Value;
        LabelModelTrainer = b.LabelModelTrainerValue!;
        Featurizer = b.FeaturizerValue!;
        EndModelTrainer = b.EndModelTrainerValue!;
        DropUncovered = b.DropUncoveredValue;
        ApplyOptions = b.ApplyOptionsValue;
    }

    /// <summary>Number of classes, k.</summary>
    public int Cardinality { get; }

    /// <summary>The labeling functions, in column order.</summary>
    public IReadOnlyList<ILabelingFunction<T>> LabelingFunctions => _lfs;

    /// <summary>Fits the label model.</summary>
    public ILabelModelTrainer LabelModelTrainer { get; }

    /// <summary>Featurizes items for the end model.</summary>
    public IFeaturizer<T> Featurizer { get; }

    /// <summary>Fits the end model on the label model's probabilities.</summary>
    public IEndModelTrainer EndModelTrainer { get; }

    /// <summary>Whether rows on which every LF abstained are left out of the end model's training.</summary>
    public bool DropUncovered { get; }

    /// <summary>How the LFs are applied (parallelism, fault policy).</summary>
    public ApplyOptions? ApplyOptions { get; }

    /// <summary>Runs every stage on <paramref name="items"/>.</summary>
    /// <param name="items">The unlabeled items.</param>
    /// <param name="gold">Optional gold labels, one per item (-1 = unknown), for <see cref="PipelineResult{T}.Metrics"/>
    /// and the LF summary's accuracies. Never used for training.</param>
    /// <param name="cancellationToken">Checked while the LFs are applied.</param>
    /// <exception cref="ArgumentException">No items, gold of another length or outside [-1, k), or every row uncovered when dropping.</exception>
    public PipelineResult<T> Run(IReadOnlyList<T> items, IReadOnlyList<int>? gold = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            throw new ArgumentException("The pipeline needs at least one item.", nameof(items));
        }

        if (gold is not null)
        {
            if (gold.Count != items.Count)
            {
                throw new ArgumentException($"{gold.Count} gold labels for {items.Count} items; they must match one to one.", nameof(gold));
            }

            int bad = gold.ToList().FindIndex(y => y < -1 || y >= Cardinality);
            if (bad >= 0)
            {
                throw new ArgumentException($"Gold label {gold[bad]} of item {bad} is outside [-1, {Cardinality}).", nameof(gold));
            }
        }

        var apply = new LabelingFunctionApplier<T>(_lfs, Cardinality, ApplyOptions).Apply(items, cancellationToken);
        var matrix = apply.Matrix;
        var summary = LabelMatrixSummary.Create(matrix, gold);
        var labelModel = LabelModelTrainer.Fit(matrix);
        var probabilities = labelModel.PredictProba(matrix);

        var covered = matrix.CoveredRows();
        int[] rows = DropUncovered
            ? [.. Enumerable.Range(0, matrix.RowCount).Where(i => covered[i])]
            : [.. Enumerable.Range(0, matrix.RowCount)];
        if (rows.Length == 0)
        {
            throw new ArgumentException("No LF voted on any item, so no row is left to train the end model on.", nameof(items));
        }

        // The featurizer is fitted on the end model's training rows only, as it would be in production.
        var trainItems = rows.Length == items.Count ? items : rows.Select(i => items[i]).ToArray();
        var featurizer = Featurizer.Fit(trainItems);
        var trainFeatures = featurizer.Transform(trainItems);
        var trainLabels = rows.Length == items.Count ? probabilities : probabilities.SelectRows(rows);
        var endModel = EndModelTrainer.Fit(trainFeatures, trainLabels);

        PipelineMetrics? metrics = null;
        if (gold is not null)
        {
            var all = rows.Length == items.Count ? trainFeatures : featurizer.Transform(items);
            metrics = Score(gold, probabilities.ArgMax(), endModel.Predict(all), covered);
        }

        return new PipelineResult<T>(apply, summary, labelModel, probabilities, rows, featurizer, endModel, metrics);
    }


    private static PipelineMetrics? Score(IReadOnlyList<int> gold, int[] labelModel, int[] endModel, bool[] covered)
    {
        int known = 0, lmCorrect = 0, emCorrect = 0, coveredKnown = 0, coveredCorrect = 0;
        for (int i = 0; i < gold.Count; i++)
        {
            if (gold[i] < 0)
            {
                continue;
            }

            known++;
            lmCorrect += labelModel[i] == gold[i] ? 1 : 0;
            emCorrect += endModel[i] == gold[i] ? 1 : 0;
            if (covered[i])
            {
                coveredKnown++;
                coveredCorrect += labelModel[i] == gold[i] ? 1 : 0;
            }
        }

        return known == 0
            ? null
            : new PipelineMetrics((double)lmCorrect / known, (double)emCorrect / known,
                coveredKnown == 0 ? null : (double)coveredCorrect / coveredKnown, known);
    }

    /// <summary>Collects and validates the stages of a <see cref="WeakSupervisionPipeline{T}"/>.</summary>
    public sealed class Builder
    {
        internal List<ILabelingFunction<T>> Lfs { get; } = [];

        internal int? CardinalityValue { get; private set; }

        internal ILabelModelTrainer? LabelModelTrainerValue { get; private set; }

        internal IFeaturizer<T>? FeaturizerValue { get; private set; }

        internal IEndModelTrainer? EndModelTrainerValue { get; private set; }

        internal bool DropUncoveredValue { get; private set; }

        internal ApplyOptions? ApplyOptionsValue { get; private set; }

        /// <summary>Sets the number of classes, k (2 ≤ k ≤ <see cref="LabelMatrix.MaxCardinality"/>).</summary>
        public Builder WithCardinality(int cardinality)
        {
            if (cardinality < 2 || cardinality > LabelMatrix.MaxCardinality)
            {
                throw new ArgumentOutOfRangeException(nameof(cardinality), cardinality, $"The cardinality must be in [2, {LabelMatrix.MaxCardinality}].");
            }

            CardinalityValue = cardinality;
            return this;
        }

        /// <summary>Adds labeling functions (names must be unique; checked by <see cref="Build"/>).</summary>
        public Builder AddLabelingFunctions(params IEnumerable<ILabelingFunction<T>> lfs)
        {
            ArgumentNullException.ThrowIfNull(lfs);
            foreach (var lf in lfs)
            {
                Lfs.Add(lf ?? throw new ArgumentException("A labeling function is null.", nameof(lfs)));
            }

            return this;
        }

        /// <summary>Sets the label model trainer.</summary>
        public Builder WithLabelModel(ILabelModelTrainer trainer)
        {
            LabelModelTrainerValue = trainer ?? throw new ArgumentNullException(nameof(trainer));
            return this;
        }

        /// <summary>Sets the featurizer (see <see cref="Pipeline.Featurizer"/>).</summary>
        public Builder WithFeaturizer(IFeaturizer<T> featurizer)
        {
            FeaturizerValue = featurizer ?? throw new ArgumentNullException(nameof(featurizer));
            return this;
        }

        /// <summary>Sets a stateless featurizer from a function.</summary>
        public Builder WithFeaturizer(Func<IReadOnlyList<T>, Skein.Features.FeatureMatrix> featurize) =>
            WithFeaturizer(Pipeline.Featurizer.FromFunction(featurize));

        /// <summary>Sets the end model trainer.</summary>
        public Builder WithEndModel(IEndModelTrainer trainer)
        {
            EndModelTrainerValue = trainer ?? throw new ArgumentNullException(nameof(trainer));
            return this;
        }

        /// <summary>Whether rows on which every LF abstained are left out of the end model's training (default false).</summary>
        public Builder DropUncoveredRows(bool drop = true)
        {
            DropUncoveredValue = drop;
            return this;
        }

        /// <summary>How the LFs are applied; null = <see cref="Labeling.ApplyOptions"/> defaults.</summary>
        public Builder WithApplyOptions(ApplyOptions? options)
        {
            ApplyOptionsValue = options;
            return this;
        }

        /// <summary>Checks that every stage is set and returns the immutable pipeline.</summary>
        /// <exception cref="InvalidOperationException">A stage is missing; the message names it.</exception>
        /// <exception cref="ArgumentException">Two LFs share a name.</exception>
        public WeakSupervisionPipeline<T> Build()
        {
            if (CardinalityValue is null)
            {
                throw new InvalidOperationException("Pipeline stage missing: cardinality (call WithCardinality).");
            }

            if (Lfs.Count == 0)
            {
                throw new InvalidOperationException("Pipeline stage missing: labeling functions (call AddLabelingFunctions).");
            }

            var duplicate = Lfs.GroupBy(lf => lf.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                throw new ArgumentException($"Two labeling functions are named '{duplicate.Key}'; names must be unique.");
            }

            if (LabelModelTrainerValue is null)
            {
                throw new InvalidOperationException("Pipeline stage missing: label model (call WithLabelModel).");
            }

            if (FeaturizerValue is null)
            {
                throw new InvalidOperationException("Pipeline stage missing: featurizer (call WithFeaturizer).");
            }

            if (EndModelTrainerValue is null)
            {
                throw new InvalidOperationException("Pipeline stage missing: end model (call WithEndModel).");
            }

            return new WeakSupervisionPipeline<T>(this);
        }
    }
}
