using Skein.Data;
using Skein.EndModels;
using Skein.Features;

namespace Skein.Training;

/// <summary>Options of <see cref="CoTeaching"/>.</summary>
public sealed record CoTeachingOptions
{
    /// <summary>
    /// Architecture and optimiser of both networks (layers, dropout, Adam, batch size, epochs, validation fraction).
    /// Patience and RestoreBestWeights are not used: co-teaching runs every epoch. Default: <see cref="MlpOptions"/>'s defaults.
    /// </summary>
    public MlpOptions Mlp { get; init; } = new();

    /// <summary>τ, the share of each batch to drop once the ramp is over, ideally the estimated noise rate; in [0, 1). Default 0.2.</summary>
    public double ForgetRate { get; init; } = 0.2;

    /// <summary>Epochs over which the forget rate ramps linearly from 0 to τ^Exponent; at least 1. Default 10 (cleanlab, Han et al. T_k).</summary>
    public int NumGradual { get; init; } = 10;

    /// <summary>Exponent c of the ramp's end value τ^c; finite, &gt; 0. Default 1.</summary>
    public double Exponent { get; init; } = 1;

    /// <summary>Seed: network 1 uses it, network 2 seed + 1, the shared batch order seed + 2; null picks one.</summary>
    public int? Seed { get; init; }
}

/// <summary>One epoch of co-teaching.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="ForgetRate">R of this epoch: the share of each batch each network dropped (before truncation).</param>
/// <param name="KeptShare">Rows actually kept per network over the epoch / rows seen (⌊(1 − R)·batch⌋ per batch).</param>
/// <param name="KeptCleanShare">With known clean rows: the share of the kept rows that are clean (label precision), else null.</param>
/// <param name="TrainLoss">Mean loss of network 1 and of network 2 on the rows it was trained on.</param>
/// <param name="ValidationLoss">Validation cross-entropy of network 1 and of network 2, or null without validation.</param>
public sealed record CoTeachingEpoch(int Epoch, double ForgetRate, double KeptShare, double? KeptCleanShare,
    (double First, double Second) TrainLoss, (double First, double Second)? ValidationLoss);

/// <summary>The result of <see cref="CoTeaching.Fit"/>.</summary>
/// <param name="Model">The network to predict with: the one of lower final validation loss, or the first without validation.</param>
/// <param name="First">Network 1.</param>
/// <param name="Second">Network 2.</param>
/// <param name="Epochs">Per-epoch schedule and selection statistics.</param>
public sealed record CoTeachingResult(MlpModel Model, MlpModel First, MlpModel Second, IReadOnlyList<CoTeachingEpoch> Epochs);

/// <summary>
/// Co-teaching (Han et al., NeurIPS 2018), with cleanlab's experimental schedule: two <see cref="Mlp"/> networks of
/// different seeds see the same minibatches; in each, every network ranks the rows by its own loss (a forward pass
/// without dropout) and keeps the ⌊(1 − R)·batch⌋ rows of smallest loss, and each network is then updated on the
/// rows its <i>peer</i> kept (the others get weight 0, so the loss is the mean over the kept rows). Small-loss rows
/// are mostly correctly labelled, and the peer exchange stops a network from confirming its own mistakes.
/// </summary>
/// <remarks>
/// R(epoch e, 0-based) = τ^c·e/(G − 1) for e &lt; G (numpy linspace(0, τ^c, G)), and τ afterwards, as cleanlab's
/// <c>forget_rate_scheduler</c> (with c = 1, the default, the ramp ends where it stays). Targets may be soft: the
/// per-row loss is the soft cross-entropy −Σ_c t_c log p_c.
/// </remarks>
public sealed class CoTeaching
{
    /// <summary>Co-teaching with the default options.</summary>
    public CoTeaching()
        : this(new CoTeachingOptions())
    {
    }

    /// <summary>Co-teaching with the given options.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public CoTeaching(CoTeachingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = new OptionChecks(nameof(CoTeachingOptions));
        ArgumentNullException.ThrowIfNull(options.Mlp, nameof(options));
        _ = new Mlp(options.Mlp); // validates the network options
        check.InRange(options.ForgetRate, 0, 1, maxOpen: true);
        check.AtLeast(options.NumGradual, 1);
        check.Positive(options.Exponent);
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public CoTeachingOptions Options { get; }

    /// <summary>The forget rate R of 0-based epoch <paramref name="epoch"/> (cleanlab's schedule).</summary>
    public double ForgetRateAt(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        int gradual = Options.NumGradual;
        if (epoch >= gradual)
        {
            return Options.ForgetRate;
        }

        // linspace(0, τ^c, G)[e]; a one-epoch ramp is linspace's single 0.
        double end = Math.Pow(Options.ForgetRate, Options.Exponent);
        return gradual == 1 ? 0 : end * Schedules.LinearWarmup(epoch / (double)(gradual - 1), 1);
    }

    /// <summary>Trains the two networks.</summary>
    /// <param name="features">n×d features.</param>
    /// <param name="labels">n×k (possibly noisy, possibly soft) labels.</param>
    /// <param name="weights">Optional per-row weights (finite, ≥ 0, not all 0).</param>
    /// <param name="validation">Optional explicit validation set, used to choose the network to predict with.</param>
    /// <param name="cleanRows">Optional diagnostic: which training rows are known to be correctly labelled, for <see cref="CoTeachingEpoch.KeptCleanShare"/>; never used for training.</param>
    /// <exception cref="ArgumentException">As <see cref="Mlp.Fit(FeatureMatrix, ProbabilisticLabels, IReadOnlyList{double}?, ValidationSet?)"/>, or cleanRows of the wrong length or together with a validation fraction.</exception>
    public CoTeachingResult Fit(FeatureMatrix features, ProbabilisticLabels labels, IReadOnlyList<double>? weights = null,
        ValidationSet? validation = null, IReadOnlyList<bool>? cleanRows = null)
    {
        var o = Options;
        int seed = o.Seed ?? Random.Shared.Next();
        ArgumentNullException.ThrowIfNull(features);
        if (cleanRows is not null && cleanRows.Count != features.RowCount)
        {
            throw new ArgumentException($"cleanRows has {cleanRows.Count} entries for {features.RowCount} rows.", nameof(cleanRows));
        }

        if (cleanRows is not null && o.Mlp.ValidationFraction > 0 && validation is null)
        {
            throw new ArgumentException("cleanRows needs the training rows unsplit: pass an explicit validation set instead of Mlp.ValidationFraction.", nameof(cleanRows));
        }

        var data = TrainingData.Prepare(nameof(CoTeaching), features, labels, weights, validation, o.Mlp.ValidationFraction, seed);
        var clean = cleanRows?.ToArray();
        var nets = new[] { new Mlp.Session(o.Mlp, data, seed, null), new Mlp.Session(o.Mlp, data, unchecked(seed + 1), null) };
        var keep = new[] { new bool[data.RowCount], new bool[data.RowCount] };
        var peerKept = new[] { new PeerSelection(keep[1]), new PeerSelection(keep[0]) };
        var order = FeatureMatrix.AllRows(data.RowCount);
        var shuffle = new Random(unchecked(seed + 2));
        int n = data.RowCount, d = data.Features.ColumnCount, k = data.Labels.Cardinality;
        int batchSize = Math.Min(o.Mlp.BatchSize, n);
        var batch = new int[batchSize];
        var epochs = new List<CoTeachingEpoch>();
        var histories = new[] { new List<EpochRecord>(), new List<EpochRecord>() };

        for (int epoch = 1; epoch <= o.Mlp.Epochs; epoch++)
        {
            double rate = ForgetRateAt(epoch - 1);
            for (int i = n - 1; i > 0; i--)
            {
                int j = shuffle.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }

            long seen = 0, kept = 0, keptClean = 0;
            var lossSum = new double[2];
            var weightSum = new double[2];
            for (int start = 0; start < n; start += batchSize)
            {
                int count = Math.Min(batchSize, n - start);
                Array.Copy(order, start, batch, 0, count);
                int remember = (int)((1 - rate) * count);
                // Both networks rank the batch before either is updated.
                for (int net = 0; net < 2; net++)
                {
                    SelectSmallLoss(nets[net], batch, count, remember, keep[net]);
                }

                seen += count;
                kept += remember;
                if (clean is not null)
                {
                    for (int r = 0; r < count; r++)
                    {
                        keptClean += (keep[0][batch[r]] && clean[batch[r]] ? 1 : 0) + (keep[1][batch[r]] && clean[batch[r]] ? 1 : 0);
                    }
                }

                for (int net = 0; net < 2; net++)
                {
                    var (loss, weight) = nets[net].TrainStep(batch, count, epoch, peerKept[net]);
                    lossSum[net] += loss * weight;
                    weightSum[net] += weight;
                }

                for (int r = 0; r < count; r++)
                {
                    keep[0][batch[r]] = keep[1][batch[r]] = false;
                }
            }

            var train = (Mean(lossSum[0], weightSum[0]), Mean(lossSum[1], weightSum[1]));
            (double, double)? valLoss = null;
            var valAcc = new double?[2];
            if (data.Validation is { } val)
            {
                var evaluated = nets.Select(s => Losses.Evaluate(new MlpModel(d, k, seed, [], s.Net), val.Features, val.Labels, s.Parallel)).ToArray();
                valLoss = (evaluated[0].Loss, evaluated[1].Loss);
                valAcc = [evaluated[0].Accuracy, evaluated[1].Accuracy];
            }

            histories[0].Add(new EpochRecord(epoch, train.Item1, valLoss?.Item1, valAcc[0]));
            histories[1].Add(new EpochRecord(epoch, train.Item2, valLoss?.Item2, valAcc[1]));
            epochs.Add(new CoTeachingEpoch(epoch, rate, seen == 0 ? 0 : kept / (double)seen,
                clean is null ? null : kept == 0 ? 0 : keptClean / (2.0 * kept), train, valLoss));
        }

        var first = new MlpModel(d, k, seed, [.. histories[0]], nets[0].Net.Clone());
        var second = new MlpModel(d, k, unchecked(seed + 1), [.. histories[1]], nets[1].Net.Clone());
        var chosen = epochs[^1].ValidationLoss is { } last && last.Second < last.First ? second : first;
        return new CoTeachingResult(chosen, first, second, epochs);
    }

    private static double Mean(double sum, double weight) => weight > 0 ? sum / weight : 0;

    /// <summary>Marks the <paramref name="remember"/> rows of the batch with the smallest soft cross-entropy under the session's network (no dropout).</summary>
    private static void SelectSmallLoss(Mlp.Session session, int[] batch, int count, int remember, bool[] keep)
    {
        var data = session.Data;
        int k = data.Labels.Cardinality;
        var logits = new float[count * k];
        session.Net.Forward(data.Features, batch, count, logits, session.Parallel);
        var loss = new double[count];
        var probabilities = new double[k];
        for (int r = 0; r < count; r++)
        {
            var row = logits.AsSpan(r * k, k);
            float max = float.NegativeInfinity;
            foreach (var z in row)
            {
                max = Math.Max(max, z);
            }

            double logSum = 0;
            foreach (var z in row)
            {
                logSum += Math.Exp(z - max);
            }

            logSum = Math.Log(logSum) + max;
            var target = data.Labels.Row(batch[r]);
            for (int c = 0; c < k; c++)
            {
                loss[r] -= target[c] == 0 ? 0 : target[c] * (row[c] - logSum);
            }
        }

        // Stable order: equal losses keep batch order, so the selection is deterministic.
        foreach (int r in Enumerable.Range(0, count).OrderBy(r => loss[r]).Take(remember))
        {
            keep[batch[r]] = true;
        }
    }

    /// <summary>Zeroes the weight of every batch row the peer network did not keep.</summary>
    private sealed class PeerSelection(bool[] peerKeeps) : ISoftTargetObjective
    {
        public void Adjust(SoftTargetBatch batch)
        {
            for (int r = 0; r < batch.Count; r++)
            {
                if (!peerKeeps[batch.Rows[r]])
                {
                    batch.Weights[r] = 0;
                }
            }
        }
    }
}
