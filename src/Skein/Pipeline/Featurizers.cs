using Skein.Features;

namespace Skein.Pipeline;

/// <summary>Turns items into features; <see cref="Fit"/> learns what it needs (e.g. IDF weights) from the training items.</summary>
/// <typeparam name="T">The item type.</typeparam>
public interface IFeaturizer<in T>
{
    /// <summary>Learns from the training items and returns a featurizer that can transform any items.</summary>
    IFittedFeaturizer<T> Fit(IReadOnlyList<T> items);
}

/// <summary>A fitted featurizer: immutable, applies the same mapping to training and new items.</summary>
/// <typeparam name="T">The item type.</typeparam>
public interface IFittedFeaturizer<in T>
{
    /// <summary>One feature row per item, in order.</summary>
    FeatureMatrix Transform(IReadOnlyList<T> items);
}

/// <summary>Ready-made featurizers.</summary>
public static class Featurizer
{
    /// <summary>A stateless featurizer from a function (e.g. sentence embeddings): fitting learns nothing.</summary>
    public static IFeaturizer<T> FromFunction<T>(Func<IReadOnlyList<T>, FeatureMatrix> transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        return new FunctionFeaturizer<T>(transform);
    }

    /// <summary>Hashed word and character n-gram TF-IDF of each item's text; IDF is learned at fit time.</summary>
    /// <param name="text">The item's text.</param>
    /// <param name="options">N-gram settings; null = <see cref="HashedNGramOptions"/> defaults.</param>
    public static IFeaturizer<T> TfIdf<T>(Func<T, string> text, HashedNGramOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new TfIdfFeaturizer<T>(text, new HashedNGramFeaturizer(options ?? new HashedNGramOptions()));
    }

    /// <summary>A stateless featurizer from one dense vector per item (e.g. a precomputed sentence embedding).</summary>
    /// <exception cref="ArgumentException">At transform time: vectors of different lengths or no items.</exception>
    public static IFeaturizer<T> Dense<T>(Func<T, float[]> vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        return new FunctionFeaturizer<T>(items =>
        {
            if (items.Count == 0)
            {
                throw new ArgumentException("No items to featurise.", nameof(items));
            }

            int d = vector(items[0]).Length;
            var values = new float[items.Count * d];
            for (int i = 0; i < items.Count; i++)
            {
                var v = vector(items[i]);
                if (v.Length != d)
                {
                    throw new ArgumentException($"Item {i} has a vector of length {v.Length}; item 0 has {d}.", nameof(items));
                }

                v.CopyTo(values, i * d);
            }

            return DenseMatrix.FromRowMajor(values, d);
        });
    }

    /// <summary>
    /// Side-by-side features: <paramref name="first"/>'s columns, then <paramref name="second"/>'s, as one sparse
    /// matrix (a dense part keeps every entry, zeros included). Each part is fitted on the same items.
    /// </summary>
    public static IFeaturizer<T> Concat<T>(IFeaturizer<T> first, IFeaturizer<T> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return new ConcatFeaturizer<T>(first, second);
    }

    /// <summary>Two feature matrices with the same rows, side by side (see <see cref="Concat{T}"/>).</summary>
    /// <exception cref="ArgumentException">Different row counts.</exception>
    public static SparseMatrix Concat(FeatureMatrix first, FeatureMatrix second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.RowCount != second.RowCount)
        {
            throw new ArgumentException($"{first.RowCount} rows next to {second.RowCount}; the parts must have the same rows.", nameof(second));
        }

        int n = first.RowCount, offset = first.ColumnCount;
        var pointers = new int[n + 1];
        var columns = new List<int>();
        var values = new List<float>();
        for (int i = 0; i < n; i++)
        {
            AppendRow(first, i, 0, columns, values);
            AppendRow(second, i, offset, columns, values);
            pointers[i + 1] = columns.Count;
        }

        return SparseMatrix.FromCsr(pointers, columns.ToArray(), values.ToArray(), offset + second.ColumnCount);
    }

    private static void AppendRow(FeatureMatrix matrix, int row, int offset, List<int> columns, List<float> values)
    {
        switch (matrix)
        {
            case DenseMatrix dense:
                var v = dense.Row(row);
                for (int c = 0; c < v.Length; c++)
                {
                    columns.Add(offset + c);
                    values.Add(v[c]);
                }

                break;
            case SparseMatrix sparse:
                foreach (int c in sparse.RowColumns(row))
                {
                    columns.Add(offset + c);
                }

                foreach (float x in sparse.RowValues(row))
                {
                    values.Add(x);
                }

                break;
            default:
                for (int c = 0; c < matrix.ColumnCount; c++)
                {
                    columns.Add(offset + c);
                    values.Add(matrix[row, c]);
                }

                break;
        }
    }

    private sealed class ConcatFeaturizer<T>(IFeaturizer<T> first, IFeaturizer<T> second) : IFeaturizer<T>
    {
        public IFittedFeaturizer<T> Fit(IReadOnlyList<T> items) => new Fitted(first.Fit(items), second.Fit(items));

        private sealed class Fitted(IFittedFeaturizer<T> first, IFittedFeaturizer<T> second) : IFittedFeaturizer<T>
        {
            public FeatureMatrix Transform(IReadOnlyList<T> items) => Concat(first.Transform(items), second.Transform(items));
        }
    }

    private sealed class FunctionFeaturizer<T>(Func<IReadOnlyList<T>, FeatureMatrix> transform) : IFeaturizer<T>, IFittedFeaturizer<T>
    {
        public IFittedFeaturizer<T> Fit(IReadOnlyList<T> items) => this;

        public FeatureMatrix Transform(IReadOnlyList<T> items) => transform(items);
    }

    private sealed class TfIdfFeaturizer<T>(Func<T, string> text, HashedNGramFeaturizer featurizer) : IFeaturizer<T>
    {
        public IFittedFeaturizer<T> Fit(IReadOnlyList<T> items) => new Fitted(text, featurizer.Fit(items.Select(text).ToArray()));

        private sealed class Fitted(Func<T, string> text, HashedNGramModel model) : IFittedFeaturizer<T>
        {
            public FeatureMatrix Transform(IReadOnlyList<T> items) => model.Transform(items.Select(text).ToArray());
        }
    }
}
