using Skein.Data;

namespace Skein.Transformers;

/// <summary>
/// COSINE (Yu et al., NAACL 2021): fine-tune on the weak labels, then contrastive self-training on every row.
/// Stage 1 is <see cref="FineTuneTrainer"/> on the covered rows. Stage 2 refreshes a teacher every T steps (the
/// student's probabilities p for all rows, covered or not), keeps the rows whose confidence weight w = 1 − H(p)/log C
/// exceeds ξ, and trains the student on them with the sharpened soft pseudo-labels q ∝ p²/f (KL weighted by w), the
/// contrastive regulariser on the dropped-out pooled vectors of random pairs (pulled together when they share a
/// pseudo-label, pushed apart by a margin otherwise) and the confidence regulariser. With a validation set the best
/// weights of both stages are kept.
/// </summary>
public sealed class CosineTrainer
{
    private const string Stage1Name = "COSINE stage 1";
    private const string Stage2Name = "COSINE self-training";

    /// <summary>A trainer with the default options.</summary>
    public CosineTrainer()
        : this(new CosineOptions())
    {
    }

    /// <summary>A trainer with the given options.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public CosineTrainer(CosineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public CosineOptions Options { get; }

    /// <summary>Runs both stages. The encoder's parameters are updated in place and the returned classifier owns it.</summary>
    /// <param name="encoder">The encoder to fine-tune.</param>
    /// <param name="texts">All training texts, covered and uncovered.</param>
    /// <param name="labels">n×k weak labels (only covered rows' are used).</param>
    /// <param name="covered">Which rows at least one LF voted on; null = all.</param>
    /// <param name="validation">Optional valid split for early stopping in both stages.</param>
    /// <param name="progress">Optional reports: stage 1 per epoch, stage 2 per evaluation period.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <param name="stage1Completed">Optional: called once with stage 1's best classifier before self-training starts (it shares the encoder, so score it inside the call).</param>
    /// <exception cref="ArgumentException">Mismatched lengths, no covered rows, an empty class, or bad validation data.</exception>
    /// <exception cref="TrainingDivergedException">A loss became NaN or infinite.</exception>
    public CosineResult Fit(
        ITrainableEncoder encoder,
        IReadOnlyList<string> texts,
        ProbabilisticLabels labels,
        IReadOnlyList<bool>? covered = null,
        FineTuneValidation? validation = null,
        IProgress<FineTuneProgress>? progress = null,
        Action<FineTunedClassifier>? stage1Completed = null,
        CancellationToken cancellationToken = default)
    {
        int seed = Options.Seed ?? Random.Shared.Next();
        var stage1 = Options.Stage1 with { Seed = seed };
        var rows = FineTuneTrainer.CheckInputs(encoder, texts, labels, covered, validation);
        var network = new ClassifierNetwork(encoder, labels.Cardinality, (ulong)seed);
        var lengths = Batching.Lengths(encoder, texts, stage1.MaxLength);
        double? stage1Valid = FineTuneTrainer.Train(
            network, texts, lengths, FineTuneTrainer.Targets(labels, stage1.Labels), rows, stage1, validation, (ulong)seed, Stage1Name, progress, cancellationToken);

        // A view of stage 1's best weights for scoring before self-training moves the shared encoder on.
        stage1Completed?.Invoke(new FineTunedClassifier(encoder, network.Weight.Value, network.Bias.Value, network.Classes, stage1.MaxLength, stage1.PredictBatchSize, seed));

        var (steps, valid, kept, stop) = SelfTrain(network, texts, lengths, stage1, stage1Valid, validation, SplitMix64.Mix((ulong)seed, 0x53454C46UL), progress, cancellationToken);
        var classifier = new FineTunedClassifier(encoder, network.Weight.Value, network.Bias.Value, network.Classes, stage1.MaxLength, stage1.PredictBatchSize, seed);
        return new CosineResult(classifier, stage1Valid, valid, steps, kept, stop);
    }

    private (int Steps, double? Valid, bool Kept, SelfTrainingStop Stop) SelfTrain(
        ClassifierNetwork network,
        IReadOnlyList<string> texts,
        int[] lengths,
        FineTuneOptions stage1,
        double? stage1Valid,
        FineTuneValidation? validation,
        ulong seed,
        IProgress<FineTuneProgress>? progress,
        CancellationToken cancellationToken)
    {
        var o = Options;
        int n = texts.Count, k = network.Classes, h = network.Hidden;
        int batchSize = o.SelfTrainingBatchSize ?? stage1.BatchSize;
        int evaluationPeriod = o.EvaluationPeriod ?? o.TeacherUpdatePeriod;
        double baseRate = o.SelfTrainingLearningRate ?? stage1.LearningRate;
        double headRate = stage1.HeadLearningRate is { } head ? head * (baseRate / stage1.LearningRate) : baseRate;
        var optimizer = new AdamW(network.Parameters, new AdamWOptions { WeightDecay = stage1.WeightDecay, Epsilon = stage1.AdamEpsilon });
        var scales = network.LearningRateScales(baseRate, headRate);
        var rowIds = Enumerable.Range(0, n).ToArray();

        double best = stage1Valid ?? double.NegativeInfinity;
        float[][]? stage1Weights = validation is null ? null : network.Snapshot();
        float[][]? bestWeights = null;
        bool kept = false;
        var stop = SelfTrainingStop.StepBudget;
        int sinceBest = 0, step = 0, round = 0, sinceReport = 0;
        double lossSinceReport = 0, lr = 0;
        double[] teacher = [], weights = [];
        List<int[]> batches = [];
        int nextBatch = 0, epoch = 0;
        while (step < o.SelfTrainingSteps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (step % o.TeacherUpdatePeriod == 0)
            {
                // The teacher is the student as it stands: its eval-mode probabilities for every row, fixed until the next refresh.
                teacher = network.PredictProba(texts, stage1.MaxLength, stage1.PredictBatchSize, rowIds);
                weights = new double[n];
                var confident = new List<int>();
                for (int i = 0; i < n; i++)
                {
                    weights[i] = CosineLosses.ConfidenceWeight(teacher.AsSpan(i * k, k));
                    if (weights[i] > o.ConfidenceThreshold)
                    {
                        confident.Add(i);
                    }
                }

                if (confident.Count == 0)
                {
                    stop = SelfTrainingStop.NoConfidentRows;
                    break;
                }

                batches = Batching.EpochBatches(confident, lengths, batchSize, SplitMix64.Mix(seed, 3, (ulong)++epoch));
                nextBatch = 0;
            }

            if (nextBatch == batches.Count)
            {
                batches = Batching.EpochBatches(batches.SelectMany(b => b).ToArray(), lengths, batchSize, SplitMix64.Mix(seed, 3, (ulong)++epoch));
                nextBatch = 0;
            }

            var rows = batches[nextBatch++];
            int b = rows.Length;
            lr = baseRate * LinearSchedule.Factor(step, 0, o.SelfTrainingSteps);
            var pass = network.ForwardTrain(Batching.Tokenize(network.Encoder, texts, rows, stage1.MaxLength, rowIds), stage1.Dropout, SplitMix64.Mix(seed, 4, (ulong)step));

            var p = new double[b * k];
            var w = new double[b];
            for (int r = 0; r < b; r++)
            {
                teacher.AsSpan(rows[r] * k, k).CopyTo(p.AsSpan(r * k, k));
                w[r] = weights[rows[r]];
            }

            var q = CosineLosses.Sharpen(p, b, k, o.SharpeningPower);
            var logitGradient = new float[b * k];
            var featureGradient = new float[b * h];
            double loss = CosineLosses.Distillation(pass.Logits, q, w, b, k, logitGradient)
                + CosineLosses.ConfidenceRegulariser(pass.Logits, b, k, o.ConfidenceWeight, logitGradient);
            if (o.ContrastiveWeight > 0)
            {
                var (partner, agree) = Pairs(q, b, k, SplitMix64.Mix(seed, 5, (ulong)step));
                loss += CosineLosses.Contrastive(pass.Features, b, h, partner, agree, o.Margin, o.Distance, o.ContrastiveWeight, featureGradient);
            }

            int epochOfStep = epoch;
            if (!double.IsFinite(loss))
            {
                throw new TrainingDivergedException(Stage2Name, epochOfStep, lr, loss);
            }

            network.ZeroGradients();
            network.Backward(pass, logitGradient, featureGradient);
            FineTuneTrainer.Step(network, optimizer, stage1.MaxGradientNorm, lr, scales, Stage2Name, epochOfStep);
            step++;
            lossSinceReport += loss;
            sinceReport++;

            if (step % evaluationPeriod == 0 || step == o.SelfTrainingSteps)
            {
                round++;
                double? metric = validation is null ? null : FineTuneTrainer.Score(network, validation, stage1);
                progress?.Report(new FineTuneProgress(Stage2Name, round, lossSinceReport / sinceReport, metric, lr, step));
                lossSinceReport = 0;
                sinceReport = 0;
                if (metric is { } m)
                {
                    if (m > best)
                    {
                        best = m;
                        bestWeights = network.Snapshot();
                        kept = true;
                        sinceBest = 0;
                    }
                    else if (++sinceBest >= o.Patience)
                    {
                        stop = SelfTrainingStop.Patience;
                        break;
                    }
                }
            }
        }

        if (validation is null)
        {
            return (step, null, step > 0, stop);
        }

        // When self-training never beat stage 1 on valid, stage 1's weights (snapshotted before stage 2) come back.
        network.Restore(bestWeights ?? stage1Weights!);
        return (step, best, kept, stop);
    }

    /// <summary>
    /// A seeded random permutation of the batch pairs each row with another; a pair agrees when the two rows share a
    /// pseudo-label (argmax of q, ties to the lowest class).
    /// </summary>
    internal static (int[] Partner, bool[] Agree) Pairs(double[] q, int rows, int k, ulong seed)
    {
        var partner = Enumerable.Range(0, rows).ToArray();
        new SplitMix64(seed).Shuffle(partner);
        var agree = new bool[rows];
        for (int i = 0; i < rows; i++)
        {
            agree[i] = ArgMax(q.AsSpan(i * k, k)) == ArgMax(q.AsSpan(partner[i] * k, k));
        }

        return (partner, agree);
    }

    private static int ArgMax(ReadOnlySpan<double> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++)
        {
            if (row[c] > row[best])
            {
                best = c;
            }
        }

        return best;
    }
}
