using Skein.Data;
using Skein.Features;

namespace Skein.EndModels;

/// <summary>Validated training inputs, with the validation split (explicit or carved out by a seeded shuffle).</summary>
internal sealed class TrainingData
{
    private TrainingData(FeatureMatrix features, ProbabilisticLabels labels, double[] weights, ValidationSet? validation)
    {
        Features = features;
        Labels = labels;
        Weights = weights;
        WeightSum = weights.Sum();
        Validation = validation;
    }

    public FeatureMatrix Features { get; }

    public ProbabilisticLabels Labels { get; }

    public double[] Weights { get; }

    public double WeightSum { get; }

    public ValidationSet? Validation { get; }

    public int RowCount => Features.RowCount;

    public static TrainingData Prepare(string model, FeatureMatrix features, ProbabilisticLabels labels, IReadOnlyList<double>? weights,
        ValidationSet? validation, double validationFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        int n = features.RowCount;
        if (n == 0)
        {
            throw new ArgumentException($"Cannot fit {model} on a feature matrix with no rows.", nameof(features));
        }

        if (labels.RowCount != n)
        {
            throw new ArgumentException($"The labels have {labels.RowCount} rows but the features have {n}.", nameof(labels));
        }

        var w = new double[n];
        if (weights is null)
        {
            Array.Fill(w, 1.0);
        }
        else
        {
            if (weights.Count != n)
            {
                throw new ArgumentException($"There are {weights.Count} weights for {n} rows.", nameof(weights));
            }

            for (int i = 0; i < n; i++)
            {
                w[i] = weights[i];
                if (!double.IsFinite(w[i]) || w[i] < 0)
                {
                    throw new ArgumentException($"Weight of row {i} is {w[i]}; weights must be finite and ≥ 0.", nameof(weights));
                }
            }
        }

        if (validation is not null)
        {
            if (validationFraction > 0)
            {
                throw new ArgumentException(
                    $"Both an explicit validation set and ValidationFraction = {validationFraction} were given; use one.", nameof(validation));
            }

            if (validation.Features.RowCount == 0 || validation.Features.RowCount != validation.Labels.RowCount
                || validation.Features.ColumnCount != features.ColumnCount || validation.Labels.Cardinality != labels.Cardinality)
            {
                throw new ArgumentException(
                    $"The validation set must be non-empty with as many label rows as feature rows, {features.ColumnCount} " +
                    $"features and {labels.Cardinality} classes.", nameof(validation));
            }
        }
        else if (validationFraction > 0)
        {
            if (n < 2)
            {
                throw new ArgumentException("A validation fraction needs at least 2 rows.", nameof(features));
            }

            // Seeded Fisher–Yates shuffle; both parts keep their original row order.
            var order = FeatureMatrix.AllRows(n);
            var random = new Random(seed);
            for (int i = n - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }

            int nVal = Math.Clamp((int)Math.Round(n * validationFraction), 1, n - 1);
            var valRows = order[..nVal];
            var trainRows = order[nVal..];
            Array.Sort(valRows);
            Array.Sort(trainRows);
            validation = new ValidationSet(features.SelectRows(valRows), labels.SelectRows(valRows));
            features = features.SelectRows(trainRows);
            labels = labels.SelectRows(trainRows);
            w = [.. trainRows.Select(i => w[i])];
        }

        if (!(w.Sum() > 0))
        {
            throw new ArgumentException("The training rows' weights are all 0.", nameof(weights));
        }

        return new TrainingData(features, labels, w, validation);
    }

}
