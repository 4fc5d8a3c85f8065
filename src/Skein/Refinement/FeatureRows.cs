namespace Skein.Refinement;

/// <summary>Checks of the dense feature rows the refiners take.</summary>
internal static class FeatureRows
{
    /// <summary>
    /// Checks that there is one finite row per label row, all of the same width, and copies them into one row-major
    /// float64 array (n×d), L2-normalised when asked.
    /// </summary>
    public static double[] Pack(IReadOnlyList<float[]> features, int expectedRows, bool normalise, out int dimension)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Count != expectedRows)
        {
            throw new ArgumentException($"{features.Count} feature rows but {expectedRows} label rows.", nameof(features));
        }

        if (expectedRows == 0)
        {
            throw new ArgumentException("No rows to refine.", nameof(features));
        }

        dimension = features[0]?.Length ?? 0;
        if (dimension == 0)
        {
            throw new ArgumentException("Feature row 0 is empty or null.", nameof(features));
        }

        var packed = new double[checked(expectedRows * dimension)];
        for (int i = 0; i < expectedRows; i++)
        {
            var row = features[i];
            if (row is null || row.Length != dimension)
            {
                throw new ArgumentException($"Feature row {i} has {row?.Length ?? 0} columns; row 0 has {dimension}.", nameof(features));
            }

            double norm = 0;
            for (int j = 0; j < dimension; j++)
            {
                if (!float.IsFinite(row[j]))
                {
                    throw new ArgumentException($"Feature row {i}, column {j} is {row[j]}; features must be finite.", nameof(features));
                }

                packed[(i * dimension) + j] = row[j];
                norm += (double)row[j] * row[j];
            }

            if (normalise && norm > 0)
            {
                double scale = 1 / Math.Sqrt(norm);
                for (int j = 0; j < dimension; j++)
                {
                    packed[(i * dimension) + j] *= scale;
                }
            }
        }

        return packed;
    }

    public static void CheckCovered(IReadOnlyList<bool>? covered, int rows)
    {
        if (covered is not null && covered.Count != rows)
        {
            throw new ArgumentException($"{covered.Count} coverage flags but {rows} label rows.", nameof(covered));
        }
    }
}
