using Skein.Data;
using Skein.EndModels;
using Skein.Features;

namespace Skein.Training;

/// <summary>
/// Out-of-sample predicted probabilities by stratified K-fold cross-validation: every row is predicted by a model
/// that never saw it, which is what <see cref="ConfidentLearning"/> needs.
/// </summary>
public static class CrossValidation
{
    /// <summary>Cross-validated probabilities for hard labels (trained on one-hot targets).</summary>
    /// <param name="trainer">Makes a fresh trainer for each fold (called once per fold, in fold order).</param>
    /// <param name="features">n×d features.</param>
    /// <param name="labels">Class of every row, in [0, <paramref name="cardinality"/>).</param>
    /// <param name="cardinality">Number of classes k, at least 2.</param>
    /// <param name="folds">Number of folds, at least 2; every class present must have at least this many rows.</param>
    /// <param name="seed">Seed of the fold assignment.</param>
    /// <returns>n×k probabilities, row i from the model of the fold that held row i out.</returns>
    /// <exception cref="ArgumentException">Mismatched rows, a label out of range, fewer than 2 folds, or a class with fewer rows than folds.</exception>
    public static ProbabilisticLabels Probabilities(Func<IEndModelTrainer> trainer, FeatureMatrix features, IReadOnlyList<int> labels,
        int cardinality, int folds, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(cardinality, 2);
        var values = new double[checked(labels.Count * cardinality)];
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0 || labels[i] >= cardinality)
            {
                throw new ArgumentException($"Label {labels[i]} of row {i} is outside [0, {cardinality}).", nameof(labels));
            }

            values[(i * cardinality) + labels[i]] = 1;
        }

        return Run(trainer, features, ProbabilisticLabels.Wrap(values, cardinality), [.. labels], folds, seed);
    }

    /// <summary>Cross-validated probabilities for soft labels: folds are stratified by each row's most probable class, models train on the soft labels.</summary>
    /// <param name="trainer">Makes a fresh trainer for each fold (called once per fold, in fold order).</param>
    /// <param name="features">n×d features.</param>
    /// <param name="labels">n×k soft labels.</param>
    /// <param name="folds">Number of folds, at least 2; every argmax class present must have at least this many rows.</param>
    /// <param name="seed">Seed of the fold assignment.</param>
    /// <exception cref="ArgumentException">Mismatched rows, fewer than 2 folds, or a class with fewer rows than folds.</exception>
    public static ProbabilisticLabels Probabilities(Func<IEndModelTrainer> trainer, FeatureMatrix features, ProbabilisticLabels labels,
        int folds, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return Run(trainer, features, labels, labels.ArgMax(), folds, seed);
    }

    /// <summary>
    /// Stratified fold of every row: each class's rows are shuffled (seeded) and dealt round-robin to the folds,
    /// continuing where the previous class stopped, so folds differ in size by at most one row.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 2 folds, or a class with fewer rows than folds.</exception>
    public static int[] StratifiedFolds(IReadOnlyList<int> strata, int folds, int seed)
    {
        ArgumentNullException.ThrowIfNull(strata);
        if (folds < 2)
        {
            throw new ArgumentException($"Cross-validation needs at least 2 folds, not {folds}.", nameof(folds));
        }

        var random = new Random(seed);
        var assignment = new int[strata.Count];
        int next = 0;
        foreach (var group in Enumerable.Range(0, strata.Count).GroupBy(i => strata[i]).OrderBy(g => g.Key))
        {
            var rows = group.ToArray();
            if (rows.Length < folds)
            {
                throw new ArgumentException(
                    $"Class {group.Key} has {rows.Length} row(s), fewer than the {folds} folds; every class needs at least one row per fold.",
                    nameof(strata));
            }

            for (int i = rows.Length - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (rows[i], rows[j]) = (rows[j], rows[i]);
            }

            foreach (int row in rows)
            {
                assignment[row] = next;
                next = (next + 1) % folds;
            }
        }

        return assignment;
    }

    private static ProbabilisticLabels Run(Func<IEndModelTrainer> trainer, FeatureMatrix features, ProbabilisticLabels labels, int[] strata,
        int folds, int seed)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(features);
        int n = features.RowCount, k = labels.Cardinality;
        if (labels.RowCount != n)
        {
            throw new ArgumentException($"The labels have {labels.RowCount} rows but the features have {n}.", nameof(labels));
        }

        var fold = StratifiedFolds(strata, folds, seed);
        var output = new double[n * k];
        for (int f = 0; f < folds; f++)
        {
            var train = Enumerable.Range(0, n).Where(i => fold[i] != f).ToArray();
            var held = Enumerable.Range(0, n).Where(i => fold[i] == f).ToArray();
            var trainLabels = new double[train.Length * k];
            for (int r = 0; r < train.Length; r++)
            {
                labels.Row(train[r]).CopyTo(trainLabels.AsSpan(r * k, k));
            }

            var model = trainer().Fit(features.SelectRows(train), ProbabilisticLabels.Wrap(trainLabels, k));
            var predicted = model.PredictProba(features.SelectRows(held));
            for (int r = 0; r < held.Length; r++)
            {
                predicted.Row(r).CopyTo(output.AsSpan(held[r] * k, k));
            }
        }

        return ProbabilisticLabels.Wrap(output, k);
    }
}
