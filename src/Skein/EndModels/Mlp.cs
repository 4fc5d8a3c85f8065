using System.Numerics.Tensors;
using System.Text.Json;
using Skein.Data;
using Skein.Features;
using Skein.IO;
using Skein.LabelModels;

namespace Skein.EndModels;

/// <summary>Hidden-layer nonlinearity of an <see cref="Mlp"/>.</summary>
public enum Activation
{
    /// <summary>max(0, x).</summary>
    Relu,

    /// <summary>GELU, tanh approximation: x/2·(1 + tanh(√(2/π)(x + 0.044715x³))) (as BERT and PyTorch's approximate="tanh").</summary>
    Gelu,
}

/// <summary>Options of <see cref="Mlp"/>.</summary>
public sealed record MlpOptions
{
    /// <summary>Sizes of the 1 or 2 hidden layers, each at least 1. Default [256].</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [256];

    /// <summary>Hidden-layer activation. Default <see cref="Activation.Relu"/>.</summary>
    public Activation Activation { get; init; } = Activation.Relu;

    /// <summary>Dropout rate on hidden activations during training (inverted dropout), in [0, 1). Default 0.1.</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary>Adam learning rate; finite, &gt; 0. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Adam β1, in [0, 1). Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam β2, in [0, 1). Default 0.999.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Adam ε; finite, &gt; 0. Default 1e-8.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>L2 weight decay λ: adds λ/2‖W‖² to the loss (λ·W to the gradient, as PyTorch's Adam), weights only; finite, ≥ 0. Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Rows per minibatch; at least 1. Default 128.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Most passes over the training rows; at least 1. Default 50.</summary>
    public int Epochs { get; init; } = 50;

    /// <summary>Share of the training rows (seeded shuffle) held out for early stopping, in [0, 1); 0 (default) = none unless a <see cref="ValidationSet"/> is passed to Fit.</summary>
    public double ValidationFraction { get; init; }

    /// <summary>With a validation set: stop after this many epochs without a lower validation loss; at least 1. Default 5.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>With a validation set: return the weights of the epoch with the lowest validation loss. Default true.</summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>Seed of initialisation, shuffles, dropout and the validation split; null picks one and records it on the model.</summary>
    public int? Seed { get; init; }

    /// <summary>Threads per pass; -1 (default) = all cores. Results are bit-identical for every value.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}

/// <summary>
/// A multilayer perceptron (1–2 hidden layers) trained on soft labels with minibatch Adam: weighted soft cross-entropy,
/// dropout, optional L2 weight decay and early stopping. Dense or sparse input (a sparse first layer only touches
/// stored entries in the forward and gradient passes; Adam still updates every weight). All parallel loops own
/// their outputs and sum in a fixed order, so a seed gives the same bits on any number of threads.
/// </summary>
public sealed class Mlp : IEndModelTrainer
{
    /// <summary>A trainer with the default options.</summary>
    public Mlp()
        : this(new MlpOptions())
    {
    }

    /// <summary>A trainer with the given options.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public Mlp(MlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = new OptionChecks(nameof(MlpOptions));
        check.That(options.HiddenSizes is { Count: 1 or 2 } h && h.All(s => s >= 1), $"HiddenSizes = [{string.Join(", ", options.HiddenSizes ?? [])}]; give 1 or 2 sizes, each at least 1.");
        check.Defined(options.Activation);
        check.InRange(options.Dropout, 0, 1, maxOpen: true);
        check.Positive(options.LearningRate);
        check.InRange(options.Beta1, 0, 1, maxOpen: true);
        check.InRange(options.Beta2, 0, 1, maxOpen: true);
        check.Positive(options.Epsilon);
        check.NonNegative(options.WeightDecay);
        check.AtLeast(options.BatchSize, 1);
        check.AtLeast(options.Epochs, 1);
        check.InRange(options.ValidationFraction, 0, 1, maxOpen: true);
        check.AtLeast(options.Patience, 1);
        check.Parallelism(options.MaxDegreeOfParallelism);
        Options = options with { HiddenSizes = [.. options.HiddenSizes!] };
    }

    /// <summary>The validated options.</summary>
    public MlpOptions Options { get; }

    EndModel IEndModelTrainer.Fit(FeatureMatrix features, ProbabilisticLabels labels, IReadOnlyList<double>? weights, ValidationSet? validation) =>
        Fit(features, labels, weights, validation);

    /// <summary>Fits the network.</summary>
    /// <param name="features">n×d features (dense or sparse).</param>
    /// <param name="labels">n×k soft labels.</param>
    /// <param name="weights">Optional per-row weights (finite, ≥ 0, not all 0).</param>
    /// <param name="validation">Optional explicit validation set for early stopping.</param>
    /// <exception cref="ArgumentException">No rows, mismatched row counts, bad weights, or both a validation set and a fraction.</exception>
    public MlpModel Fit(FeatureMatrix features, ProbabilisticLabels labels, IReadOnlyList<double>? weights = null, ValidationSet? validation = null) =>
        Fit(features, labels, weights, validation, objective: null);

    /// <summary>
    /// Fits the network with an objective that rewrites each minibatch's targets and weights (see
    /// <see cref="ISoftTargetObjective"/>), optionally starting from a fitted model's weights (fine-tuning) instead of
    /// a fresh initialisation. Early stopping still uses plain cross-entropy on the validation labels.
    /// </summary>
    /// <param name="features">n×d features (dense or sparse).</param>
    /// <param name="labels">n×k soft labels: the targets the objective starts from.</param>
    /// <param name="weights">Optional per-row weights (finite, ≥ 0, not all 0).</param>
    /// <param name="validation">Optional explicit validation set for early stopping.</param>
    /// <param name="objective">Target/weight rewriting per batch; null trains on <paramref name="labels"/> as given.</param>
    /// <param name="initialModel">Start from these weights (same layer sizes and activation as the options); null = fresh.</param>
    /// <exception cref="ArgumentException">As the other overload, or the initial model's shape differs from the options and data.</exception>
    /// <exception cref="InvalidOperationException">The objective produced a target row that is not a distribution or a negative weight.</exception>
    public MlpModel Fit(FeatureMatrix features, ProbabilisticLabels labels, IReadOnlyList<double>? weights, ValidationSet? validation,
        ISoftTargetObjective? objective, MlpModel? initialModel = null)
    {
        var o = Options;
        int seed = o.Seed ?? Random.Shared.Next();
        var data = TrainingData.Prepare(nameof(Mlp), features, labels, weights, validation, o.ValidationFraction, seed);
        var session = new Session(o, data, seed, initialModel?.Network);
        int d = data.Features.ColumnCount, k = data.Labels.Cardinality;
        var history = new List<EpochRecord>();
        Network? best = null;
        double bestValidation = double.PositiveInfinity;
        int sinceBest = 0;

        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            double trainLoss = session.RunEpoch(epoch, objective);
            double? valLoss = null, valAcc = null;
            bool stop = false;
            if (data.Validation is { } val)
            {
                (double l, double a) = Losses.Evaluate(new MlpModel(d, k, seed, [], session.Net), val.Features, val.Labels, session.Parallel);
                (valLoss, valAcc) = (l, a);
                if (l < bestValidation)
                {
                    bestValidation = l;
                    best = session.Net.Clone();
                    sinceBest = 0;
                }
                else
                {
                    stop = ++sinceBest >= o.Patience;
                }
            }

            history.Add(new EpochRecord(epoch, trainLoss, valLoss, valAcc));
            if (stop)
            {
                break;
            }
        }

        var final = o.RestoreBestWeights && best is not null ? best : session.Net.Clone();
        return new MlpModel(d, k, seed, [.. history], final);
    }

    /// <summary>
    /// The state of one training run (network, Adam moments, random stream, step counter), stepped one minibatch or one
    /// epoch at a time. <see cref="Fit(FeatureMatrix, ProbabilisticLabels, IReadOnlyList{double}?, ValidationSet?)"/> is a
    /// loop over epochs of it; meta-trainers (mean teacher, co-teaching, look-ahead teachers) drive it directly.
    /// </summary>
    internal sealed class Session
    {
        private readonly MlpOptions _options;
        private readonly int[] _order;
        private readonly int[] _batch;
        private readonly float[][] _gradW;
        private readonly float[][] _gradB;
        private Adam _adam;

        public Session(MlpOptions options, TrainingData data, int seed, Network? initial)
        {
            _options = options;
            Data = data;
            Parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
            Random = new Random(seed);
            int n = data.RowCount, d = data.Features.ColumnCount, k = data.Labels.Cardinality;
            int[] sizes = [d, .. options.HiddenSizes, k];
            if (initial is not null)
            {
                if (!initial.Sizes.SequenceEqual(sizes) || initial.Activation != options.Activation)
                {
                    throw new ArgumentException(
                        $"The initial model has layer sizes [{string.Join(", ", initial.Sizes)}] and {initial.Activation}; " +
                        $"the options and data need [{string.Join(", ", sizes)}] and {options.Activation}.", nameof(initial));
                }

                Net = initial.Clone();
            }
            else
            {
                Net = Network.Initialise(sizes, options.Activation, Random);
            }

            _gradW = [.. Net.Weights.Select(w => new float[w.Length])];
            _gradB = [.. Net.Biases.Select(b => new float[b.Length])];
            _adam = new Adam(Net, options);
            _order = FeatureMatrix.AllRows(n);
            _batch = new int[Math.Min(options.BatchSize, n)];
            StepsPerEpoch = (n + _batch.Length - 1) / _batch.Length;
            TotalSteps = (long)StepsPerEpoch * options.Epochs;
        }

        public TrainingData Data { get; }

        public ParallelOptions Parallel { get; }

        /// <summary>The one random stream of the run: initialisation, shuffles and dropout, in that order of use.</summary>
        public Random Random { get; }

        /// <summary>The live network (mutated by every step).</summary>
        public Network Net { get; private set; }

        public int StepsPerEpoch { get; }

        public long TotalSteps { get; }

        /// <summary>Optimiser steps taken (or skipped because every weight of the batch was 0).</summary>
        public long Step { get; private set; }

        /// <summary>Called after every optimiser step (e.g. a teacher's EMA update).</summary>
        public Action<Session>? AfterStep { get; set; }

        /// <summary>One shuffled pass; returns the weighted mean loss of the batches that were trained.</summary>
        public double RunEpoch(int epoch, ISoftTargetObjective? objective)
        {
            int n = _order.Length;
            for (int i = n - 1; i > 0; i--)
            {
                int j = Random.Next(i + 1);
                (_order[i], _order[j]) = (_order[j], _order[i]);
            }

            double weightedLoss = 0, weightTotal = 0;
            for (int start = 0; start < n; start += _batch.Length)
            {
                int count = Math.Min(_batch.Length, n - start);
                Array.Copy(_order, start, _batch, 0, count);
                (double loss, double weight) = TrainStep(_batch, count, epoch, objective);
                weightedLoss += loss * weight;
                weightTotal += weight;
            }

            return weightTotal > 0 ? weightedLoss / weightTotal : 0;
        }

        /// <summary>
        /// One Adam step on the first <paramref name="count"/> of <paramref name="rows"/> (dropout masks drawn first);
        /// returns the batch's mean loss and its total weight (0 when the step was skipped).
        /// </summary>
        public (double Loss, double Weight) TrainStep(int[] rows, int count, int epoch, ISoftTargetObjective? objective)
        {
            var masks = _options.Dropout > 0 ? DropoutMasks(Net, count, _options.Dropout, Random) : null;
            double batchWeight = 0;
            double loss;
            if (objective is null)
            {
                for (int r = 0; r < count; r++)
                {
                    batchWeight += Data.Weights[rows[r]];
                }

                if (batchWeight == 0)
                {
                    Step++;
                    return (0, 0);
                }

                loss = Net.LossAndGradient(Data.Features, rows, count, Data.Labels, Data.Weights, batchWeight, masks, _options.WeightDecay,
                    _gradW, _gradB, Parallel, out _);
            }
            else
            {
                long step = Step;
                loss = Net.LossAndGradient(Data.Features, rows, count, (logits, delta) =>
                {
                    (double l, batchWeight) = ObjectiveLoss(objective, logits, rows, count, epoch, step, delta);
                    return l;
                }, masks, _options.WeightDecay, _gradW, _gradB, Parallel, out _);
                if (batchWeight == 0)
                {
                    Step++;
                    return (0, 0);
                }
            }

            _adam.Step(Net, _gradW, _gradB);
            Step++;
            AfterStep?.Invoke(this);
            return (loss, batchWeight);
        }

        /// <summary>
        /// One Adam step on a loss given as a function of the batch's logits (count×k), which returns the loss and writes
        /// ∂loss/∂logits into its second argument (mean teacher's consistency, distillation's temperature-scaled term).
        /// <paramref name="rows"/> index <paramref name="features"/>, which may be other than the session's data (e.g. a
        /// noisy copy of the batch) but must have its column count. Dropout masks are drawn first, as in the other overload;
        /// the step is always taken. Returns the loss.
        /// </summary>
        public double TrainStep(FeatureMatrix features, int[] rows, int count, Func<float[], float[], double> lossAtLogits)
        {
            var masks = _options.Dropout > 0 ? DropoutMasks(Net, count, _options.Dropout, Random) : null;
            double loss = Net.LossAndGradient(features, rows, count, lossAtLogits, masks, _options.WeightDecay, _gradW, _gradB, Parallel, out _);
            _adam.Step(Net, _gradW, _gradB);
            Step++;
            AfterStep?.Invoke(this);
            return loss;
        }

        /// <summary>A copy of the network and optimiser state, for look-ahead steps that are undone afterwards.</summary>
        public (Network Net, Adam Optimiser) Snapshot() => (Net.Clone(), _adam.Clone());

        /// <summary>Returns to a <see cref="Snapshot"/> (the random stream and step counter keep advancing).</summary>
        public void Restore((Network Net, Adam Optimiser) snapshot)
        {
            Net = snapshot.Net.Clone();
            _adam = snapshot.Optimiser.Clone();
        }

        /// <summary>Returns the network's parameters to a snapshot's and keeps the optimiser state as it is (the FST repo's restore).</summary>
        public void RestoreParameters(Network parameters) => Net = parameters.Clone();

        private (double Loss, double WeightSum) ObjectiveLoss(ISoftTargetObjective objective, float[] logits, int[] rows, int count, int epoch,
            long step, float[] delta)
        {
            int k = Data.Labels.Cardinality;
            var probabilities = new double[count * k];
            var targets = new double[count * k];
            var weights = new double[count];
            for (int r = 0; r < count; r++)
            {
                Losses.Softmax(logits.AsSpan(r * k, k), probabilities.AsSpan(r * k, k));
                Data.Labels.Row(rows[r]).CopyTo(targets.AsSpan(r * k, k));
                weights[r] = Data.Weights[rows[r]];
            }

            objective.Adjust(new SoftTargetBatch(rows.AsSpan(0, count), k, probabilities, targets, weights, epoch, step, TotalSteps));
            double weightSum = 0;
            for (int r = 0; r < count; r++)
            {
                double w = weights[r], sum = 0;
                bool valid = double.IsFinite(w) && w >= 0;
                for (int c = 0; c < k && valid; c++)
                {
                    double t = targets[(r * k) + c];
                    valid = double.IsFinite(t) && t >= 0;
                    sum += t;
                }

                if (!valid || Math.Abs(sum - 1) > 1e-6)
                {
                    throw new InvalidOperationException(
                        $"{objective.GetType().Name} left batch row {r} (training row {rows[r]}) with weight {w} and a target that is not " +
                        "a probability distribution.");
                }

                weightSum += w;
            }

            return weightSum == 0 ? (0, 0) : (Losses.Batch(logits, count, k, targets, weights, weightSum, delta), weightSum);
        }
    }

    /// <summary>Per hidden layer, a count×h mask of 0 (dropped) or 1/(1 − p) (kept), drawn in a fixed order.</summary>
    private static float[][] DropoutMasks(Network net, int count, double rate, Random random)
    {
        var masks = new float[net.Weights.Length - 1][];
        float keep = (float)(1 / (1 - rate));
        for (int l = 0; l < masks.Length; l++)
        {
            masks[l] = new float[count * net.Sizes[l + 1]];
            for (int i = 0; i < masks[l].Length; i++)
            {
                masks[l][i] = random.NextDouble() < rate ? 0f : keep;
            }
        }

        return masks;
    }

    /// <summary>Weights W_l (out×in, row-major) and biases of each layer, with the forward and backward passes.</summary>
    internal sealed class Network
    {
        private const float GeluC = 0.7978845608f; // √(2/π)
        private const float GeluA = 0.044715f;

        public Network(int[] sizes, Activation activation, float[][] weights, float[][] biases)
        {
            Sizes = sizes;
            Activation = activation;
            Weights = weights;
            Biases = biases;
        }

        /// <summary>d, hidden sizes…, k.</summary>
        public int[] Sizes { get; }

        public Activation Activation { get; }

        public float[][] Weights { get; }

        public float[][] Biases { get; }

        /// <summary>He-uniform hidden layers (suits ReLU/GELU), Glorot-uniform output layer, zero biases.</summary>
        public static Network Initialise(int[] sizes, Activation activation, Random random)
        {
            int layers = sizes.Length - 1;
            var weights = new float[layers][];
            var biases = new float[layers][];
            for (int l = 0; l < layers; l++)
            {
                int fanIn = sizes[l], fanOut = sizes[l + 1];
                double limit = l < layers - 1 ? Math.Sqrt(6.0 / fanIn) : Math.Sqrt(6.0 / (fanIn + fanOut));
                weights[l] = new float[checked(fanIn * fanOut)];
                for (int i = 0; i < weights[l].Length; i++)
                {
                    weights[l][i] = (float)(((2 * random.NextDouble()) - 1) * limit);
                }

                biases[l] = new float[fanOut];
            }

            return new Network(sizes, activation, weights, biases);
        }

        public Network Clone() =>
            new(Sizes, Activation, [.. Weights.Select(w => (float[])w.Clone())], [.. Biases.Select(b => (float[])b.Clone())]);

        /// <summary>Output logits (count×k) of rows, without dropout.</summary>
        public void Forward(FeatureMatrix x, int[] rows, int count, float[] logits, ParallelOptions parallel) =>
            Run(x, rows, count, null, logits, null, null, parallel);

        /// <summary>
        /// Weighted mean soft cross-entropy of a batch (data part, returned) plus λ/2·Σ‖W‖² (in <paramref name="total"/>),
        /// with the gradient of the total in <paramref name="gradW"/> / <paramref name="gradB"/>.
        /// </summary>
        public double LossAndGradient(FeatureMatrix x, int[] rows, int count, ProbabilisticLabels labels, double[] weights, double weightSum,
            float[][]? masks, double weightDecay, float[][] gradW, float[][] gradB, ParallelOptions parallel, out double total) =>
            LossAndGradient(x, rows, count, (logits, delta) => Losses.Batch(logits, count, Sizes[^1], labels, rows, weights, weightSum, delta),
                masks, weightDecay, gradW, gradB, parallel, out total);

        /// <summary>
        /// As above, with the data loss given as a function of the batch's logits (count×k) that returns the loss and
        /// writes ∂loss/∂logits into its second argument; a loss that writes an all-zero gradient leaves the data part 0.
        /// </summary>
        public double LossAndGradient(FeatureMatrix x, int[] rows, int count, Func<float[], float[], double> lossAtLogits,
            float[][]? masks, double weightDecay, float[][] gradW, float[][] gradB, ParallelOptions parallel, out double total)
        {
            int layers = Weights.Length, k = Sizes[^1];
            var pre = new float[layers - 1][];
            var acts = new float[layers - 1][];
            var logits = new float[count * k];
            Run(x, rows, count, masks, logits, pre, acts, parallel);
            var delta = new float[count * k];
            double loss = lossAtLogits(logits, delta);
            var identity = FeatureMatrix.AllRows(count);

            for (int l = layers - 1; l >= 0; l--)
            {
                int outSize = Sizes[l + 1], inSize = Sizes[l];
                var input = l == 0 ? x : DenseMatrix.Wrap(acts[l - 1], count, inSize);
                var inputRows = l == 0 ? rows : identity;
                Array.Clear(gradW[l]);
                input.AccumulateTransposedProduct(inputRows, count, delta, outSize, gradW[l], parallel);
                for (int o = 0; o < outSize; o++)
                {
                    double sum = 0;
                    for (int r = 0; r < count; r++)
                    {
                        sum += delta[(r * outSize) + o];
                    }

                    gradB[l][o] = (float)sum;
                }

                if (l == 0)
                {
                    break;
                }

                // δ_prev = (δ·W_l) ⊙ mask ⊙ act'(z): one task per row, so no shared accumulation.
                var w = Weights[l];
                var current = delta;
                var previous = new float[count * inSize];
                var z = pre[l - 1];
                var mask = masks?[l - 1];
                Parallel.For(0, count, parallel, r =>
                {
                    var target = previous.AsSpan(r * inSize, inSize);
                    for (int o = 0; o < outSize; o++)
                    {
                        float c = current[(r * outSize) + o];
                        if (c != 0)
                        {
                            TensorPrimitives.MultiplyAdd(w.AsSpan(o * inSize, inSize), c, target, target);
                        }
                    }

                    var zr = z.AsSpan(r * inSize, inSize);
                    for (int j = 0; j < inSize; j++)
                    {
                        target[j] *= Derivative(zr[j]) * (mask is null ? 1f : mask[(r * inSize) + j]);
                    }
                });
                delta = previous;
            }

            double penalty = 0;
            if (weightDecay > 0)
            {
                for (int l = 0; l < layers; l++)
                {
                    penalty += 0.5 * weightDecay * TensorPrimitives.Dot(Weights[l], Weights[l]);
                    TensorPrimitives.MultiplyAdd(Weights[l], (float)weightDecay, gradW[l], gradW[l]);
                }
            }

            total = loss + penalty;
            return loss;
        }

        private void Run(FeatureMatrix x, int[] rows, int count, float[][]? masks, float[] logits, float[][]? pre, float[][]? acts, ParallelOptions parallel)
        {
            int layers = Weights.Length;
            FeatureMatrix input = x;
            var inputRows = rows;
            for (int l = 0; l < layers; l++)
            {
                int outSize = Sizes[l + 1];
                var output = l == layers - 1 ? logits : new float[count * outSize];
                input.MultiplyTransposed(inputRows, count, Weights[l], Biases[l], outSize, output, parallel);
                if (l == layers - 1)
                {
                    break;
                }

                var a = new float[output.Length];
                if (Activation == Activation.Relu)
                {
                    TensorPrimitives.Max(output, 0f, a);
                }
                else
                {
                    for (int i = 0; i < a.Length; i++)
                    {
                        float v = output[i];
                        a[i] = 0.5f * v * (1 + MathF.Tanh(GeluC * (v + (GeluA * v * v * v))));
                    }
                }

                if (masks is not null)
                {
                    TensorPrimitives.Multiply(a, masks[l], a);
                }

                if (pre is not null)
                {
                    pre[l] = output;
                    acts![l] = a;
                }

                input = DenseMatrix.Wrap(a, count, outSize);
                inputRows = l == 0 ? FeatureMatrix.AllRows(count) : inputRows;
            }
        }

        private float Derivative(float z)
        {
            if (Activation == Activation.Relu)
            {
                return z > 0 ? 1f : 0f;
            }

            float t = MathF.Tanh(GeluC * (z + (GeluA * z * z * z)));
            return (0.5f * (1 + t)) + (0.5f * z * (1 - (t * t)) * GeluC * (1 + (3 * GeluA * z * z)));
        }
    }

    /// <summary>Adam (PyTorch's update: bias-corrected moments, ε added to √v̂), on whole arrays with TensorPrimitives.</summary>
    internal sealed class Adam
    {
        private readonly float[][] _m;
        private readonly float[][] _v;
        private readonly float[] _scratch;
        private readonly MlpOptions _options;
        private int _step;

        public Adam(Network net, MlpOptions options)
        {
            var all = net.Weights.Concat(net.Biases).ToArray();
            _m = [.. all.Select(p => new float[p.Length])];
            _v = [.. all.Select(p => new float[p.Length])];
            _scratch = new float[all.Max(p => p.Length)];
            _options = options;
        }

        private Adam(Adam source)
        {
            _m = [.. source._m.Select(a => (float[])a.Clone())];
            _v = [.. source._v.Select(a => (float[])a.Clone())];
            _scratch = new float[source._scratch.Length];
            _options = source._options;
            _step = source._step;
        }

        public Adam Clone() => new(this);

        public void Step(Network net, float[][] gradW, float[][] gradB)
        {
            _step++;
            var parameters = net.Weights.Concat(net.Biases).ToArray();
            var grads = gradW.Concat(gradB).ToArray();
            float b1 = (float)_options.Beta1, b2 = (float)_options.Beta2;
            double correction1 = 1 - Math.Pow(_options.Beta1, _step);
            float invSqrtCorrection2 = (float)(1 / Math.Sqrt(1 - Math.Pow(_options.Beta2, _step)));
            float stepSize = (float)(_options.LearningRate / correction1);
            for (int i = 0; i < parameters.Length; i++)
            {
                var g = grads[i];
                var m = _m[i];
                var v = _v[i];
                var t = _scratch.AsSpan(0, g.Length);
                TensorPrimitives.Multiply(m, b1, m);
                TensorPrimitives.MultiplyAdd(g, 1 - b1, m, m);
                TensorPrimitives.Multiply(v, b2, v);
                TensorPrimitives.Multiply(g, g, t);
                TensorPrimitives.MultiplyAdd(t, 1 - b2, v, v);
                TensorPrimitives.Sqrt(v, t);
                TensorPrimitives.Multiply(t, invSqrtCorrection2, t);
                TensorPrimitives.Add(t, (float)_options.Epsilon, t);
                TensorPrimitives.Divide(m, t, t);
                TensorPrimitives.MultiplyAdd(t, -stepSize, parameters[i], parameters[i]);
            }
        }
    }
}

/// <summary>A fitted <see cref="Mlp"/>. Immutable and thread-safe.</summary>
public sealed class MlpModel : EndModel
{
    internal const string Name = "mlp";

    // Rows per forward block when predicting: bounds the activation memory for large inputs.
    private const int PredictBlockRows = 4096;

    private readonly Mlp.Network _net;

    internal MlpModel(int featureCount, int cardinality, int seed, EpochRecord[] history, Mlp.Network net)
        : base(featureCount, cardinality, seed, history) => _net = net;

    /// <inheritdoc/>
    public override string ModelName => Name;

    /// <summary>Hidden layer sizes.</summary>
    public IReadOnlyList<int> HiddenSizes => _net.Sizes[1..^1];

    /// <summary>Hidden-layer activation.</summary>
    public Activation Activation => _net.Activation;

    internal Mlp.Network Network => _net;

    internal override void Logits(FeatureMatrix features, int[] rows, int count, float[] logits, ParallelOptions parallel)
    {
        int k = Cardinality;
        for (int start = 0; start < count; start += PredictBlockRows)
        {
            int length = Math.Min(PredictBlockRows, count - start);
            var block = rows.AsSpan(start, length).ToArray();
            var output = new float[length * k];
            _net.Forward(features, block, length, output, parallel);
            output.CopyTo(logits, start * k);
        }
    }

    private protected override void WriteParameters(Utf8JsonWriter writer)
    {
        writer.WriteString("activation", Activation.ToString());
        writer.WriteStartArray("hiddenSizes");
        foreach (int h in HiddenSizes)
        {
            writer.WriteNumberValue(h);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("layers");
        for (int l = 0; l < _net.Weights.Length; l++)
        {
            writer.WriteStartObject();
            WriteFloats(writer, "weights", _net.Weights[l]);
            WriteFloats(writer, "biases", _net.Biases[l]);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    internal static MlpModel ReadParameters(JsonElement parameters, int d, int k, int seed, EpochRecord[] history)
    {
        var activation = ModelJson.GetEnum<Activation>(parameters, "activation");
        var hiddenJson = ModelJson.GetProperty(parameters, "hiddenSizes");
        if (hiddenJson.ValueKind != JsonValueKind.Array || hiddenJson.GetArrayLength() is not (1 or 2))
        {
            throw new DataFormatException("Field 'hiddenSizes' must be an array of 1 or 2 sizes.", column: "hiddenSizes");
        }

        var hidden = hiddenJson.EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int h) && h >= 1 && h <= ModelJson.MaxElements
                ? h : throw new DataFormatException("Hidden sizes must be positive integers.", column: "hiddenSizes"))
            .ToArray();
        int[] sizes = [d, .. hidden, k];
        var layersJson = ModelJson.GetProperty(parameters, "layers");
        if (layersJson.ValueKind != JsonValueKind.Array || layersJson.GetArrayLength() != sizes.Length - 1)
        {
            throw new DataFormatException($"Field 'layers' must be an array of {sizes.Length - 1} layers.", column: "layers");
        }

        var weights = new float[sizes.Length - 1][];
        var biases = new float[sizes.Length - 1][];
        int l = 0;
        foreach (var layer in layersJson.EnumerateArray())
        {
            // Checked: a crafted file must not wrap the product to a small number that matches a short array.
            weights[l] = ReadFloats(layer, "weights", ModelJson.Size("weights", sizes[l], sizes[l + 1]));
            biases[l] = ReadFloats(layer, "biases", sizes[l + 1]);
            l++;
        }

        return new MlpModel(d, k, seed, history, new Mlp.Network(sizes, activation, weights, biases));
    }
}
