using Skein.IO;
using Skein.LabelModels;

namespace Skein.Features;

/// <summary>
/// Trainer for per-column standardisation of dense tabular features: <see cref="Fit(DenseMatrix)"/> learns every column's mean
/// and (population) standard deviation; the fitted <see cref="StandardizerModel"/> maps x to (x − mean)/std.
/// </summary>
public static class Standardizer
{
    /// <summary>Fits the column means and standard deviations (in double precision).</summary>
    /// <exception cref="ArgumentException">The matrix has no rows.</exception>
    public static StandardizerModel Fit(DenseMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.RowCount == 0)
        {
            throw new ArgumentException("Cannot fit a standardizer to a matrix with no rows.", nameof(features));
        }

        int n = features.RowCount, d = features.ColumnCount;
        var mean = new double[d];
        var m2 = new double[d];
        // Welford's update: stable for columns with a large offset.
        for (int i = 0; i < n; i++)
        {
            var row = features.Row(i);
            for (int j = 0; j < d; j++)
            {
                double delta = row[j] - mean[j];
                mean[j] += delta / (i + 1);
                m2[j] += delta * (row[j] - mean[j]);
            }
        }

        var std = new double[d];
        for (int j = 0; j < d; j++)
        {
            std[j] = Math.Sqrt(m2[j] / n);
        }

        return new StandardizerModel(mean, std);
    }

    /// <summary>Fits on raw rows of doubles (e.g. tabular columns).</summary>
    /// <exception cref="ArgumentException">No rows, ragged rows, or a value (named by 0-based row and column) is NaN or infinite.</exception>
    public static StandardizerModel Fit(IReadOnlyList<double[]> rows) => Fit(DenseMatrix.FromRows(rows));
}

/// <summary>Fitted column means and standard deviations. Immutable and thread-safe.</summary>
public sealed class StandardizerModel
{
    /// <summary>The value of the "format" field of a saved standardizer.</summary>
    public const string FormatName = "skein.standardizer";

    /// <summary>The version of the saved format this build writes and reads.</summary>
    public const int FormatVersion = 1;

    private readonly double[] _mean;
    private readonly double[] _std;

    internal StandardizerModel(double[] mean, double[] std)
    {
        _mean = mean;
        _std = std;
    }

    /// <summary>Number of columns.</summary>
    public int ColumnCount => _mean.Length;

    /// <summary>Column means.</summary>
    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>Column population standard deviations; a constant column has 0 and is only centred.</summary>
    public ReadOnlySpan<double> StandardDeviation => _std;

    /// <summary>(x − mean)/std per column (std 0 → x − mean).</summary>
    /// <exception cref="ArgumentException">The column count differs from the fitted one, or a result overflows float.</exception>
    public DenseMatrix Transform(DenseMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        int d = ColumnCount;
        if (features.ColumnCount != d)
        {
            throw new ArgumentException($"The standardizer was fitted on {d} columns; the matrix has {features.ColumnCount}.", nameof(features));
        }

        var output = new float[features.RowCount * d];
        for (int i = 0; i < features.RowCount; i++)
        {
            var row = features.Row(i);
            for (int j = 0; j < d; j++)
            {
                float z = (float)((row[j] - _mean[j]) / (_std[j] > 0 ? _std[j] : 1));
                if (!float.IsFinite(z))
                {
                    throw new ArgumentException($"Feature at row {i}, column {j} standardises to {z}.", nameof(features));
                }

                output[(i * d) + j] = z;
            }
        }

        return DenseMatrix.Wrap(output, features.RowCount, d);
    }

    /// <summary>Standardises raw rows of doubles.</summary>
    /// <exception cref="ArgumentException">Ragged rows, a wrong column count, or a value (named by 0-based row and
    /// column) is NaN or infinite.</exception>
    public DenseMatrix Transform(IReadOnlyList<double[]> rows) => Transform(DenseMatrix.FromRows(rows, ColumnCount));

    /// <summary>Writes the means and deviations as versioned JSON (shortest round-trip doubles: a load is exact).</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = ModelJson.WriteHeader(stream, FormatName, FormatVersion);
        writer.WriteNumber("columnCount", ColumnCount);
        ModelJson.WriteDoubles(writer, "mean", _mean);
        ModelJson.WriteDoubles(writer, "standardDeviation", _std);
        writer.WriteEndObject();
    }

    /// <summary>Reads a standardizer written by <see cref="Save"/>.</summary>
    /// <exception cref="DataFormatException">The JSON is malformed, of another format or version, or inconsistent.</exception>
    public static StandardizerModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ModelJson.Read(() => LoadCore(stream));
    }

    private static StandardizerModel LoadCore(Stream stream)
    {
        using var document = ModelJson.ParseHeader(stream, FormatName, FormatVersion);
        var root = document.RootElement;
        int d = ModelJson.GetInt(root, "columnCount");
        if (d < 1)
        {
            throw new DataFormatException("'columnCount' must be at least 1.", column: "columnCount");
        }

        return new StandardizerModel(
            ModelJson.GetDoubles(root, "mean", d, double.MinValue),
            ModelJson.GetDoubles(root, "standardDeviation", d));
    }
}
