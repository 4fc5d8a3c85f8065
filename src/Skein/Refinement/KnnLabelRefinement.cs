using System.Numerics.Tensors;
using Skein.Data;

namespace Skein.Refinement;

/// <summary>Options of <see cref="KnnLabelRefinement"/>.</summary>
public sealed record KnnRefinementOptions
{
    /// <summary>Neighbours per row, k; at least 1. Default 10.</summary>
    public int Neighbors { get; init; } = 10;

    /// <summary>τ of the neighbour weights exp(cos(x_i, x_j)/τ) (LOOK's weighting); finite, &gt; 0. Default 0.1.</summary>
    public double Temperature { get; init; } = 0.1;

    /// <summary>Share α of a covered row's own label in its refined label, in [0, 1]; the neighbours get 1 − α. Uncovered rows take their neighbours' label alone. Default 0.5.</summary>
    public double SelfWeight { get; init; } = 0.5;

    /// <summary>Threads; -1 (default) = all cores. Results are bit-identical for every value.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}

/// <summary>
/// Leave-one-out kNN label smoothing (after LOOK, Feng et al., ICLR 2022): each row's weak label is mixed with the
/// similarity-weighted labels of its k nearest other rows by cosine similarity. A label that disagrees with most of its
/// neighbourhood is pulled toward the neighbourhood's class, while multi-modal classes keep their clusters.
/// </summary>
public static class KnnLabelRefinement
{
    /// <summary>Refines <paramref name="labels"/> with the neighbourhoods of <paramref name="features"/>.</summary>
    /// <param name="features">n dense feature rows of equal width (e.g. sentence embeddings).</param>
    /// <param name="labels">n×k weak labels.</param>
    /// <param name="covered">Optional: which rows have a weak label worth trusting; only they serve as neighbours, and the
    /// others are labelled by their neighbours alone. Null = every row.</param>
    /// <param name="options">Neighbours, temperature and self weight.</param>
    /// <exception cref="ArgumentException">Mismatched counts, ragged or non-finite features (row and column named), or an option out of range.</exception>
    public static ProbabilisticLabels Refine(IReadOnlyList<float[]> features, ProbabilisticLabels labels, IReadOnlyList<bool>? covered = null, KnnRefinementOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        options ??= new KnnRefinementOptions();
        Validate(options);
        int n = labels.RowCount, k = labels.Cardinality;
        FeatureRows.CheckCovered(covered, n);
        var x = Array.ConvertAll(FeatureRows.Pack(features, n, normalise: true, out int d), v => (float)v);
        var candidates = Enumerable.Range(0, n).Where(i => covered is null || covered[i]).ToArray();
        var y = labels.Values.ToArray();
        var refined = new double[n * k];
        int neighbours = Math.Min(options.Neighbors, Math.Max(0, candidates.Length - 1));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        Parallel.For(0, n, parallel, () => (Index: new int[options.Neighbors], Score: new double[options.Neighbors]), (i, _, buffers) =>
        {
            bool self = covered is null || covered[i];
            var own = y.AsSpan(i * k, k);
            var target = refined.AsSpan(i * k, k);
            int found = Nearest(x, d, i, candidates, neighbours, buffers.Index, buffers.Score);
            if (found == 0)
            {
                own.CopyTo(target);
                return buffers;
            }

            // Weights exp((s − s_max)/τ): the shift cancels in the normalisation and keeps exp in range.
            double max = buffers.Score[0], total = 0;
            for (int r = 0; r < found; r++)
            {
                double w = Math.Exp((buffers.Score[r] - max) / options.Temperature);
                total += w;
                var neighbour = y.AsSpan(buffers.Index[r] * k, k);
                for (int c = 0; c < k; c++)
                {
                    target[c] += w * neighbour[c];
                }
            }

            double alpha = self ? options.SelfWeight : 0;
            double sum = 0;
            for (int c = 0; c < k; c++)
            {
                target[c] = (alpha * own[c]) + ((1 - alpha) * target[c] / total);
                sum += target[c];
            }

            for (int c = 0; c < k; c++)
            {
                target[c] /= sum;
            }

            return buffers;
        }, _ => { });
        return ProbabilisticLabels.FromRowMajor(refined, k);
    }

    /// <summary>The <paramref name="count"/> candidates most similar to row i (itself excluded), best first; ties to the lower index.</summary>
    private static int Nearest(float[] x, int d, int i, int[] candidates, int count, int[] index, double[] score)
    {
        var xi = x.AsSpan(i * d, d);
        int found = 0;
        foreach (int j in candidates)
        {
            if (j == i)
            {
                continue;
            }

            double s = TensorPrimitives.Dot(xi, x.AsSpan(j * d, d));

            // Candidates arrive in index order, so strict > keeps the lower index first on ties.
            if (found < count)
            {
                found++;
            }
            else if (!(s > score[count - 1]))
            {
                continue;
            }

            int at = found - 1;
            while (at > 0 && s > score[at - 1])
            {
                score[at] = score[at - 1];
                index[at] = index[at - 1];
                at--;
            }

            score[at] = s;
            index[at] = j;
        }

        return found;
    }

    private static void Validate(KnnRefinementOptions options)
    {
        Check(options.Neighbors >= 1, $"Neighbors = {options.Neighbors}; it must be at least 1.");
        Check(double.IsFinite(options.Temperature) && options.Temperature > 0, $"Temperature = {options.Temperature}; it must be a finite number > 0.");
        Check(options.SelfWeight is >= 0 and <= 1, $"SelfWeight = {options.SelfWeight}; it must be in [0, 1].");
        Check(options.MaxDegreeOfParallelism is -1 or > 0, $"MaxDegreeOfParallelism = {options.MaxDegreeOfParallelism}; use -1 or a positive count.");

        static void Check(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentException($"KnnRefinementOptions.{message}", nameof(options));
            }
        }
    }
}
