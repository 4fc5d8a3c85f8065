using Skein.Data;
using Skein.Evaluation;

namespace Skein.Transformers;

/// <summary>
/// Fine-tunes an encoder plus a linear head on weak labels: AdamW with linear warm-up and decay, global gradient
/// clipping, dropout on the pooled vector, the soft (noise-aware) or hard cross-entropy, minibatches of similar
/// length, and early stopping on a valid metric that keeps the best epoch's weights.
/// </summary>
public sealed class FineTuneTrainer
{
    internal const string StageName = "fine-tune";

    /// <summary>A trainer with the default options.</summary>
    public FineTuneTrainer()
        : this(new FineTuneOptions())
    {
    }

    /// <summary>A trainer with the given options.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public FineTuneTrainer(FineTuneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public FineTuneOptions Options { get; }

    /// <summary>
    /// Fits the classifier. The encoder's parameters are updated in place and the returned classifier owns it.
    /// </summary>
    /// <param name="encoder">The encoder to fine-tune (its trainable parameters change).</param>
    /// <param name="texts">The training texts, n.</param>
    /// <param name="labels">n×k weak labels (a label model's probabilities).</param>
    /// <param name="covered">Optional: which rows at least one LF voted on; the others are left out. Null keeps every row.</param>
    /// <param name="validation">Optional valid split for early stopping.</param>
    /// <param name="progress">Optional per-epoch reports.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <exception cref="ArgumentException">Mismatched lengths, no covered rows, a class with no row left, or bad validation data.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public FineTunedClassifier Fit(
        ITrainableEncoder encoder,
        IReadOnlyList<string> texts,
        ProbabilisticLabels labels,
        IReadOnlyList<bool>? covered = null,
        FineTuneValidation? validation = null,
        IProgress<FineTuneProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        int seed = Options.Seed ?? Random.Shared.Next();
        var rows = CheckInputs(encoder, texts, labels, covered, validation);
        var targets = Targets(labels, Options.Labels);
        var network = new ClassifierNetwork(encoder, labels.Cardinality, (ulong)seed);
        var lengths = Batching.Lengths(encoder, texts, Options.MaxLength);
        Train(network, texts, lengths, targets, rows, Options, validation, (ulong)seed, StageName, progress, cancellationToken);
        return new FineTunedClassifier(encoder, network.Weight.Value, network.Bias.Value, network.Classes, Options.MaxLength, Options.PredictBatchSize, seed);
    }

    /// <summary>Checks shapes and labels; returns the rows to train on (covered ones).</summary>
    internal static int[] CheckInputs(ITrainableEncoder encoder, IReadOnlyList<string> texts, ProbabilisticLabels labels, IReadOnlyList<bool>? covered, FineTuneValidation? validation)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(labels);
        if (texts.Count == 0)
        {
            throw new ArgumentException("No training texts.", nameof(texts));
        }

        if (labels.RowCount != texts.Count)
        {
            throw new ArgumentException($"{texts.Count} texts but {labels.RowCount} label rows.", nameof(labels));
        }

        if (covered is not null && covered.Count != texts.Count)
        {
            throw new ArgumentException($"{texts.Count} texts but {covered.Count} coverage flags.", nameof(covered));
        }

        var rows = Enumerable.Range(0, texts.Count).Where(i => covered is null || covered[i]).ToArray();
        if (rows.Length == 0)
        {
            throw new ArgumentException("No training row is covered by any labeling function.", nameof(covered));
        }

        var argMax = labels.ArgMax();
        var counts = new int[labels.Cardinality];
        foreach (int row in rows)
        {
            counts[argMax[row]]++;
        }

        int empty = Array.IndexOf(counts, 0);
        if (empty >= 0)
        {
            throw new ArgumentException(
                $"Class {empty} is the most probable label of none of the {rows.Length} covered training rows; the classifier cannot learn it (check the labeling functions or drop the class).",
                nameof(labels));
        }

        if (validation is not null)
        {
            ArgumentNullException.ThrowIfNull(validation.Texts, nameof(validation));
            ArgumentNullException.ThrowIfNull(validation.Gold, nameof(validation));
            if (validation.Texts.Count == 0 || validation.Texts.Count != validation.Gold.Count)
            {
                throw new ArgumentException($"The validation set has {validation.Texts.Count} texts and {validation.Gold.Count} gold labels; it needs as many of each, at least one.", nameof(validation));
            }

            for (int i = 0; i < validation.Gold.Count; i++)
            {
                if ((uint)validation.Gold[i] >= (uint)labels.Cardinality)
                {
                    throw new ArgumentException($"Validation row {i}: gold label {validation.Gold[i]} is outside [0, {labels.Cardinality}).", nameof(validation));
                }
            }
        }

        return rows;
    }

    /// <summary>The training targets, row-major n×k: the probabilities, or their one-hot argmax.</summary>
    internal static double[] Targets(ProbabilisticLabels labels, FineTuneLabels mode)
    {
        if (mode == FineTuneLabels.Soft)
        {
            return labels.ToArray();
        }

        int k = labels.Cardinality;
        var targets = new double[labels.RowCount * k];
        var argMax = labels.ArgMax();
        for (int i = 0; i < argMax.Length; i++)
        {
            targets[(i * k) + argMax[i]] = 1;
        }

        return targets;
    }

    /// <summary>The valid metric of the network as it stands (percent).</summary>
    internal static double Score(ClassifierNetwork network, FineTuneValidation validation, FineTuneOptions options)
    {
        var probabilities = network.PredictProba(validation.Texts, options.MaxLength, options.PredictBatchSize);
        return WrenchProtocol.Score(validation.Gold, ProbabilisticLabels.FromRowMajor(probabilities, network.Classes), validation.Metric);
    }

    /// <summary>
    /// Supervised training of <paramref name="network"/> on <paramref name="rows"/>; with a validation set it keeps the
    /// best epoch's weights. Returns that best valid metric (null without validation).
    /// </summary>
    internal static double? Train(
        ClassifierNetwork network,
        IReadOnlyList<string> texts,
        int[] lengths,
        double[] targets,
        int[] rows,
        FineTuneOptions options,
        FineTuneValidation? validation,
        ulong seed,
        string stage,
        IProgress<FineTuneProgress>? progress,
        CancellationToken cancellationToken)
    {
        int k = network.Classes;
        int batchesPerEpoch = (rows.Length + options.BatchSize - 1) / options.BatchSize;
        int totalSteps = checked(options.Epochs * batchesPerEpoch);
        int warmup = LinearSchedule.WarmupSteps(options.WarmupFraction, totalSteps);
        var optimizer = new AdamW(network.Parameters, new AdamWOptions { WeightDecay = options.WeightDecay, Epsilon = options.AdamEpsilon });
        var scales = network.LearningRateScales(options.LearningRate, options.HeadLearningRate ?? options.LearningRate);
        var rowIds = Enumerable.Range(0, texts.Count).ToArray();
        double best = double.NegativeInfinity;
        float[][]? bestWeights = null;
        int sinceBest = 0, step = 0;
        bool stopped = false;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            double lossSum = 0, lr = 0;
            int sinceReport = 0;
            var batches = Batching.EpochBatches(rows, lengths, options.BatchSize, SplitMix64.Mix(seed, 3, (ulong)epoch));

            // Valid is checked EvaluationsPerEpoch times, at evenly spaced batches (the last check ends the epoch).
            int checks = validation is null ? 1 : Math.Min(options.EvaluationsPerEpoch, batches.Count), check = 1;
            for (int b = 0; b < batches.Count; b++)
            {
                var batchRows = batches[b];
                cancellationToken.ThrowIfCancellationRequested();
                lr = options.LearningRate * LinearSchedule.Factor(step, warmup, totalSteps);
                var batch = Batching.Tokenize(network.Encoder, texts, batchRows, options.MaxLength, rowIds);
                var pass = network.ForwardTrain(batch, options.Dropout, SplitMix64.Mix(seed, 4, (ulong)step));
                var gradient = new float[batchRows.Length * k];
                double loss = SoftCrossEntropy(pass.Logits, targets, batchRows, k, gradient);
                if (!double.IsFinite(loss))
                {
                    throw new TrainingDivergedException(stage, epoch, lr, loss);
                }

                network.ZeroGradients();
                network.Backward(pass, gradient);
                Step(network, optimizer, options.MaxGradientNorm, lr, scales, stage, epoch);
                lossSum += loss;
                sinceReport++;
                step++;
                if ((long)(b + 1) * checks < (long)check * batches.Count)
                {
                    continue;
                }

                double? metric = validation is null ? null : Score(network, validation, options);
                progress?.Report(new FineTuneProgress(stage, epoch, lossSum / sinceReport, metric, lr, step) { Check = check, ChecksPerEpoch = checks });
                (lossSum, sinceReport) = (0, 0);
                check++;
                if (metric is { } m)
                {
                    if (m > best)
                    {
                        best = m;
                        bestWeights = network.Snapshot();
                        sinceBest = 0;
                    }
                    else if (++sinceBest >= options.Patience)
                    {
                        stopped = true;
                        break;
                    }
                }
            }

            if (stopped)
            {
                break;
            }
        }

        if (bestWeights is not null)
        {
            network.Restore(bestWeights);
        }

        return validation is null ? null : best;
    }

    /// <summary>Clips, checks the gradient is finite, and takes one AdamW step.</summary>
    internal static void Step(ClassifierNetwork network, AdamW optimizer, double? maxNorm, double lr, double[] scales, string stage, int epoch)
    {
        double norm = maxNorm is { } cap
            ? GradientClipping.ClipGlobalNorm(network.Parameters, cap)
            : GradientClipping.GlobalNorm(network.Parameters);
        if (!double.IsFinite(norm))
        {
            throw new TrainingDivergedException(stage, epoch, lr, norm);
        }

        optimizer.Step(lr, scales);
    }

    /// <summary>
    /// Mean soft cross-entropy −Σ_c t_c log softmax(z)_c over the batch, and its gradient (p − t)/B with respect to
    /// the logits (valid because every target row sums to 1).
    /// </summary>
    internal static double SoftCrossEntropy(float[] logits, double[] targets, int[] rows, int k, float[] gradient)
    {
        Span<double> p = stackalloc double[k];
        double total = 0;
        int b = rows.Length;
        for (int r = 0; r < b; r++)
        {
            var z = logits.AsSpan(r * k, k);
            ClassifierNetwork.Softmax(z, p);
            double lse = LogSumExp(z);
            var t = targets.AsSpan(rows[r] * k, k);
            for (int c = 0; c < k; c++)
            {
                // −log p_c = lse − z_c: exact even where p_c underflows; a zero target costs nothing.
                if (t[c] != 0)
                {
                    total += t[c] * (lse - z[c]);
                }

                gradient[(r * k) + c] = (float)((p[c] - t[c]) / b);
            }
        }

        return total / b;
    }

    /// <summary>log Σ exp(z), max-shifted (NaN in, NaN out).</summary>
    internal static double LogSumExp(ReadOnlySpan<float> z)
    {
        float max = z[0];
        for (int c = 1; c < z.Length; c++)
        {
            max = Math.Max(max, z[c]);
        }

        double sum = 0;
        foreach (float v in z)
        {
            sum += Math.Exp((double)v - max);
        }

        return max + Math.Log(sum);
    }
}
