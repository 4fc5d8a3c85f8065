using Skein.Data;

namespace Skein.Refinement;

/// <summary>Covariance structure of <see cref="GaussianMixtureRefinement"/>'s class Gaussians.</summary>
public enum GaussianCovariance
{
    /// <summary>One diagonal covariance shared by every class (linear class boundaries; the most robust).</summary>
    SharedDiagonal,

    /// <summary>A diagonal covariance per class.</summary>
    Diagonal,
}

/// <summary>Options of <see cref="GaussianMixtureRefinement"/>.</summary>
public sealed record GaussianMixtureRefinementOptions
{
    /// <summary>Covariance structure. Default <see cref="GaussianCovariance.SharedDiagonal"/>.</summary>
    public GaussianCovariance Covariance { get; init; } = GaussianCovariance.SharedDiagonal;

    /// <summary>Most EM iterations; at least 1. Default 50.</summary>
    public int MaxIterations { get; init; } = 50;

    /// <summary>Stop once the mean log-likelihood per row improves by less than this; finite, ≥ 0. Default 1e-5.</summary>
    public double Tolerance { get; init; } = 1e-5;

    /// <summary>
    /// β: each row's weak label enters the E-step as a prior y_ic^β (0 = a plain mixture that only starts from the weak
    /// labels); finite, ≥ 0. Default 1.
    /// </summary>
    public double LabelWeight { get; init; } = 1;

    /// <summary>
    /// Multiplies the feature log-likelihood (a temperature: below 1 it tempers the overconfident posteriors that
    /// hundreds of dimensions give); finite, &gt; 0. Default 1.
    /// </summary>
    public double LikelihoodScale { get; init; } = 1;

    /// <summary>Each variance is at least this share of the data's own variance in that dimension; finite, &gt; 0. Default 1e-3.</summary>
    public double VarianceFloor { get; init; } = 1e-3;

    /// <summary>Threads for the E-step; -1 (default) = all cores. Results are bit-identical for every value.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}

/// <summary>
/// Refines weak labels with a class-conditional Gaussian mixture over the features (after AGMM, "Modeling Label
/// Distributions"): one diagonal Gaussian per class, fitted by EM whose first M-step uses the weak labels as
/// responsibilities, and whose E-step combines each row's feature likelihood with its weak label as a prior. The
/// final posteriors are the refined labels. Deterministic: sums run in a fixed order, the E-step rows are independent.
/// </summary>
public static class GaussianMixtureRefinement
{
    /// <summary>Refines <paramref name="labels"/> with a class-conditional Gaussian mixture over <paramref name="features"/>.</summary>
    /// <param name="features">n dense feature rows of equal width.</param>
    /// <param name="labels">n×k weak labels (initial responsibilities and per-row priors).</param>
    /// <param name="covered">Optional: rows whose weak label is trusted; the others start from and are priored by a uniform label. Null = every row.</param>
    /// <param name="options">Covariance, iterations, label weight, likelihood scale.</param>
    /// <exception cref="ArgumentException">Mismatched counts, ragged or non-finite features (row and column named), or an option out of range.</exception>
    public static ProbabilisticLabels Refine(IReadOnlyList<float[]> features, ProbabilisticLabels labels, IReadOnlyList<bool>? covered = null, GaussianMixtureRefinementOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        options ??= new GaussianMixtureRefinementOptions();
        Validate(options);
        int n = labels.RowCount, k = labels.Cardinality;
        FeatureRows.CheckCovered(covered, n);
        var x = FeatureRows.Pack(features, n, normalise: false, out int d);

        // Priors: the weak labels of covered rows, uniform for the others; responsibilities start there.
        var logPrior = new double[n * k];
        var responsibilities = new double[n * k];
        for (int i = 0; i < n; i++)
        {
            bool trusted = covered is null || covered[i];
            for (int c = 0; c < k; c++)
            {
                double y = trusted ? labels[i, c] : 1.0 / k;
                responsibilities[(i * k) + c] = y;
                logPrior[(i * k) + c] = options.LabelWeight == 0 ? 0 : options.LabelWeight * Math.Log(Math.Max(y, 1e-12));
            }
        }

        var floor = VarianceFloors(x, n, d, options.VarianceFloor);
        var means = new double[k * d];
        var variances = new double[k * d];
        var logWeights = new double[k];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        var rowLogLikelihood = new double[n];
        double previous = double.NegativeInfinity;
        for (int iteration = 0; iteration < options.MaxIterations; iteration++)
        {
            MStep(x, n, d, k, responsibilities, floor, options.Covariance, means, variances, logWeights);
            var normaliser = new double[k];
            for (int c = 0; c < k; c++)
            {
                for (int t = 0; t < d; t++)
                {
                    normaliser[c] -= 0.5 * Math.Log(2 * Math.PI * variances[(c * d) + t]);
                }
            }

            Parallel.For(0, n, parallel, i =>
            {
                Span<double> score = stackalloc double[k];
                var xi = x.AsSpan(i * d, d);
                double max = double.NegativeInfinity;
                for (int c = 0; c < k; c++)
                {
                    double quadratic = 0;
                    var mu = means.AsSpan(c * d, d);
                    var variance = variances.AsSpan(c * d, d);
                    for (int t = 0; t < d; t++)
                    {
                        double diff = xi[t] - mu[t];
                        quadratic += diff * diff / variance[t];
                    }

                    score[c] = logWeights[c] + logPrior[(i * k) + c] + (options.LikelihoodScale * (normaliser[c] - (0.5 * quadratic)));
                    max = Math.Max(max, score[c]);
                }

                double sum = 0;
                for (int c = 0; c < k; c++)
                {
                    score[c] = Math.Exp(score[c] - max);
                    sum += score[c];
                }

                for (int c = 0; c < k; c++)
                {
                    responsibilities[(i * k) + c] = score[c] / sum;
                }

                rowLogLikelihood[i] = max + Math.Log(sum);
            });

            double mean = 0;
            foreach (double value in rowLogLikelihood)
            {
                mean += value;
            }

            mean /= n;
            if (mean - previous < options.Tolerance)
            {
                break;
            }

            previous = mean;
        }

        return ProbabilisticLabels.FromRowMajor(responsibilities, k);
    }

    private static void MStep(double[] x, int n, int d, int k, double[] r, double[] floor, GaussianCovariance covariance, double[] means, double[] variances, double[] logWeights)
    {
        var mass = new double[k];
        Array.Clear(means);
        Array.Clear(variances);
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < k; c++)
            {
                double w = r[(i * k) + c];
                if (w == 0)
                {
                    continue;
                }

                mass[c] += w;
                var mu = means.AsSpan(c * d, d);
                var xi = x.AsSpan(i * d, d);
                for (int t = 0; t < d; t++)
                {
                    mu[t] += w * xi[t];
                }
            }
        }

        for (int c = 0; c < k; c++)
        {
            // An empty class keeps a zero mean and a vanishing weight rather than dividing by zero.
            logWeights[c] = Math.Log(Math.Max(mass[c], 1e-12) / n);
            for (int t = 0; t < d; t++)
            {
                means[(c * d) + t] /= Math.Max(mass[c], 1e-12);
            }
        }

        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < k; c++)
            {
                double w = r[(i * k) + c];
                if (w == 0)
                {
                    continue;
                }

                for (int t = 0; t < d; t++)
                {
                    double diff = x[(i * d) + t] - means[(c * d) + t];
                    variances[(c * d) + t] += w * diff * diff;
                }
            }
        }

        if (covariance == GaussianCovariance.SharedDiagonal)
        {
            for (int t = 0; t < d; t++)
            {
                double pooled = 0;
                for (int c = 0; c < k; c++)
                {
                    pooled += variances[(c * d) + t];
                }

                pooled = Math.Max(pooled / n, floor[t]);
                for (int c = 0; c < k; c++)
                {
                    variances[(c * d) + t] = pooled;
                }
            }
        }
        else
        {
            for (int c = 0; c < k; c++)
            {
                for (int t = 0; t < d; t++)
                {
                    variances[(c * d) + t] = Math.Max(variances[(c * d) + t] / Math.Max(mass[c], 1e-12), floor[t]);
                }
            }
        }
    }

    /// <summary>share × the data's variance in each dimension, and never below 1e-12.</summary>
    private static double[] VarianceFloors(double[] x, int n, int d, double share)
    {
        var mean = new double[d];
        var floor = new double[d];
        for (int i = 0; i < n; i++)
        {
            for (int t = 0; t < d; t++)
            {
                mean[t] += x[(i * d) + t];
            }
        }

        for (int t = 0; t < d; t++)
        {
            mean[t] /= n;
        }

        for (int i = 0; i < n; i++)
        {
            for (int t = 0; t < d; t++)
            {
                double diff = x[(i * d) + t] - mean[t];
                floor[t] += diff * diff;
            }
        }

        for (int t = 0; t < d; t++)
        {
            floor[t] = Math.Max(share * floor[t] / n, 1e-12);
        }

        return floor;
    }

    private static void Validate(GaussianMixtureRefinementOptions options)
    {
        Check(Enum.IsDefined(options.Covariance), $"Covariance = {options.Covariance} is not defined.");
        Check(options.MaxIterations >= 1, $"MaxIterations = {options.MaxIterations}; it must be at least 1.");
        Check(double.IsFinite(options.Tolerance) && options.Tolerance >= 0, $"Tolerance = {options.Tolerance}; it must be a finite number ≥ 0.");
        Check(double.IsFinite(options.LabelWeight) && options.LabelWeight >= 0, $"LabelWeight = {options.LabelWeight}; it must be a finite number ≥ 0.");
        Check(double.IsFinite(options.LikelihoodScale) && options.LikelihoodScale > 0, $"LikelihoodScale = {options.LikelihoodScale}; it must be a finite number > 0.");
        Check(double.IsFinite(options.VarianceFloor) && options.VarianceFloor > 0, $"VarianceFloor = {options.VarianceFloor}; it must be a finite number > 0.");
        Check(options.MaxDegreeOfParallelism is -1 or > 0, $"MaxDegreeOfParallelism = {options.MaxDegreeOfParallelism}; use -1 or a positive count.");

        static void Check(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentException($"GaussianMixtureRefinementOptions.{message}", nameof(options));
            }
        }
    }
}
