using Skein.Data;
using Skein.EndModels;
using Skein.Features;

namespace Skein.Training;

/// <summary>How the distillation weight ω(t) moves over training progress t ∈ [0, 1).</summary>
public enum DistillationSchedule
{
    /// <summary>ω(t) = ω₀ throughout.</summary>
    Constant,

    /// <summary>SALT: ω(t) = ω₀ for t &lt; <see cref="DistillationOptions.KdFraction"/> (the n_KD steps), then 0.</summary>
    ConstantThenOff,

    /// <summary>ω(t) = ω₀·max(0, 1 − t / <see cref="DistillationOptions.KdFraction"/>).</summary>
    LinearDecay,
}

/// <summary>SALT_DS data selection: which rows get the distillation term.</summary>
public sealed record SaltSelection
{
    /// <summary>A row is learnable when its gold class is among the teacher's top k classes; at least 1. Default 1 (teacher correct).</summary>
    public int TopK { get; init; } = 1;

    /// <summary>Share of the learnable rows kept, those with the highest teacher loss; in (0, 1]. Default 0.5.</summary>
    public double Fraction { get; init; } = 0.5;
}

/// <summary>Options of <see cref="Distillation"/>.</summary>
public sealed record DistillationOptions
{
    /// <summary>The student network and its training; ValidationFraction must be 0. Default: <see cref="MlpOptions"/>' defaults.</summary>
    public MlpOptions Student { get; init; } = new();

    /// <summary>Temperature T &gt; 0 (finite) of the teacher's and the student's softmax in the distillation term. Default 2.</summary>
    public double Temperature { get; init; } = 2;

    /// <summary>ω₀, the distillation share of the loss, in [0, 1]. Default 0.5.</summary>
    public double KdWeight { get; init; } = 0.5;

    /// <summary>Shape of ω(t). Default <see cref="DistillationSchedule.Constant"/>.</summary>
    public DistillationSchedule Schedule { get; init; } = DistillationSchedule.Constant;

    /// <summary>Share of training with distillation (ConstantThenOff) or over which ω decays to 0 (LinearDecay); in (0, 1]. Default 0.5.</summary>
    public double KdFraction { get; init; } = 0.5;

    /// <summary>SALT_DS selection of the rows that get the distillation term; null (default) = every row.</summary>
    public SaltSelection? Selection { get; init; }
}

/// <summary>Per-row teacher statistics against gold (SALT_DS); NaN / false for rows without gold.</summary>
/// <param name="TeacherLoss">−log q_gold at T = 1.</param>
/// <param name="GoldRank">Number of classes the teacher ranks strictly above gold (0 = teacher correct); −1 without gold.</param>
/// <param name="GoldInTopK">Gold rank &lt; k: the row is learnable.</param>
/// <param name="Margin">q_gold − max_{c≠gold} q_c (negative when the teacher is wrong).</param>
/// <param name="Selected">Chosen for the distillation term: learnable with one of the highest teacher losses.</param>
public sealed record TeacherStatistics(IReadOnlyList<double> TeacherLoss, IReadOnlyList<int> GoldRank, IReadOnlyList<bool> GoldInTopK,
    IReadOnlyList<double> Margin, IReadOnlyList<bool> Selected)
{
    /// <summary>Rows selected.</summary>
    public int SelectedCount => Selected.Count(s => s);
}

/// <summary>One epoch of distillation: means over its steps.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="DistillationLoss">Mean T²·KL(q_T ‖ p_T) over the batch rows that get the term.</param>
/// <param name="CrossEntropyLoss">Mean cross-entropy against gold over rows with gold.</param>
/// <param name="KdWeight">Mean ω(t) of the epoch's steps.</param>
public sealed record DistillationEpoch(int Epoch, double DistillationLoss, double CrossEntropyLoss, double KdWeight);

/// <summary>The outcome of <see cref="Distillation.Fit"/>.</summary>
/// <param name="Model">The student.</param>
/// <param name="Schedule">The schedule shape used.</param>
/// <param name="History">Per-epoch losses and ω.</param>
/// <param name="DistillationSteps">Steps with ω(t) &gt; 0 (SALT's n_KD in steps).</param>
/// <param name="Steps">Optimiser steps taken (batches whose loss weights were all 0 are skipped).</param>
/// <param name="Statistics">The teacher statistics and selection, when gold or a selection was given; else null.</param>
public sealed record DistillationResult(MlpModel Model, DistillationSchedule Schedule, IReadOnlyList<DistillationEpoch> History,
    long DistillationSteps, long Steps, TeacherStatistics? Statistics);

/// <summary>
/// Knowledge distillation from soft teacher probabilities (Hinton et al.; SALT, Rawat et al. 2024) into an
/// <see cref="Mlp"/> student. Per row r with weight w_r: ω(t)·s_r·T²·KL(q_r^T ‖ softmax(z_r/T)) + (1 − ω(t))·g_r·CE(z_r, gold_r),
/// averaged as Σ_r / Σ_r w_r over the batch, where q^T = softmax(log q / T), s_r = 1 unless a SALT selection leaves the
/// row out, and g_r = 1 when the row has gold. Rows without gold therefore only get the (scheduled) distillation term.
/// The T² factor keeps the distillation gradient's scale independent of T.
/// </summary>
public sealed class Distillation
{
    /// <summary>A trainer with the default options.</summary>
    public Distillation()
        : this(new DistillationOptions())
    {
    }

    /// <summary>A trainer with the given options.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public Distillation(DistillationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = new OptionChecks(nameof(DistillationOptions));
        TeacherStudentOptions.CheckStudent(nameof(DistillationOptions), options.Student, nameof(options));
        check.Positive(options.Temperature);
        check.Probability(options.KdWeight);
        check.Defined(options.Schedule);
        check.InRange(options.KdFraction, 0, 1, minOpen: true);
        if (options.Selection is { } selection)
        {
            check.That(selection.TopK >= 1, $"Selection.TopK = {selection.TopK}; it must be at least 1.");
            check.That(selection.Fraction is > 0 and <= 1, $"Selection.Fraction = {selection.Fraction}; it must be in (0, 1].");
        }

        Options = options;
    }

    /// <summary>The validated options.</summary>
    public DistillationOptions Options { get; }

    /// <summary>ω(t) at training progress <paramref name="progress"/> ∈ [0, 1].</summary>
    /// <exception cref="ArgumentOutOfRangeException">The progress is not finite.</exception>
    public double KdWeightAt(double progress)
    {
        if (!double.IsFinite(progress))
        {
            throw new ArgumentOutOfRangeException(nameof(progress), progress, "Training progress must be a finite number.");
        }

        var o = Options;
        return o.Schedule switch
        {
            DistillationSchedule.ConstantThenOff => progress < o.KdFraction ? o.KdWeight : 0,
            DistillationSchedule.LinearDecay => o.KdWeight * Math.Max(0, 1 - (progress / o.KdFraction)),
            _ => o.KdWeight,
        };
    }

    /// <summary>Teacher probabilities softened with temperature T: softmax(log q / T) per row, i.e. q^(1/T) renormalised (zeros stay 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">T is not a finite number &gt; 0.</exception>
    public static ProbabilisticLabels Soften(ProbabilisticLabels teacher, double temperature)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        if (!(double.IsFinite(temperature) && temperature > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be a finite number > 0.");
        }

        int k = teacher.Cardinality;
        var values = new double[teacher.RowCount * k];
        for (int i = 0; i < teacher.RowCount; i++)
        {
            var q = teacher.Row(i);
            double max = double.NegativeInfinity;
            foreach (double v in q)
            {
                max = v > 0 ? Math.Max(max, Math.Log(v)) : max;
            }

            double sum = 0;
            for (int c = 0; c < k; c++)
            {
                double e = q[c] > 0 ? Math.Exp((Math.Log(q[c]) - max) / temperature) : 0;
                values[(i * k) + c] = e;
                sum += e;
            }

            for (int c = 0; c < k; c++)
            {
                values[(i * k) + c] /= sum;
            }
        }

        return ProbabilisticLabels.Wrap(values, k);
    }

    /// <summary>
    /// SALT_DS statistics of the teacher against gold, and the selection: among rows whose gold is in the teacher's top
    /// k ("learnable"), the ⌈fraction·count⌉ with the highest teacher loss ("hard"), ties to the lower row. Rows
    /// without gold (−1) cannot be judged and are never selected.
    /// </summary>
    /// <exception cref="ArgumentException">Gold and teacher differ in length, or a gold class is out of range.</exception>
    public static TeacherStatistics Statistics(ProbabilisticLabels teacher, IReadOnlyList<int> gold, SaltSelection selection)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(selection);
        CheckGold(teacher, gold);
        int n = teacher.RowCount, k = teacher.Cardinality;
        var loss = new double[n];
        var rank = new int[n];
        var inTopK = new bool[n];
        var margin = new double[n];
        var learnable = new List<int>();
        for (int i = 0; i < n; i++)
        {
            int g = gold[i];
            if (g < 0)
            {
                (loss[i], rank[i], margin[i]) = (double.NaN, -1, double.NaN);
                continue;
            }

            var q = teacher.Row(i);
            double other = double.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                rank[i] += q[c] > q[g] ? 1 : 0;
                other = c == g ? other : Math.Max(other, q[c]);
            }

            loss[i] = -Math.Log(Math.Max(q[g], double.Epsilon));
            margin[i] = q[g] - (k > 1 ? other : 0);
            inTopK[i] = rank[i] < selection.TopK;
            if (inTopK[i])
            {
                learnable.Add(i);
            }
        }

        int keep = (int)Math.Ceiling(selection.Fraction * learnable.Count);
        var selected = new bool[n];
        foreach (int i in learnable.OrderByDescending(i => loss[i]).ThenBy(i => i).Take(keep))
        {
            selected[i] = true;
        }

        return new TeacherStatistics(loss, rank, inTopK, margin, selected);
    }

    /// <summary>Trains the student.</summary>
    /// <param name="features">n×d features (dense or sparse).</param>
    /// <param name="teacher">n×k teacher probabilities (any end model's or label model's).</param>
    /// <param name="gold">Optional gold classes, −1 where a row has none; null = no gold at all.</param>
    /// <param name="weights">Optional per-row weights (finite, ≥ 0, not all 0).</param>
    /// <exception cref="ArgumentException">No rows, mismatched shapes, bad weights or gold, a selection without gold, or no gold with a schedule that switches distillation off.</exception>
    public DistillationResult Fit(FeatureMatrix features, ProbabilisticLabels teacher, IReadOnlyList<int>? gold = null, IReadOnlyList<double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(teacher);
        var o = Options;
        int n = features.RowCount, k = teacher.Cardinality;
        if (gold is not null)
        {
            CheckGold(teacher, gold);
        }

        bool anyGold = gold?.Any(g => g >= 0) ?? false;
        if (!anyGold && o.Selection is not null)
        {
            throw new ArgumentException("DistillationOptions.Selection needs gold labels to score rows; none were given.", nameof(gold));
        }

        if (!anyGold && (o.Schedule != DistillationSchedule.Constant || o.KdWeight == 0))
        {
            throw new ArgumentException(
                $"Without gold labels the distillation weight must stay > 0, but Schedule = {o.Schedule}, KdWeight = {o.KdWeight}.", nameof(gold));
        }

        var statistics = anyGold ? Statistics(teacher, gold!, o.Selection ?? new SaltSelection()) : null;
        bool[]? kdRows = o.Selection is null ? null : [.. statistics!.Selected];
        var softened = Soften(teacher, o.Temperature);

        int seed = o.Student.Seed ?? Random.Shared.Next();
        var data = TrainingData.Prepare(nameof(Distillation), features, teacher, weights, null, 0, seed);
        var session = new Mlp.Session(o.Student, data, seed, null);
        int batchSize = Math.Min(o.Student.BatchSize, n), stepsPerEpoch = (n + batchSize - 1) / batchSize;
        long totalSteps = (long)stepsPerEpoch * o.Student.Epochs, kdSteps = 0, steps = 0;
        var order = FeatureMatrix.AllRows(n);
        var batch = new int[batchSize];
        var history = new List<DistillationEpoch>();
        double temperature = o.Temperature;
        for (int epoch = 1; epoch <= o.Student.Epochs; epoch++)
        {
            // Mlp's epoch: in-place Fisher–Yates on the session's stream, then consecutive batches.
            for (int i = n - 1; i > 0; i--)
            {
                int j = session.Random.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }

            double kdTotal = 0, ceTotal = 0, omegaTotal = 0;
            int kdCount = 0, ceCount = 0, epochSteps = 0;
            for (int start = 0; start < n; start += batchSize)
            {
                int count = Math.Min(batchSize, n - start);
                Array.Copy(order, start, batch, 0, count);
                long step = (long)((epoch - 1) * stepsPerEpoch) + (start / batchSize);
                double omega = KdWeightAt((double)step / totalSteps);
                omegaTotal += omega;
                epochSteps++;
                kdSteps += omega > 0 ? 1 : 0;

                double weightSum = 0, active = 0;
                for (int r = 0; r < count; r++)
                {
                    int row = batch[r];
                    double w = data.Weights[row];
                    weightSum += w;
                    bool kd = omega > 0 && (kdRows?[row] ?? true);
                    bool ce = omega < 1 && gold is not null && gold[row] >= 0;
                    active += kd || ce ? w : 0;
                }

                if (active == 0)
                {
                    continue;
                }

                session.TrainStep(data.Features, batch, count, (logits, delta) =>
                {
                    Span<double> p = stackalloc double[k];
                    Span<double> pt = stackalloc double[k];
                    Span<float> scaled = stackalloc float[k];
                    Span<double> coef = stackalloc double[k];
                    double loss = 0;
                    for (int r = 0; r < count; r++)
                    {
                        int row = batch[r];
                        double w = data.Weights[row];
                        var z = logits.AsSpan(r * k, k);
                        var grad = delta.AsSpan(r * k, k);
                        bool kd = omega > 0 && (kdRows?[row] ?? true);
                        int g = gold is null ? -1 : gold[row];
                        bool ce = omega < 1 && g >= 0;
                        coef.Clear();
                        if (ce)
                        {
                            // Written as Mlp's soft cross-entropy coefficient, so ω = 0 trains bit for bit as Mlp on gold.
                            Losses.Softmax(z, p);
                            double l = -Math.Log(Math.Max(p[g], double.Epsilon));
                            ceTotal += l;
                            ceCount++;
                            loss += w * (1 - omega) * l;
                            for (int c = 0; c < k; c++)
                            {
                                coef[c] = (1 - omega) * (w * (p[c] - (c == g ? 1.0 : 0.0)));
                            }
                        }

                        if (kd)
                        {
                            // T²·KL(q_T ‖ softmax(z/T)); ∂/∂z = T·(softmax(z/T) − q_T).
                            for (int c = 0; c < k; c++)
                            {
                                scaled[c] = (float)(z[c] / temperature);
                            }

                            var q = softened.Row(row);
                            double kl = Losses.CrossEntropy(scaled, q, pt);
                            foreach (double qc in q)
                            {
                                kl += qc > 0 ? qc * Math.Log(qc) : 0;
                            }

                            kl *= temperature * temperature;
                            kdTotal += kl;
                            kdCount++;
                            loss += w * omega * kl;
                            for (int c = 0; c < k; c++)
                            {
                                coef[c] += omega * w * temperature * (pt[c] - q[c]);
                            }
                        }

                        for (int c = 0; c < k; c++)
                        {
                            grad[c] = (float)(coef[c] / weightSum);
                        }
                    }

                    return loss / weightSum;
                });
                steps++;
            }

            history.Add(new DistillationEpoch(epoch, kdCount > 0 ? kdTotal / kdCount : 0, ceCount > 0 ? ceTotal / ceCount : 0,
                omegaTotal / epochSteps));
        }

        var model = new MlpModel(features.ColumnCount, k, seed,
            [.. history.Select(h => new EpochRecord(h.Epoch, (h.KdWeight * h.DistillationLoss) + ((1 - h.KdWeight) * h.CrossEntropyLoss), null, null))],
            session.Net.Clone());
        return new DistillationResult(model, o.Schedule, history, kdSteps, steps, statistics);
    }

    private static void CheckGold(ProbabilisticLabels teacher, IReadOnlyList<int> gold)
    {
        if (gold.Count != teacher.RowCount)
        {
            throw new ArgumentException($"There are {gold.Count} gold labels for {teacher.RowCount} teacher rows.", nameof(gold));
        }

        for (int i = 0; i < gold.Count; i++)
        {
            if (gold[i] < -1 || gold[i] >= teacher.Cardinality)
            {
                throw new ArgumentException(
                    $"Gold label of row {i} is {gold[i]}; use a class in [0, {teacher.Cardinality}) or -1 for none.", nameof(gold));
            }
        }
    }
}
