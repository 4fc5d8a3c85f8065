using System.Numerics.Tensors;
using Skein.Data;
using Skein.EndModels;
using Skein.Features;

namespace Skein.Training;

/// <summary>An exponential moving average of a student network's weights: θ′ ← α_t·θ′ + (1 − α_t)·θ.</summary>
internal sealed class EmaTeacher
{
    private readonly double _decay;
    private readonly bool _warmup;

    /// <summary>A teacher that starts as a copy of the student.</summary>
    public EmaTeacher(Mlp.Network student, double decay, bool warmup)
    {
        Net = student.Clone();
        _decay = decay;
        _warmup = warmup;
    }

    public Mlp.Network Net { get; set; }

    /// <summary>EMA updates applied so far.</summary>
    public long Updates { get; private set; }

    /// <summary>The α of the last update (NaN before the first).</summary>
    public double LastDecay { get; private set; } = double.NaN;

    /// <summary>
    /// α_t = min(1 − 1/(t + 1), α) with t the 0-based update index (DACS/FST warm-up: the first update copies the student,
    /// early teachers are plain running means), or α without warm-up.
    /// </summary>
    public static double DecayAt(long update, double decay, bool warmup) => warmup ? Math.Min(1 - (1.0 / (update + 1)), decay) : decay;

    public void Update(Mlp.Network student)
    {
        double alpha = DecayAt(Updates, _decay, _warmup);
        float a = (float)alpha, b = (float)(1 - alpha);
        for (int l = 0; l < Net.Weights.Length; l++)
        {
            Blend(Net.Weights[l], student.Weights[l], a, b);
            Blend(Net.Biases[l], student.Biases[l], a, b);
        }

        Updates++;
        LastDecay = alpha;

        static void Blend(float[] teacher, float[] student, float a, float b)
        {
            TensorPrimitives.Multiply(teacher, a, teacher);
            TensorPrimitives.MultiplyAdd(student, b, teacher, teacher);
        }
    }
}

/// <summary>The settings the mean teacher and the look-ahead teacher share (validated by their options' owners).</summary>
internal sealed record TeacherStudentSettings(
    MlpOptions Student,
    double EmaDecay,
    bool EmaWarmup,
    TeacherConsistency Consistency,
    ConsistencyRows Rows,
    double ConsistencyWeight,
    double RampFraction,
    double InputNoise,
    double ConfidenceThreshold,
    PseudoLabelMasking Weighting,
    int? UnlabeledBatchSize);

/// <summary>
/// One teacher–student training run: labeled rows followed by an unlabeled pool in one stacked matrix, an
/// <see cref="Mlp.Session"/> for the student, an <see cref="EmaTeacher"/>, and the batch loop. Each step takes the next
/// labeled batch and the next pool batch (each cycles through its own seeded shuffle, the shorter one wrapping), so
/// few labels and a large pool both get used every step. Random draws come from the session's one stream, in a fixed
/// order: reshuffles (labeled, then pool), student input noise, teacher input noise, the student's dropout masks.
/// </summary>
internal sealed class TeacherStudentRun
{
    private readonly TeacherStudentSettings _settings;
    private readonly int[] _labeledOrder;
    private readonly int[] _poolOrder;
    private readonly int _labeledBatch;
    private readonly int _poolBatch;
    private int _labeledPosition;
    private int _poolPosition;

    public TeacherStudentRun(string method, TeacherStudentSettings settings, FeatureMatrix features, ProbabilisticLabels labels,
        IReadOnlyList<double>? weights, FeatureMatrix? unlabeled)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        _settings = settings;
        int nL = features.RowCount, k = labels.Cardinality;
        if (nL == 0)
        {
            throw new ArgumentException($"{method} needs at least one labeled row.", nameof(features));
        }

        if (labels.RowCount != nL)
        {
            throw new ArgumentException($"The labels have {labels.RowCount} rows but the features have {nL}.", nameof(labels));
        }

        if (weights is not null && weights.Count != nL)
        {
            throw new ArgumentException($"There are {weights.Count} weights for {nL} labeled rows.", nameof(weights));
        }

        if (unlabeled is not null && unlabeled.ColumnCount != features.ColumnCount)
        {
            throw new ArgumentException(
                $"The unlabeled pool has {unlabeled.ColumnCount} features but the labeled rows have {features.ColumnCount}.", nameof(unlabeled));
        }

        int nU = unlabeled?.RowCount ?? 0;
        if (settings.Rows == ConsistencyRows.Pool && nU == 0)
        {
            throw new ArgumentException($"{method}: ConsistencyRows = Pool needs a non-empty unlabeled pool.", nameof(unlabeled));
        }

        var stacked = nU == 0 ? features : Stack(features, unlabeled!);
        if (settings.InputNoise > 0 && stacked is not DenseMatrix)
        {
            throw new ArgumentException($"{method}: InputNoise needs dense features; these are sparse.", nameof(features));
        }

        // Pool rows carry a placeholder label and weight 0: only the consistency term ever reads them.
        var allLabels = new double[(nL + nU) * k];
        labels.Values.CopyTo(allLabels);
        allLabels.AsSpan(nL * k).Fill(1.0 / k);
        var allWeights = new double[nL + nU];
        for (int i = 0; i < nL; i++)
        {
            allWeights[i] = weights?[i] ?? 1;
        }

        Seed = settings.Student.Seed ?? System.Random.Shared.Next();
        var data = TrainingData.Prepare(method, stacked, ProbabilisticLabels.Wrap(allLabels, k), allWeights, null, 0, Seed);
        Session = new Mlp.Session(settings.Student, data, Seed, null);
        Teacher = new EmaTeacher(Session.Net, settings.EmaDecay, settings.EmaWarmup);
        LabeledCount = nL;
        PoolCount = nU;
        _labeledOrder = FeatureMatrix.AllRows(nL);
        _poolOrder = [.. Enumerable.Range(nL, nU)];
        _labeledBatch = Math.Min(settings.Student.BatchSize, nL);
        _poolBatch = nU == 0 ? 0 : Math.Min(settings.UnlabeledBatchSize ?? settings.Student.BatchSize, nU);
        int labeledSteps = (nL + _labeledBatch - 1) / _labeledBatch;
        int poolSteps = nU == 0 ? 0 : (nU + _poolBatch - 1) / _poolBatch;
        StepsPerEpoch = Math.Max(labeledSteps, poolSteps);
        TotalSteps = (long)StepsPerEpoch * settings.Student.Epochs;
    }

    public int Seed { get; }

    public Mlp.Session Session { get; }

    public EmaTeacher Teacher { get; set; }

    public int LabeledCount { get; }

    public int PoolCount { get; }

    public int StepsPerEpoch { get; }

    public long TotalSteps { get; }

    /// <summary>Real (not virtual) steps taken.</summary>
    public long RealSteps { get; private set; }

    public MlpModel Model(Mlp.Network net, IReadOnlyList<TeacherStudentEpoch> history) =>
        new(Session.Data.Features.ColumnCount, Session.Data.Labels.Cardinality, Seed,
            [.. history.Select(h => new EpochRecord(h.Epoch, h.SupervisedLoss + (h.ConsistencyWeight * h.ConsistencyLoss), null, null))],
            net.Clone());

    /// <summary>A mean-teacher step: teacher targets, one student step, then the EMA update from the new student.</summary>
    public StepRecord MeanTeacherStep()
    {
        var batch = NextBatch();
        var record = StudentStep(batch);
        Teacher.Update(Session.Net);
        RealSteps++;
        return record;
    }

    /// <summary>
    /// An FST-D step: snapshot; K times (teacher EMA update from the current, virtual student; a student step on this
    /// batch with the teacher's pseudo-labels); one more EMA update; restore the student (and, if asked, the optimiser);
    /// then the real step on the same batch with the now "future" teacher's pseudo-labels. An update whose source would
    /// be the untouched initial student (the teacher is already its copy) is skipped, so K = 0 is exactly
    /// <see cref="MeanTeacherStep"/> with the EMA update moved to the start of the next step.
    /// </summary>
    public StepRecord LookAheadStep(int lookAhead, bool restoreOptimizer)
    {
        var batch = NextBatch();
        var snapshot = lookAhead > 0 ? Session.Snapshot() : default;
        for (int i = 0; i < lookAhead; i++)
        {
            UpdateTeacherUnlessInitial();
            StudentStep(batch);
        }

        UpdateTeacherUnlessInitial();
        if (lookAhead > 0)
        {
            if (restoreOptimizer)
            {
                Session.Restore(snapshot);
            }
            else
            {
                Session.RestoreParameters(snapshot.Net);
            }
        }

        var record = StudentStep(batch);
        RealSteps++;
        return record;
    }

    /// <summary>The look-ahead loop's closing EMA update, so its teacher includes the final student as the mean teacher's does.</summary>
    public void FinalTeacherUpdate() => UpdateTeacherUnlessInitial();

    /// <summary>Progress t = real step / total steps and the consistency weight w(t) = w_max · ramp(t).</summary>
    public double ConsistencyWeightNow() =>
        _settings.ConsistencyWeight * Schedules.SigmoidRampUp(TotalSteps == 0 ? 0 : (double)RealSteps / TotalSteps, _settings.RampFraction);

    private void UpdateTeacherUnlessInitial()
    {
        if (Session.Step > 0)
        {
            Teacher.Update(Session.Net);
        }
    }

    private Batch NextBatch()
    {
        var random = Session.Random;
        int lb = Take(_labeledOrder, _labeledBatch, ref _labeledPosition, random, out var labeledRows);
        int[] poolRows = [];
        int pb = _poolBatch == 0 ? 0 : Take(_poolOrder, _poolBatch, ref _poolPosition, random, out poolRows);
        int count = lb + pb;
        var rows = new int[count];
        labeledRows.CopyTo(rows, 0);
        if (pb > 0)
        {
            poolRows.CopyTo(rows, lb);
        }

        FeatureMatrix studentX = Session.Data.Features, teacherX = studentX;
        int[] inputRows = rows;
        if (_settings.InputNoise > 0)
        {
            // Independent noise for student and teacher (the "independent perturbations" of mean teacher).
            studentX = Noisy(rows, random);
            teacherX = Noisy(rows, random);
            inputRows = FeatureMatrix.AllRows(count);
        }

        int consistencyStart = _settings.Rows == ConsistencyRows.Pool ? lb : 0;
        return new Batch(rows, count, lb, consistencyStart, studentX, teacherX, inputRows);

        static int Take(int[] order, int size, ref int position, Random random, out int[] taken)
        {
            if (position == 0)
            {
                // Same in-place Fisher–Yates as Mlp's epochs, so a run without a pool batches exactly like Mlp.Fit.
                for (int i = order.Length - 1; i > 0; i--)
                {
                    int j = random.Next(i + 1);
                    (order[i], order[j]) = (order[j], order[i]);
                }
            }

            int n = Math.Min(size, order.Length - position);
            taken = order[position..(position + n)];
            position += n;
            if (position == order.Length)
            {
                position = 0;
            }

            return n;
        }
    }

    private DenseMatrix Noisy(int[] rows, Random random)
    {
        var source = (DenseMatrix)Session.Data.Features;
        int d = source.ColumnCount;
        var values = new float[rows.Length * d];
        for (int r = 0; r < rows.Length; r++)
        {
            var row = source.Row(rows[r]);
            for (int j = 0; j < d; j++)
            {
                values[(r * d) + j] = row[j] + (float)(_settings.InputNoise * Gaussian(random));
            }
        }

        return DenseMatrix.Wrap(values, rows.Length, d);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Teacher probabilities (no dropout) for the batch's consistency rows, then one student step on the combined loss.</summary>
    private StepRecord StudentStep(Batch batch)
    {
        int k = Session.Data.Labels.Cardinality;
        int consistencyCount = batch.Count - batch.ConsistencyStart;
        var teacherProbs = new double[consistencyCount * k];
        if (consistencyCount > 0)
        {
            var teacherRows = batch.InputRows[batch.ConsistencyStart..];
            var logits = new float[consistencyCount * k];
            Teacher.Net.Forward(batch.TeacherX, teacherRows, consistencyCount, logits, Session.Parallel);
            for (int r = 0; r < consistencyCount; r++)
            {
                Losses.Softmax(logits.AsSpan(r * k, k), teacherProbs.AsSpan(r * k, k));
            }
        }

        double weight = ConsistencyWeightNow();
        double supervised = 0, consistency = 0, confidentShare = double.NaN;
        Session.TrainStep(batch.StudentX, batch.InputRows, batch.Count, (logits, delta) =>
        {
            var data = Session.Data;
            Span<double> p = stackalloc double[k];
            double weightSum = 0;
            for (int r = 0; r < batch.LabeledCount; r++)
            {
                weightSum += data.Weights[batch.Rows[r]];
            }

            var grad = new double[batch.Count * k];
            if (weightSum > 0)
            {
                for (int r = 0; r < batch.LabeledCount; r++)
                {
                    var y = data.Labels.Row(batch.Rows[r]);
                    double w = data.Weights[batch.Rows[r]];
                    supervised += w * Losses.CrossEntropy(logits.AsSpan(r * k, k), y, p);
                    for (int c = 0; c < k; c++)
                    {
                        grad[(r * k) + c] = w * (p[c] - y[c]) / weightSum;
                    }
                }

                supervised /= weightSum;
            }

            if (consistencyCount > 0)
            {
                var studentLogits = logits.AsSpan(batch.ConsistencyStart * k, consistencyCount * k);
                var consistencyGrad = grad.AsSpan(batch.ConsistencyStart * k);
                (consistency, confidentShare) = ConsistencyTerm(_settings, studentLogits, teacherProbs, k, weight, consistencyGrad);
            }

            for (int i = 0; i < delta.Length; i++)
            {
                delta[i] = (float)grad[i];
            }

            return supervised + (weight * consistency);
        });

        return new StepRecord(supervised, consistency, weight, Teacher.LastDecay, confidentShare);
    }

    /// <summary>
    /// The mean consistency loss over <paramref name="teacherProbs"/>' rows and its gradient times
    /// <paramref name="weight"/>/rows, added to <paramref name="grad"/>; returns the loss and (pseudo-labels only) the
    /// share of rows whose teacher confidence reaches the threshold.
    /// </summary>
    internal static (double Loss, double ConfidentShare) ConsistencyTerm(TeacherStudentSettings settings, ReadOnlySpan<float> logits,
        ReadOnlySpan<double> teacherProbs, int k, double weight, Span<double> grad)
    {
        int rows = teacherProbs.Length / k;
        Span<double> p = stackalloc double[k];
        Span<double> g = stackalloc double[k];
        double total = 0, scale = weight / rows;
        double confidentShare = double.NaN;
        double shareWeight = 1;
        if (settings.Consistency == TeacherConsistency.PseudoLabel)
        {
            int confident = 0;
            for (int r = 0; r < rows; r++)
            {
                confident += Max(teacherProbs.Slice(r * k, k)) >= settings.ConfidenceThreshold ? 1 : 0;
            }

            confidentShare = (double)confident / rows;
            shareWeight = confidentShare;
        }

        for (int r = 0; r < rows; r++)
        {
            var z = logits.Slice(r * k, k);
            var q = teacherProbs.Slice(r * k, k);
            var gr = grad.Slice(r * k, k);
            switch (settings.Consistency)
            {
                case TeacherConsistency.MeanSquaredError:
                {
                    // ℓ = (1/k)Σ(p − q)²; ∂ℓ/∂p = 2(p − q)/k; ∂ℓ/∂z = Jᵀ∂ℓ/∂p with J = diag(p) − ppᵀ, i.e. p ⊙ (g − ⟨p, g⟩).
                    Losses.Softmax(z, p);
                    double loss = 0, dot = 0;
                    for (int c = 0; c < k; c++)
                    {
                        double e = p[c] - q[c];
                        loss += e * e / k;
                        g[c] = 2 * e / k;
                        dot += p[c] * g[c];
                    }

                    total += loss;
                    for (int c = 0; c < k; c++)
                    {
                        gr[c] += scale * p[c] * (g[c] - dot);
                    }

                    break;
                }

                case TeacherConsistency.CrossEntropy:
                {
                    // KL(q ‖ p): the soft cross-entropy minus the teacher's (constant) entropy; ∂/∂z = p − q.
                    double ce = Losses.CrossEntropy(z, q, p), entropy = 0;
                    foreach (double qc in q)
                    {
                        entropy -= qc > 0 ? qc * Math.Log(qc) : 0;
                    }

                    total += ce - entropy;
                    for (int c = 0; c < k; c++)
                    {
                        gr[c] += scale * (p[c] - q[c]);
                    }

                    break;
                }

                default:
                {
                    // Hard pseudo-label = teacher argmax (ties → lowest class), weighted DACS-style.
                    int label = Losses.ArgMax(q);
                    double m = settings.Weighting == PseudoLabelMasking.ConfidentShare
                        ? shareWeight
                        : (q[label] >= settings.ConfidenceThreshold ? 1 : 0);
                    if (m == 0)
                    {
                        break;
                    }

                    Losses.Softmax(z, p);
                    total += m * -Math.Log(Math.Max(p[label], double.Epsilon));
                    for (int c = 0; c < k; c++)
                    {
                        gr[c] += scale * m * (p[c] - (c == label ? 1 : 0));
                    }

                    break;
                }
            }
        }

        return (total / rows, confidentShare);
    }

    private static double Max(ReadOnlySpan<double> values)
    {
        double max = values[0];
        foreach (double v in values)
        {
            max = Math.Max(max, v);
        }

        return max;
    }


    /// <summary>Rows of <paramref name="top"/> followed by rows of <paramref name="bottom"/> (sparse if either is).</summary>
    internal static FeatureMatrix Stack(FeatureMatrix top, FeatureMatrix bottom)
    {
        if (top is DenseMatrix a && bottom is DenseMatrix b)
        {
            return DenseMatrix.Wrap([.. a.Array, .. b.Array], a.RowCount + b.RowCount, a.ColumnCount);
        }

        var sa = AsSparse(top);
        var sb = AsSparse(bottom);
        int offset = sa.NonZeroCount;
        var pointers = new int[sa.RowCount + sb.RowCount + 1];
        sa.RowPointers.CopyTo(pointers);
        for (int i = 1; i <= sb.RowCount; i++)
        {
            pointers[sa.RowCount + i] = sb.RowPointers[i] + offset;
        }

        return SparseMatrix.Wrap(pointers, [.. sa.ColumnIndices, .. sb.ColumnIndices], [.. sa.Values, .. sb.Values], sa.ColumnCount);

        static SparseMatrix AsSparse(FeatureMatrix m) => m switch
        {
            SparseMatrix s => s,
            DenseMatrix d => SparseMatrix.FromDense(d),
            _ => throw new ArgumentException($"Unsupported feature matrix type {m.GetType().Name}.", nameof(m)),
        };
    }

    internal readonly record struct StepRecord(double Supervised, double Consistency, double Weight, double Decay, double ConfidentShare);

    private sealed record Batch(int[] Rows, int Count, int LabeledCount, int ConsistencyStart, FeatureMatrix StudentX, FeatureMatrix TeacherX,
        int[] InputRows);
}

/// <summary>Per-epoch means of the real steps' records.</summary>
internal sealed class EpochAccumulator
{
    private double _supervised;
    private double _consistency;
    private double _share;
    private int _shareCount;
    private int _steps;
    private TeacherStudentRun.StepRecord _last;

    public void Add(TeacherStudentRun.StepRecord record)
    {
        _supervised += record.Supervised;
        _consistency += record.Consistency;
        if (!double.IsNaN(record.ConfidentShare))
        {
            _share += record.ConfidentShare;
            _shareCount++;
        }

        _steps++;
        _last = record;
    }

    public TeacherStudentEpoch Close(int epoch, double decay)
    {
        var result = new TeacherStudentEpoch(epoch, _supervised / _steps, _consistency / _steps, _last.Weight, decay,
            _shareCount > 0 ? _share / _shareCount : null);
        (_supervised, _consistency, _share, _shareCount, _steps) = (0, 0, 0, 0, 0);
        return result;
    }
}
