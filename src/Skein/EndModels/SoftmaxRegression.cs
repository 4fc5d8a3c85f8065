using System.Numerics.Tensors;
using System.Text.Json;
using Skein.Data;
using Skein.Features;
using Skein.LabelModels;

namespace Skein.EndModels;

/// <summary>Options of <see cref="SoftmaxRegression"/>.</summary>
public sealed record SoftmaxRegressionOptions
{
    /// <summary>L2 penalty λ/2·‖W‖² added to the weighted mean loss (biases are not penalised); finite, ≥ 0. Default 1e-4.</summary>
    public double L2 { get; init; } = 1e-4;

    /// <summary>Most L-BFGS iterations (one full pass each, plus line-search passes); at least 1. Default 200.</summary>
    public int MaxIterations { get; init; } = 200;

    /// <summary>Stop once the largest |gradient| entry is below this; finite, ≥ 0. Default 1e-5.</summary>
    public double Tolerance { get; init; } = 1e-5;

    /// <summary>
    /// Share of the training rows (seeded shuffle) held out for early stopping, in [0, 1); 0 (default) = none unless a
    /// <see cref="ValidationSet"/> is passed to Fit.
    /// </summary>
    public double ValidationFraction { get; init; }

    /// <summary>With a validation set: stop after this many iterations without a lower validation loss and keep the best weights; at least 1. Default 10.</summary>
    public int Patience { get; init; } = 10;

    /// <summary>Seed of the validation shuffle; null picks one at fit time and records it on the model.</summary>
    public int? Seed { get; init; }

    /// <summary>Threads per pass; -1 (default) = all cores. Results are bit-identical for every value.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}

/// <summary>
/// Multinomial logistic regression trained on soft labels: minimises Σ_i w_i·(−Σ_c y_ic log p_ic)/Σ_i w_i + λ/2‖W‖²
/// with full-batch L-BFGS from zero weights. The objective is convex (strictly so with λ &gt; 0), so L-BFGS needs no
/// learning rate, reaches the unique optimum whatever the input form (dense and sparse give the same model), and is
/// deterministic without any sampling. Sparse input costs O(nnz·k) per pass.
/// </summary>
public sealed class SoftmaxRegression : IEndModelTrainer
{
    private const int HistorySize = 10;

    /// <summary>A trainer with the default options.</summary>
    public SoftmaxRegression()
        : this(new SoftmaxRegressionOptions())
    {
    }

    /// <summary>A trainer with the given options.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public SoftmaxRegression(SoftmaxRegressionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = new OptionChecks(nameof(SoftmaxRegressionOptions));
        check.NonNegative(options.L2);
        check.AtLeast(options.MaxIterations, 1);
        check.NonNegative(options.Tolerance);
        check.InRange(options.ValidationFraction, 0, 1, maxOpen: true);
        check.AtLeast(options.Patience, 1);
        check.Parallelism(options.MaxDegreeOfParallelism);
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public SoftmaxRegressionOptions Options { get; }

    EndModel IEndModelTrainer.Fit(FeatureMatrix features, ProbabilisticLabels labels, IReadOnlyList<double>? weights, ValidationSet? validation) =>
        Fit(features, labels, weights, validation);

    /// <summary>Fits the model.</summary>
    /// <param name="features">n×d features (dense or sparse).</param>
    /// <param name="labels">n×k soft labels.</param>
    /// <param name="weights">Optional per-row weights (finite, ≥ 0, not all 0).</param>
    /// <param name="validation">Optional explicit validation set for early stopping.</param>
    /// <exception cref="ArgumentException">No rows, mismatched row counts, bad weights, or both a validation set and a fraction.</exception>
    public SoftmaxRegressionModel Fit(FeatureMatrix features, ProbabilisticLabels labels, IReadOnlyList<double>? weights = null, ValidationSet? validation = null)
    {
        int seed = Options.Seed ?? Random.Shared.Next();
        var data = TrainingData.Prepare(nameof(SoftmaxRegression), features, labels, weights, validation, Options.ValidationFraction, seed);
        int d = data.Features.ColumnCount, k = data.Labels.Cardinality, size = checked((k * d) + k);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism };
        var objective = new Objective(data, Options.L2, parallel);

        var x = new float[size];
        var g = new float[size];
        double f = objective.Evaluate(x, g, out double dataLoss);
        var history = new List<EpochRecord>();
        var s = new List<float[]>();
        var y = new List<float[]>();
        var rho = new List<double>();
        var direction = new float[size];
        var xNew = new float[size];
        var gNew = new float[size];
        float[]? best = null;
        double bestValidation = double.PositiveInfinity;
        int sinceBest = 0;

        for (int iteration = 1; iteration <= Options.MaxIterations; iteration++)
        {
            // MaxMagnitude returns the signed entry, hence the Abs.
            if (Math.Abs(TensorPrimitives.MaxMagnitude(g)) <= Options.Tolerance)
            {
                break;
            }

            TwoLoop(g, s, y, rho, direction);
            double slope = TensorPrimitives.Dot(g, direction);
            if (!(slope < 0))
            {
                // Not a descent direction (stale curvature): restart from steepest descent.
                s.Clear();
                y.Clear();
                rho.Clear();
                TensorPrimitives.Negate(g, direction);
                slope = TensorPrimitives.Dot(g, direction);
            }

            // Without curvature pairs the direction is −g: start with a step of unit length.
            double step = s.Count == 0 ? 1 / Math.Max(1, Math.Sqrt(-slope)) : 1;
            double fNew = double.NaN, dataLossNew = double.NaN;
            bool accepted = false;
            for (int tries = 0; tries < 40; tries++)
            {
                TensorPrimitives.MultiplyAdd(direction, (float)step, x, xNew);
                fNew = objective.Evaluate(xNew, gNew, out dataLossNew);
                // Armijo sufficient decrease.
                if (fNew <= f + (1e-4 * step * slope))
                {
                    accepted = true;
                    break;
                }

                step *= 0.5;
            }

            if (!accepted)
            {
                break; // No decrease is possible at float precision: converged as far as it can.
            }

            // Reuse the oldest pair's arrays once the history is full: d·k floats each, too big to allocate per iteration.
            float[] sk, yk;
            if (s.Count == HistorySize)
            {
                (sk, yk) = (s[0], y[0]);
                s.RemoveAt(0);
                y.RemoveAt(0);
                rho.RemoveAt(0);
            }
            else
            {
                (sk, yk) = (new float[size], new float[size]);
            }

            TensorPrimitives.Subtract(xNew, x, sk);
            TensorPrimitives.Subtract(gNew, g, yk);
            double sy = TensorPrimitives.Dot(sk, yk);
            if (sy > 1e-12)
            {
                s.Add(sk);
                y.Add(yk);
                rho.Add(1 / sy);
            }

            (x, xNew) = (xNew, x);
            (g, gNew) = (gNew, g);
            double previous = f;
            f = fNew;
            dataLoss = dataLossNew;

            double? valLoss = null, valAcc = null;
            if (data.Validation is { } val)
            {
                var snapshot = new SoftmaxRegressionModel(d, k, seed, [], x);
                (double l, double a) = Losses.Evaluate(snapshot, val.Features, val.Labels, parallel);
                (valLoss, valAcc) = (l, a);
                if (l < bestValidation)
                {
                    bestValidation = l;
                    best = (float[])x.Clone();
                    sinceBest = 0;
                }
                else if (++sinceBest >= Options.Patience)
                {
                    history.Add(new EpochRecord(iteration, dataLoss, valLoss, valAcc));
                    break;
                }
            }

            history.Add(new EpochRecord(iteration, dataLoss, valLoss, valAcc));
            if (previous - f <= 1e-12 * Math.Max(1, Math.Abs(f)))
            {
                break; // Progress below float resolution.
            }
        }

        return new SoftmaxRegressionModel(d, k, seed, [.. history], best ?? x);
    }

    /// <summary>L-BFGS two-loop recursion: direction = −H·g from the stored (s, y) pairs.</summary>
    private static void TwoLoop(float[] g, List<float[]> s, List<float[]> y, List<double> rho, float[] direction)
    {
        TensorPrimitives.Negate(g, direction);
        var alpha = new double[s.Count];
        for (int i = s.Count - 1; i >= 0; i--)
        {
            alpha[i] = rho[i] * TensorPrimitives.Dot(s[i], direction);
            TensorPrimitives.MultiplyAdd(y[i], (float)-alpha[i], direction, direction);
        }

        if (s.Count > 0)
        {
            int last = s.Count - 1;
            double gamma = TensorPrimitives.Dot(s[last], y[last]) / TensorPrimitives.Dot(y[last], y[last]);
            TensorPrimitives.Multiply(direction, (float)gamma, direction);
        }

        for (int i = 0; i < s.Count; i++)
        {
            double beta = rho[i] * TensorPrimitives.Dot(y[i], direction);
            TensorPrimitives.MultiplyAdd(s[i], (float)(alpha[i] - beta), direction, direction);
        }
    }

    /// <summary>The training objective and its gradient over a flat parameter vector [W (k×d, row-major), b (k)].</summary>
    internal sealed class Objective
    {
        private readonly TrainingData _data;
        private readonly double _l2;
        private readonly ParallelOptions _parallel;
        private readonly int[] _rows;
        private readonly float[] _logits;
        private readonly float[] _coef;
        private readonly float[] _bias;

        public Objective(TrainingData data, double l2, ParallelOptions parallel)
        {
            _data = data;
            _l2 = l2;
            _parallel = parallel;
            _rows = FeatureMatrix.AllRows(data.RowCount);
            int k = data.Labels.Cardinality;
            _logits = new float[data.RowCount * k];
            _coef = new float[data.RowCount * k];
            _bias = new float[k];
        }

        public static Objective Create(FeatureMatrix features, ProbabilisticLabels labels, IReadOnlyList<double>? weights, double l2) =>
            new(TrainingData.Prepare(nameof(SoftmaxRegression), features, labels, weights, null, 0, 0), l2, new ParallelOptions());

        /// <summary>Fills <paramref name="grad"/> and returns the penalised objective; <paramref name="dataLoss"/> is the loss without the penalty.</summary>
        public double Evaluate(float[] theta, float[] grad, out double dataLoss)
        {
            int n = _data.RowCount, d = _data.Features.ColumnCount, k = _data.Labels.Cardinality, wLength = k * d;
            theta.AsSpan(wLength, k).CopyTo(_bias);
            _data.Features.MultiplyTransposed(_rows, n, theta, _bias, k, _logits, _parallel);
            dataLoss = Losses.Batch(_logits, n, k, _data.Labels, _rows, _data.Weights, _data.WeightSum, _coef);

            Array.Clear(grad);
            _data.Features.AccumulateTransposedProduct(_rows, n, _coef, k, grad, _parallel);
            for (int c = 0; c < k; c++)
            {
                double sum = 0;
                for (int r = 0; r < n; r++)
                {
                    sum += _coef[(r * k) + c];
                }

                grad[wLength + c] = (float)sum;
            }

            var w = theta.AsSpan(0, wLength);
            double penalty = 0;
            if (_l2 > 0)
            {
                penalty = 0.5 * _l2 * TensorPrimitives.Dot(w, w);
                TensorPrimitives.MultiplyAdd(w, (float)_l2, grad.AsSpan(0, wLength), grad.AsSpan(0, wLength));
            }

            return dataLoss + penalty;
        }
    }
}

/// <summary>A fitted <see cref="SoftmaxRegression"/>: p = softmax(W·x + b). Immutable and thread-safe.</summary>
public sealed class SoftmaxRegressionModel : EndModel
{
    internal const string Name = "softmax_regression";

    // Flat [W (k×d, row-major), b (k)], never written after construction.
    private readonly float[] _theta;
    private readonly float[] _bias;

    internal SoftmaxRegressionModel(int featureCount, int cardinality, int seed, EpochRecord[] history, float[] theta)
        : base(featureCount, cardinality, seed, history)
    {
        _theta = theta;
        _bias = theta.AsSpan(featureCount * cardinality, cardinality).ToArray();
    }

    /// <inheritdoc/>
    public override string ModelName => Name;

    /// <summary>The k×d weight matrix, row-major (class c's weights in [c·d, (c+1)·d)).</summary>
    public ReadOnlySpan<float> Weights => _theta.AsSpan(0, FeatureCount * Cardinality);

    /// <summary>The k class biases.</summary>
    public ReadOnlySpan<float> Biases => _bias;

    internal override void Logits(FeatureMatrix features, int[] rows, int count, float[] logits, ParallelOptions parallel) =>
        features.MultiplyTransposed(rows, count, _theta, _bias, Cardinality, logits, parallel);

    private protected override void WriteParameters(Utf8JsonWriter writer)
    {
        WriteFloats(writer, "weights", Weights);
        WriteFloats(writer, "biases", _bias);
    }

    internal static SoftmaxRegressionModel ReadParameters(JsonElement parameters, int d, int k, int seed, EpochRecord[] history)
    {
        // Read (and length-check) both arrays before allocating the parameter vector.
        int size = ModelJson.Size("weights", k, d);
        var weights = ReadFloats(parameters, "weights", size);
        var biases = ReadFloats(parameters, "biases", k);
        var theta = new float[ModelJson.Size("weights", size + k)];
        weights.CopyTo(theta, 0);
        biases.CopyTo(theta, size);
        return new SoftmaxRegressionModel(d, k, seed, history, theta);
    }
}
