using System.Globalization;
using Skein.Data;
using Skein.LabelModels.Internal;

namespace Skein.LabelModels;

/// <summary>
/// Snorkel's LabelModel (MeTaL matrix completion) for conditionally independent LFs. From the overlap matrix
/// O = ΛᵀΛ/n of the (LF, class) vote indicators it learns μ[(j, c), y] = P(λ_j = c | Y = y) by minimising
/// Σ_Ω (O − μPμᵀ)² + ‖(μP)1 − diag O‖² + ‖l2(μ − μ_init)‖² (Ω = every entry outside the LFs' own k×k blocks,
/// P = diag(class prior)), then clamps μ and breaks the column-permutation symmetry toward the LFs.
/// </summary>
/// <remarks>
/// O comes from <see cref="SufficientStatistics"/> joint counts, so the n×(m·k) indicator matrix is never built and
/// each epoch costs O((m·k)²·k) whatever n. Arithmetic is float64 where Snorkel (PyTorch) uses float32: that is the
/// only expected source of difference from Snorkel with the same seed.
/// </remarks>
public sealed class MatrixCompletion : ILabelModelTrainer, ISufficientStatisticsTrainer
{
    /// <summary>A trainer with Snorkel's defaults (a random seed, recorded on the model).</summary>
    public MatrixCompletion()
        : this(new MatrixCompletionOptions())
    {
    }

    /// <summary>A trainer with the given options.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public MatrixCompletion(MatrixCompletionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public MatrixCompletionOptions Options { get; }

    LabelModel ILabelModelTrainer.Fit(LabelMatrix matrix) => Fit(matrix);

    LabelModel ISufficientStatisticsTrainer.Fit(SufficientStatistics statistics) => Fit(statistics);

    /// <summary>Computes the sufficient statistics of the votes and fits from them.</summary>
    /// <exception cref="ArgumentException">The matrix has no rows, fewer than 3 LFs, or does not suit the options.</exception>
    public MatrixCompletionModel Fit(LabelMatrix matrix)
    {
        LabelModel.RequireRows(matrix, nameof(MatrixCompletion));
        RequireLfCount(matrix.LfCount, nameof(matrix));
        return Fit(SufficientStatistics.Compute(matrix, includeJointCounts: true));
    }

    /// <summary>Fits from (merged) statistics that include joint counts.</summary>
    /// <exception cref="ArgumentException">No rows, no joint counts, fewer than 3 LFs, or options that do not fit the shape.</exception>
    public MatrixCompletionModel Fit(SufficientStatistics statistics)
    {
        LabelModel.RequireRows(statistics, nameof(MatrixCompletion));

        if (!statistics.HasJointCounts)
        {
            throw new ArgumentException(
                $"{nameof(MatrixCompletion)} needs joint counts; compute the statistics with includeJointCounts: true.",
                nameof(statistics));
        }

        int m = statistics.LfCount, k = statistics.Cardinality;
        RequireLfCount(m, nameof(statistics));
        var p = ClassPriorWeights(k);
        var precision = Precisions(m, nameof(statistics));
        int seed = Options.Seed ?? Random.Shared.Next(1_000_000);

        var problem = Objective.FromStatistics(statistics, p, Options.L2);
        problem.InitialMu(precision, out var muInit);
        double u = new NumpyLegacyRandom((uint)seed).NextDouble();
        var mu = new double[muInit.Length];
        for (int i = 0; i < mu.Length; i++)
        {
            mu[i] = muInit[i] * u;
        }

        double finalLoss = Train(problem, mu, muInit);

        long n = statistics.RowCount;
        double eps = Options.MuEpsilon ?? DefaultMuEpsilon(n);
        for (int i = 0; i < mu.Length; i++)
        {
            mu[i] = Math.Clamp(mu[i], eps, 1 - eps);
        }

        BreakColumnPermutationSymmetry(mu, p, m, k);

        var coverage = new double[m];
        for (int j = 0; j < m; j++)
        {
            coverage[j] = (double)statistics.Votes(j) / n;
        }

        return new MatrixCompletionModel(m, k, mu, p, coverage, seed, finalLoss, eps);
    }

    /// <summary>Snorkel's default clamp: min(0.01, 1 / 10^⌈log10 n⌉).</summary>
    internal static double DefaultMuEpsilon(long n) => Math.Min(0.01, 1.0 / Math.Pow(10, Math.Ceiling(Math.Log10(n))));

    /// <summary>Runs the optimiser in place on <paramref name="mu"/>; returns the loss of the last epoch (before its step).</summary>
    private double Train(Objective problem, double[] mu, double[] muInit)
    {
        var o = Options;
        int length = mu.Length;
        var grad = new double[length];
        var first = new double[length]; // momentum buffer / Adam m
        var second = new double[length]; // Adam v / Adamax u
        double lr = o.LearningRate;
        double loss = double.NaN;
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            loss = problem.LossAndGradient(mu, muInit, grad);
            if (!double.IsFinite(loss))
            {
                throw new InvalidOperationException(
                    $"{nameof(MatrixCompletion)}: the loss became {loss.ToString(CultureInfo.InvariantCulture)} at epoch {epoch}. " +
                    "Consider reducing MatrixCompletionOptions.LearningRate.");
            }

            // PyTorch's weight decay: the plain L2 gradient wd·μ is added before the optimiser's own update.
            if (o.L2 != 0)
            {
                for (int i = 0; i < length; i++)
                {
                    grad[i] += o.L2 * mu[i];
                }
            }

            int t = epoch + 1;
            switch (o.Optimizer)
            {
                case MatrixCompletionOptimizer.Sgd:
                    for (int i = 0; i < length; i++)
                    {
                        double g = grad[i];
                        if (o.Momentum != 0)
                        {
                            // torch: the buffer starts as the first gradient, then buf = momentum·buf + g (no dampening).
                            first[i] = epoch == 0 ? g : (o.Momentum * first[i]) + g;
                            g = first[i];
                        }

                        mu[i] -= lr * g;
                    }

                    break;
                case MatrixCompletionOptimizer.Adam:
                {
                    double bias1 = 1 - Math.Pow(o.Beta1, t), bias2Sqrt = Math.Sqrt(1 - Math.Pow(o.Beta2, t));
                    for (int i = 0; i < length; i++)
                    {
                        double g = grad[i];
                        first[i] = (o.Beta1 * first[i]) + ((1 - o.Beta1) * g);
                        second[i] = (o.Beta2 * second[i]) + ((1 - o.Beta2) * g * g);
                        double denominator = (Math.Sqrt(second[i]) / bias2Sqrt) + 1e-8;
                        mu[i] -= lr / bias1 * first[i] / denominator;
                    }

                    break;
                }

                case MatrixCompletionOptimizer.Adamax:
                {
                    double bias1 = 1 - Math.Pow(o.Beta1, t);
                    for (int i = 0; i < length; i++)
                    {
                        double g = grad[i];
                        first[i] = (o.Beta1 * first[i]) + ((1 - o.Beta1) * g);
                        second[i] = Math.Max(o.Beta2 * second[i], Math.Abs(g) + 1e-8);
                        mu[i] -= lr / bias1 * first[i] / second[i];
                    }

                    break;
                }
            }

            lr = NextLearningRate(lr, epoch + 1);
        }

        return loss;
    }

    /// <summary>The learning rate after the scheduler's step number <paramref name="step"/> (PyTorch's chainable forms).</summary>
    private double NextLearningRate(double lr, int step) => Options.LearningRateScheduler switch
    {
        MatrixCompletionScheduler.Linear => Options.LearningRate * (Options.Epochs - step) / Options.Epochs,
        MatrixCompletionScheduler.Exponential => lr * Options.SchedulerGamma,
        MatrixCompletionScheduler.Step => step % Options.StepSize == 0 ? lr * Options.SchedulerGamma : lr,
        _ => lr,
    };

    /// <summary>
    /// Any column permutation Z with ZP = PZ leaves the loss unchanged. Among classes whose prior is equal to 3
    /// decimals, pick the permutation that maximises Σ_LF Σ_y P(λ = y, Y = y), i.e. trust the LFs (Snorkel's rule).
    /// </summary>
    internal static void BreakColumnPermutationSymmetry(double[] mu, double[] p, int m, int k)
    {
        // S = (Σ_j μ_j)·P, a k×k matrix.
        var s = new double[k, k];
        for (int j = 0; j < m; j++)
        {
            for (int c = 0; c < k; c++)
            {
                for (int y = 0; y < k; y++)
                {
                    s[c, y] += mu[(((j * k) + c) * k) + y];
                }
            }
        }

        for (int c = 0; c < k; c++)
        {
            for (int y = 0; y < k; y++)
            {
                s[c, y] *= p[y];
            }
        }

        // newColumn[target] = source column; identity outside groups.
        var source = Enumerable.Range(0, k).ToArray();
        var groups = Enumerable.Range(0, k)
            .GroupBy(y => Math.Round(p[y], 3, MidpointRounding.ToEven))
            .Select(g => g.ToArray())
            .Where(g => g.Length > 1);
        foreach (var group in groups)
        {
            // Cost[i, j] = −S[group j, group i]: assigning i → j moves old column i to new column j (Snorkel: −Sᵀ).
            int size = group.Length;
            var cost = new double[size, size];
            for (int i = 0; i < size; i++)
            {
                for (int jj = 0; jj < size; jj++)
                {
                    cost[i, jj] = -s[group[jj], group[i]];
                }
            }

            var assigned = Assignment.Solve(cost);
            for (int i = 0; i < size; i++)
            {
                source[group[assigned[i]]] = group[i];
            }
        }

        var row = new double[k];
        for (int r = 0; r < m * k; r++)
        {
            var span = mu.AsSpan(r * k, k);
            span.CopyTo(row);
            for (int y = 0; y < k; y++)
            {
                span[y] = row[source[y]];
            }
        }
    }

    private double[] ClassPriorWeights(int k)
    {
        if (Options.ClassBalance is null)
        {
            return Enumerable.Repeat(1.0 / k, k).ToArray();
        }

        Options.ClassBalance.RequireCardinality(k, "MatrixCompletionOptions.ClassBalance");
        return Options.ClassBalance.Weights.ToArray();
    }

    private double[] Precisions(int m, string parameter)
    {
        if (Options.PrecisionInitPerLf is null)
        {
            return Enumerable.Repeat(Options.PrecisionInit, m).ToArray();
        }

        if (Options.PrecisionInitPerLf.Count != m)
        {
            throw new ArgumentException(
                $"MatrixCompletionOptions.PrecisionInitPerLf has {Options.PrecisionInitPerLf.Count} entries; the votes have {m} LFs.",
                parameter);
        }

        return Options.PrecisionInitPerLf.ToArray();
    }

    private static void RequireLfCount(int m, string parameter)
    {
        if (m < 3)
        {
            throw new ArgumentException(
                $"{nameof(MatrixCompletion)} needs at least 3 labeling functions (as Snorkel's LabelModel); got {m}.", parameter);
        }
    }

    private static void Validate(MatrixCompletionOptions options)
    {
        var o = options;
        var check = new OptionChecks(nameof(MatrixCompletionOptions));
        check.AtLeast(o.Epochs, 1);
        check.Positive(o.LearningRate);
        check.NonNegative(o.L2);
        check.Defined(o.Optimizer);
        check.InRange(o.Momentum, 0, 1, maxOpen: true);
        check.InRange(o.Beta1, 0, 1, maxOpen: true);
        check.InRange(o.Beta2, 0, 1, maxOpen: true);
        check.Probability(o.PrecisionInit);
        if (o.PrecisionInitPerLf is not null)
        {
            for (int j = 0; j < o.PrecisionInitPerLf.Count; j++)
            {
                check.Probability(o.PrecisionInitPerLf[j], $"PrecisionInitPerLf[{j}]");
            }
        }

        if (o.MuEpsilon is double eps)
        {
            check.InRange(eps, 0, 0.5, maxOpen: true, option: "MuEpsilon");
        }

        check.Defined(o.LearningRateScheduler);
        check.InRange(o.SchedulerGamma, 0, 1, minOpen: true);
        check.AtLeast(o.StepSize, 1);
        check.That(o.Seed is not < 0, $"Seed = {o.Seed}; it must be ≥ 0 (numpy's seed range), or null to pick one.");
    }
}
