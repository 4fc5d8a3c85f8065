using System.Text.Json;
using Skein.Data;
using Skein.IO;

namespace Skein.LabelModels;

/// <summary>Options of <see cref="DataProgramming"/>.</summary>
public sealed record DataProgrammingOptions
{
    /// <summary>Most EM iterations (E-step + M-step); at least 1. Default 1,000.</summary>
    public int MaxIterations { get; init; } = 1_000;

    /// <summary>
    /// EM stops once no LF accuracy (and, when learned, no class prior entry) moves by this much or more in an
    /// iteration; finite and ≥ 0. Default 1e-7.
    /// </summary>
    public double Tolerance { get; init; } = 1e-7;

    /// <summary>Every LF's accuracy P(λ_j = Y | λ_j votes) before the first E-step, in (0, 1). Default 0.7 (Snorkel's prec_init).</summary>
    public double InitialAccuracy { get; init; } = 0.7;

    /// <summary>
    /// The class prior P(Y): the fixed prior, or the starting point when <see cref="LearnClassPrior"/> is set.
    /// Null (default) = uniform, like WRENCH, which disables DP's class-prior factor. Weights that do not sum to 1
    /// (<see cref="ClassBalance.FromLabels"/>) are renormalised.
    /// </summary>
    public ClassBalance? ClassBalance { get; init; }

    /// <summary>Learn the class prior by EM too (mean posterior). Default false.</summary>
    public bool LearnClassPrior { get; init; }

    /// <summary>
    /// Strength of a Gaussian penalty pulling each factor weight w_j toward the weight of
    /// <see cref="InitialAccuracy"/>: EM then maximises (mean log-likelihood per row) − L2/2 · Σ_j (w_j − w_init)².
    /// Finite and ≥ 0; default 0 (plain maximum likelihood, closed-form M-step).
    /// </summary>
    public double L2 { get; init; }

    /// <summary>
    /// Keep every LF's accuracy above chance (at least 1/k + 0.001) in each M-step: data programming's assumption that
    /// LFs beat random. Without it, LFs that vote for one class only can drive EM to a degenerate maximum (on the
    /// bundled YouTube comments the spam keywords reach accuracy 1 and the ham LFs 0, so every ham vote counts as spam:
    /// 0.53 accuracy, against 0.905 with the floor). Default true; false gives the unconstrained maximum likelihood.
    /// </summary>
    public bool AccuracyAboveChance { get; init; } = true;

    /// <summary>Threads per pass; -1 (default) = all cores. Results are bit-identical for every value.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}

/// <summary>
/// Data programming's conditionally independent generative model (Snorkel v0.7 / WRENCH "DP"), fitted by EM on
/// the exact marginal likelihood instead of Gibbs-sampled SGD.
/// </summary>
/// <remarks>
/// <para>
/// Normalised generative story: Y ~ π; each LF j votes with probability β_j (its propensity, independent of Y);
/// a vote is Y with probability a_j (its accuracy), otherwise uniform over the other k − 1 classes. This is exactly
/// the factor graph with one accuracy factor (weight w_j: +1 if λ_j = Y, −1 if λ_j ≠ Y, 0 if abstain) and one
/// propensity factor per LF, with a_j = e^{w_j} / (e^{w_j} + (k − 1)e^{−w_j}), i.e. 2w_j = log((k − 1) a_j / (1 − a_j)).
/// The posterior is P(Y = y | λ) = softmax_y(log π_y + 2 Σ_{j: λ_j = y} w_j); for k = 2 with a uniform prior it is
/// σ(2 Σ_j w_j λ_j) with λ ∈ {−1, 0, +1}, the form WRENCH's GenerativeModel predicts with.
/// </para>
/// <para>
/// Because the LFs are independent given Y, the marginal likelihood Σ_x log Σ_y π_y Π_j P(λ_j(x) | y) is exact
/// and cheap, so EM applies directly: the E-step is the posterior above; the M-step sets a_j to the expected
/// fraction of LF j's votes that are correct, β_j to its vote rate and (optionally) π to the mean posterior.
/// Each iteration is one pass over the rows, so the fit also runs over an <see cref="ILabelMatrixSource"/>.
/// </para>
/// </remarks>
public sealed class DataProgramming : ILabelModelTrainer
{
    // Accuracies stay inside (0, 1) so every weight and log-probability is finite.
    private const double AccuracyFloor = 1e-9;

    // Least lead over chance (1/k) with AccuracyAboveChance: a floored LF keeps a small positive weight.
    private const double ChanceMargin = 1e-3;
    private const double PriorFloor = 1e-12;

    /// <summary>A trainer with the default options.</summary>
    public DataProgramming()
        : this(new DataProgrammingOptions())
    {
    }

    /// <summary>A trainer with the given options.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public DataProgramming(DataProgrammingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = new OptionChecks(nameof(DataProgrammingOptions));
        check.AtLeast(options.MaxIterations, 1);
        check.NonNegative(options.Tolerance);
        check.InRange(options.InitialAccuracy, 0, 1, minOpen: true, maxOpen: true);
        check.NonNegative(options.L2);
        check.Parallelism(options.MaxDegreeOfParallelism);
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public DataProgrammingOptions Options { get; }

    LabelModel ILabelModelTrainer.Fit(LabelMatrix matrix) => Fit(matrix);

    /// <summary>Fits the model to the votes by EM.</summary>
    /// <exception cref="ArgumentException">The matrix has no rows, or the class balance has another cardinality.</exception>
    public DataProgrammingModel Fit(LabelMatrix matrix)
    {
        LabelModel.RequireRows(matrix, nameof(DataProgramming));
        return Fit(LabelMatrixSource.FromMatrix(matrix));
    }

    /// <summary>
    /// Fits the model by EM over a re-readable source, one pass per iteration. The result is bit-identical to
    /// <see cref="Fit(LabelMatrix)"/> on the concatenated rows, whatever the chunking.
    /// </summary>
    /// <exception cref="ArgumentException">The source yields no rows or a chunk of another shape, or the class balance has another cardinality.</exception>
    public DataProgrammingModel Fit(ILabelMatrixSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        int m = source.LfCount, k = source.Cardinality;
        Options.ClassBalance?.RequireCardinality(k, "DataProgrammingOptions.ClassBalance");
        var prior = Options.ClassBalance?.ToProbabilities() ?? Enumerable.Repeat(1.0 / k, k).ToArray();
        var accuracies = Enumerable.Repeat(Options.InitialAccuracy, m).ToArray();
        double initialWeight = Weight(Options.InitialAccuracy, k);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism };

        // Totals of one pass: [0, m) expected correct votes, [m, 2m) votes, [2m, 2m+k) posterior mass, then Σ log-likelihood.
        var totals = new double[(2 * m) + k + 1];
        var history = new List<double>();
        var propensities = new double[m];
        long n = 0;
        int iterations = 0;
        bool converged = false;
        while (iterations < Options.MaxIterations)
        {
            var step = new Step(accuracies, prior, k);
            n = BlockedPass.Run(source, (votes, rows, sums) => step.Accumulate(votes, rows, sums), totals, parallel);
            if (n == 0)
            {
                throw new ArgumentException($"Cannot fit {nameof(DataProgramming)} to a label matrix with no rows.", nameof(source));
            }

            for (int j = 0; j < m; j++)
            {
                propensities[j] = totals[m + j] / n;
            }

            history.Add(totals[^1] + PropensityLogLikelihood(propensities, n));
            iterations++;

            double change = 0;
            for (int j = 0; j < m; j++)
            {
                double votes = totals[m + j];
                if (votes == 0)
                {
                    continue; // an LF that never votes carries no information about its accuracy
                }

                double updated = Options.L2 > 0
                    ? PenalisedAccuracy(totals[j], votes, n, k, accuracies[j], initialWeight, Options.L2)
                    : totals[j] / votes;
                updated = Math.Clamp(updated, Options.AccuracyAboveChance ? (1.0 / k) + ChanceMargin : AccuracyFloor, 1 - AccuracyFloor);
                change = Math.Max(change, Math.Abs(updated - accuracies[j]));
                accuracies[j] = updated;
            }

            if (Options.LearnClassPrior)
            {
                var updated = new double[k];
                double sum = 0;
                for (int y = 0; y < k; y++)
                {
                    updated[y] = Math.Max(totals[(2 * m) + y] / n, PriorFloor);
                    sum += updated[y];
                }

                for (int y = 0; y < k; y++)
                {
                    updated[y] /= sum;
                    change = Math.Max(change, Math.Abs(updated[y] - prior[y]));
                }

                prior = updated;
            }

            if (change < Options.Tolerance)
            {
                converged = true;
                break;
            }
        }

        return new DataProgrammingModel(m, k, prior, accuracies, propensities, iterations, converged, history.ToArray());
    }

    /// <summary>The factor weight w of an accuracy a with k classes: 2w = log((k − 1)·a / (1 − a)).</summary>
    internal static double Weight(double accuracy, int k) => 0.5 * Math.Log((k - 1) * accuracy / (1 - accuracy));

    /// <summary>Σ_j N_j log β_j + (n − N_j) log(1 − β_j) at the maximum-likelihood propensities β_j = N_j / n.</summary>
    private static double PropensityLogLikelihood(double[] propensities, long n)
    {
        double sum = 0;
        foreach (double beta in propensities)
        {
            // 0·log 0 = 0: an LF that always (or never) votes costs nothing.
            sum += beta > 0 ? n * beta * Math.Log(beta) : 0;
            sum += beta < 1 ? n * (1 - beta) * Math.Log(1 - beta) : 0;
        }

        return sum;
    }

    /// <summary>
    /// The M-step of one LF under the L2 penalty: maximises (2w·C − N·log(e^{2w} + k − 1))/n − L2/2·(w − w₀)², which is
    /// concave in w, by Newton's method from the current weight.
    /// </summary>
    private static double PenalisedAccuracy(double correct, double votes, long n, int k, double current, double w0, double l2)
    {
        double w = Weight(Math.Clamp(current, AccuracyFloor, 1 - AccuracyFloor), k);
        for (int iteration = 0; iteration < 50; iteration++)
        {
            double a = AccuracyOf(w, k);
            double gradient = (2 * (correct - (votes * a)) / n) - (l2 * (w - w0));
            double curvature = (-4 * votes * a * (1 - a) / n) - l2;
            double delta = gradient / curvature;
            w -= delta;
            if (Math.Abs(delta) < 1e-12)
            {
                break;
            }
        }

        return AccuracyOf(w, k);
    }

    /// <summary>a = e^{2w} / (e^{2w} + k − 1), computed without overflow.</summary>
    internal static double AccuracyOf(double w, int k) => 1 / (1 + ((k - 1) * Math.Exp(-2 * w)));


    /// <summary>The E-step of one iteration: parameters turned into per-vote log-weights once.</summary>
    private sealed class Step
    {
        private readonly double[] _logPrior;
        private readonly double[] _logWrongOrZero; // at 2j: 0 (abstain); at 2j + 1: log((1 − a_j) / (k − 1)), every vote's baseline
        private readonly double[] _gain;     // 2w_j = log a_j − log((1 − a_j)/(k − 1)): extra score for the voted class
        private readonly int _k;

        public Step(double[] accuracies, double[] prior, int k)
        {
            _k = k;
            _logPrior = prior.Select(p => Math.Log(p)).ToArray();
            _logWrongOrZero = accuracies.SelectMany(a => new[] { 0, Math.Log((1 - a) / (k - 1)) }).ToArray();
            _gain = accuracies.Select((a, j) => Math.Log(a) - _logWrongOrZero[(2 * j) + 1]).ToArray();
        }

        /// <summary>Adds each row's expected correct votes, vote counts, posterior and log-likelihood.</summary>
        /// <remarks>
        /// Branch-free over cells (abstains are unpredictable): scores live at [1, k] with slot 0 catching abstains,
        /// and each LF's baseline is indexed by whether it voted.
        /// </remarks>
        public void Accumulate(ReadOnlySpan<sbyte> votes, int rows, Span<double> sums)
        {
            int m = _gain.Length, k = _k;
            Span<double> scores = stackalloc double[k + 1];
            var post = scores[1..];
            ReadOnlySpan<double> gain = _gain;
            ReadOnlySpan<double> wrong = _logWrongOrZero;
            for (int i = 0; i < rows; i++)
            {
                var row = votes.Slice(i * m, m);
                double baseline = 0;
                _logPrior.CopyTo(post);
                for (int j = 0; j < m; j++)
                {
                    int v = row[j];
                    scores[v + 1] += gain[j];
                    baseline += wrong[(2 * j) + (v >= 0 ? 1 : 0)];
                }

                sums[^1] += baseline + SoftmaxInPlace(post);
                scores[0] = 0;
                for (int j = 0; j < m; j++)
                {
                    int v = row[j];
                    sums[j] += scores[v + 1];
                    sums[m + j] += v >= 0 ? 1 : 0;
                }

                for (int y = 0; y < k; y++)
                {
                    sums[(2 * m) + y] += post[y];
                }
            }
        }
    }

    /// <summary>Turns log-scores into probabilities in place; returns log Σ exp(scores).</summary>
    internal static double SoftmaxInPlace(Span<double> scores)
    {
        double max = double.NegativeInfinity;
        foreach (double s in scores)
        {
            max = Math.Max(max, s);
        }

        double sum = 0;
        for (int y = 0; y < scores.Length; y++)
        {
            scores[y] = Math.Exp(scores[y] - max);
            sum += scores[y];
        }

        for (int y = 0; y < scores.Length; y++)
        {
            scores[y] /= sum;
        }

        return max + Math.Log(sum);
    }
}

/// <summary>A fitted <see cref="DataProgramming"/> model.</summary>
public sealed class DataProgrammingModel : LabelModel, IGenerativeLabelModel
{
    internal const string Name = "data_programming";

    private readonly double[] _prior;
    private readonly double[] _accuracies;
    private readonly double[] _propensities;
    private readonly double[] _logLikelihoods;
    private readonly double[] _weights;
    private readonly double[] _gains; // 2w_j
    private readonly double[] _logPrior;

    internal DataProgrammingModel(int lfCount, int cardinality, double[] prior, double[] accuracies, double[] propensities,
        int iterations, bool converged, double[] logLikelihoods)
        : base(lfCount, cardinality)
    {
        _prior = prior;
        _accuracies = accuracies;
        _propensities = propensities;
        _logLikelihoods = logLikelihoods;
        Iterations = iterations;
        Converged = converged;
        _weights = accuracies.Select(a => DataProgramming.Weight(a, cardinality)).ToArray();
        _gains = _weights.Select(w => 2 * w).ToArray();
        _logPrior = prior.Select(p => Math.Log(p)).ToArray();
    }

    /// <inheritdoc />
    public override string ModelName => Name;

    /// <summary>EM iterations run (E-steps, each followed by an M-step).</summary>
    public int Iterations { get; }

    /// <summary>Whether EM met the tolerance before the iteration limit.</summary>
    public bool Converged { get; }

    /// <inheritdoc />
    public IReadOnlyList<double> ClassPrior => _prior;

    /// <summary>P(λ_j = Y | λ_j votes) of each LF.</summary>
    public IReadOnlyList<double> LfAccuracies => _accuracies;

    /// <summary>P(λ_j votes) of each LF (its coverage on the training rows).</summary>
    public IReadOnlyList<double> Propensities => _propensities;

    /// <summary>
    /// The equivalent factor weights w_j = ½ log((k − 1)·a_j / (1 − a_j)) of Snorkel v0.7's accuracy factors: the
    /// posterior is softmax_y(log π_y + 2 Σ_{j: λ_j = y} w_j).
    /// </summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>
    /// The exact marginal log-likelihood Σ_x log P(λ(x)) of the training rows under the parameters each E-step
    /// used (entry t: before the t-th M-step). Non-decreasing when <see cref="DataProgrammingOptions.L2"/> is 0.
    /// </summary>
    public IReadOnlyList<double> LogLikelihoods => _logLikelihoods;

    /// <inheritdoc />
    public double ConditionalProbability(int lf, int vote, int trueClass)
    {
        CheckConditionalArguments(lf, vote, trueClass);
        double beta = _propensities[lf];
        return vote < 0 ? 1 - beta
            : vote == trueClass ? beta * _accuracies[lf]
            : beta * (1 - _accuracies[lf]) / (Cardinality - 1);
    }

    private protected override void PredictBlock(ReadOnlySpan<sbyte> votes, int rows, Span<double> output)
    {
        int m = LfCount, k = Cardinality;
        Span<double> scores = stackalloc double[k + 1];
        ReadOnlySpan<double> gains = _gains;
        for (int i = 0; i < rows; i++)
        {
            var row = votes.Slice(i * m, m);
            _logPrior.CopyTo(scores[1..]);
            for (int j = 0; j < m; j++)
            {
                scores[row[j] + 1] += gains[j]; // slot 0 catches abstains: no unpredictable branch per cell
            }

            var post = output.Slice(i * k, k);
            scores[1..].CopyTo(post);
            DataProgramming.SoftmaxInPlace(post);
        }
    }

    private protected override void WriteParameters(Utf8JsonWriter writer)
    {
        writer.WriteNumber("iterations", Iterations);
        writer.WriteBoolean("converged", Converged);
        ModelJson.WriteDoubles(writer, "classPrior", _prior);
        ModelJson.WriteDoubles(writer, "accuracies", _accuracies);
        ModelJson.WriteDoubles(writer, "propensities", _propensities);
        ModelJson.WriteDoubles(writer, "logLikelihoods", _logLikelihoods);
    }

    internal static DataProgrammingModel ReadParameters(JsonElement parameters, int lfCount, int cardinality)
    {
        int iterations = ModelJson.GetInt(parameters, "iterations");
        if (iterations < 1)
        {
            throw new DataFormatException("Field 'iterations' must be at least 1.", column: "iterations");
        }

        bool converged = ModelJson.GetBool(parameters, "converged");
        var prior = ModelJson.GetDoubles(parameters, "classPrior", cardinality, double.Epsilon, 1);
        var accuracies = ModelJson.GetDoubles(parameters, "accuracies", lfCount, double.Epsilon, 1 - 1e-12);
        var propensities = ModelJson.GetDoubles(parameters, "propensities", lfCount, 0, 1);
        var history = ModelJson.GetDoubles(parameters, "logLikelihoods", iterations, double.MinValue, double.MaxValue);
        return new DataProgrammingModel(lfCount, cardinality, prior, accuracies, propensities, iterations, converged, history);
    }
}
