using Skein.Data;

namespace Skein.Training;

/// <summary>Which examples <see cref="ConfidentLearning.FindLabelIssues"/> flags (cleanlab's <c>filter_by</c>).</summary>
public enum LabelIssueFilter
{
    /// <summary>
    /// For each given class k and each other class j, the C[k][j] examples given k with the largest margin
    /// p̂(j|x) − p̂(k|x), C being the calibrated confident joint (cleanlab's default, "prune_by_noise_rate").
    /// </summary>
    PruneByNoiseRate,

    /// <summary>For each given class k, the n_k − C[k][k] examples given k with the lowest p̂(k|x) ("prune_by_class").</summary>
    PruneByClass,

    /// <summary>Examples flagged by both <see cref="PruneByNoiseRate"/> and <see cref="PruneByClass"/> ("both").</summary>
    Both,

    /// <summary>The examples counted off the diagonal of the confident joint ("confident_learning").</summary>
    ConfidentLearning,

    /// <summary>Examples whose most probable class differs from the given label ("predicted_neq_given").</summary>
    PredictedNeqGiven,
}

/// <summary>Options of <see cref="ConfidentLearning.FindLabelIssues"/>.</summary>
public sealed record LabelIssueOptions
{
    /// <summary>How examples are flagged. Default <see cref="LabelIssueFilter.PruneByNoiseRate"/>.</summary>
    public LabelIssueFilter FilterBy { get; init; } = LabelIssueFilter.PruneByNoiseRate;

    /// <summary>
    /// The pruning filters leave at least this many examples of each given class unflagged, and do not prune a
    /// class with this many examples or fewer; ≥ 0. Default 1 (cleanlab's <c>min_examples_per_class</c>).
    /// </summary>
    public int MinExamplesPerClass { get; init; } = 1;

    /// <summary>
    /// Share of the estimated off-diagonal counts the pruning filters remove, in (0, 1]. Default 1 (all; cleanlab's
    /// <c>frac_noise</c>). Ignored by <see cref="LabelIssueFilter.ConfidentLearning"/> and <see cref="LabelIssueFilter.PredictedNeqGiven"/>.
    /// </summary>
    public double FracNoise { get; init; } = 1;
}

/// <summary>
/// The confident-learning estimates for a labelled set (Northcutt et al. 2021, cleanlab <c>count.py</c>). Matrices
/// are k×k, indexed [row][column].
/// </summary>
/// <param name="Thresholds">t_j: mean p̂(j|x) over examples given j, clipped below at 2e-6 (2 for a class nobody was given).</param>
/// <param name="ConfidentJoint">C[given][guessed true], raw counts with the diagonal forced to at least 1.</param>
/// <param name="CalibratedJoint">C rescaled so row i sums to n_i (the given-label count) and the whole to n, rounded preserving row totals.</param>
/// <param name="Joint">Q = calibrated C / n, the estimated joint of given and true labels.</param>
/// <param name="NoiseMatrix">P(given = i | true = j) at [i][j] (columns sum to 1), from the calibrated joint, off-diagonal rates clipped to [0, 0.9999].</param>
/// <param name="InverseNoiseMatrix">P(true = i | given = j) at [i][j] (columns sum to 1), cleanlab's layout.</param>
/// <param name="LatentPrior">P(true = j), cleanlab's "cnt" estimate, clipped to [1e-5, 1] and renormalised.</param>
/// <param name="OffDiagonal">Indices counted off the diagonal of the confident joint (given ≠ guessed true), ascending.</param>
public sealed record ConfidentLearningEstimate(
    IReadOnlyList<double> Thresholds,
    IReadOnlyList<IReadOnlyList<int>> ConfidentJoint,
    IReadOnlyList<IReadOnlyList<int>> CalibratedJoint,
    IReadOnlyList<IReadOnlyList<double>> Joint,
    IReadOnlyList<IReadOnlyList<double>> NoiseMatrix,
    IReadOnlyList<IReadOnlyList<double>> InverseNoiseMatrix,
    IReadOnlyList<double> LatentPrior,
    IReadOnlyList<int> OffDiagonal)
{
    /// <summary>Estimated share of examples given class j whose true class is another: 1 − P(true = j | given = j).</summary>
    public double NoiseRateOfGiven(int given) => 1 - InverseNoiseMatrix[given][given];
}

/// <summary>The result of <see cref="ConfidentLearning.FindLabelIssues"/>.</summary>
/// <param name="Indices">Flagged examples, most likely wrong first: by self-confidence ascending, ties by index.</param>
/// <param name="SelfConfidence">p̂(given|x) of every example.</param>
/// <param name="NormalizedMargin">(p̂(given|x) − max_{j≠given} p̂(j|x) + 1) / 2 of every example.</param>
/// <param name="Suggested">argmax p̂(·|x) of every example (ties to the lowest class): the label to check first.</param>
/// <param name="Estimate">The thresholds, confident joint, noise matrices and prior behind the flags.</param>
/// <param name="FilterBy">The filter used.</param>
public sealed record LabelIssues(
    IReadOnlyList<int> Indices,
    IReadOnlyList<double> SelfConfidence,
    IReadOnlyList<double> NormalizedMargin,
    IReadOnlyList<int> Suggested,
    ConfidentLearningEstimate Estimate,
    LabelIssueFilter FilterBy);

/// <summary>
/// Confident learning (Northcutt, Jiang &amp; Chuang, JAIR 2021), following cleanlab's <c>count.py</c> and
/// <c>filter.py</c> step for step: per-class thresholds, the confident joint, its calibration, the noise matrices
/// and latent prior, and the label-issue filters. Inputs are the given (possibly wrong) labels and
/// <b>out-of-sample</b> predicted probabilities, e.g. from <see cref="CrossValidation.Probabilities(Func{EndModels.IEndModelTrainer}, Features.FeatureMatrix, IReadOnlyList{int}, int, int, int)"/>;
/// in-sample probabilities have memorised the wrong labels and find little.
/// </summary>
/// <remarks>
/// Where cleanlab sorts with numpy's unstable argsort, ties are broken here by index (stable), so results are
/// deterministic; with continuous probabilities ties are rare. Examples whose argmax equals the given label are
/// never flagged; as in current cleanlab (<c>_reduce_issues</c>) the given label gets a 1e-6 bonus in that argmax.
/// </remarks>
public static class ConfidentLearning
{
    /// <summary>cleanlab FLOATING_POINT_COMPARISON.</summary>
    private const double Fuzz = 1e-6;

    /// <summary>cleanlab CONFIDENT_THRESHOLDS_LOWER_BOUND.</summary>
    private const double ThresholdFloor = 2 * Fuzz;

    /// <summary>cleanlab TINY_VALUE.</summary>
    private const double Tiny = 1e-100;

    /// <summary>Per-class thresholds t_j: the mean of p̂(j|x) over examples given j, at least 2e-6; 2 for an absent class (so nothing is counted into it).</summary>
    /// <exception cref="ArgumentException">Row counts differ or a label is outside [0, k).</exception>
    public static double[] Thresholds(IReadOnlyList<int> labels, ProbabilisticLabels probabilities)
    {
        int k = Check(labels, probabilities);
        var sum = new double[k];
        var count = new int[k];
        for (int i = 0; i < labels.Count; i++)
        {
            sum[labels[i]] += probabilities[i, labels[i]];
            count[labels[i]]++;
        }

        var t = new double[k];
        for (int j = 0; j < k; j++)
        {
            t[j] = count[j] == 0 ? 2 : Math.Max(sum[j] / count[j], ThresholdFloor);
        }

        return t;
    }

    /// <summary>
    /// The confident joint C[given][guessed true]: an example's true class is guessed as the one class with
    /// p̂(j|x) ≥ t_j − 1e-6, or the argmax among several such classes; examples with none are not counted. The
    /// diagonal is then forced to at least 1, and with <paramref name="calibrate"/> the matrix is calibrated
    /// (rows to the given-label counts, total to n, rounded preserving row totals).
    /// </summary>
    /// <exception cref="ArgumentException">Row counts differ or a label is outside [0, k).</exception>
    public static int[][] ComputeConfidentJoint(IReadOnlyList<int> labels, ProbabilisticLabels probabilities, bool calibrate = true)
    {
        var (joint, _) = RawJoint(labels, probabilities, Thresholds(labels, probabilities));
        return calibrate ? Calibrate(joint, labels) : joint;
    }

    /// <summary>Thresholds, confident joint (raw and calibrated), joint, noise matrix, inverse noise matrix and latent prior.</summary>
    /// <exception cref="ArgumentException">Row counts differ or a label is outside [0, k).</exception>
    public static ConfidentLearningEstimate Estimate(IReadOnlyList<int> labels, ProbabilisticLabels probabilities)
    {
        var thresholds = Thresholds(labels, probabilities);
        int k = thresholds.Length, n = labels.Count;
        var (raw, offDiagonal) = RawJoint(labels, probabilities, thresholds);
        var calibrated = Calibrate(raw, labels);

        double total = Math.Max(calibrated.Sum(r => (double)r.Sum()), Tiny);
        var joint = calibrated.Select(r => (IReadOnlyList<double>)[.. r.Select(c => c / total)]).ToArray();

        // cleanlab estimate_latent: noise = C / column sums, inverse = Cᵀ / row sums, prior by "cnt".
        var givenCounts = LabelCounts(labels, k);
        var rowSums = calibrated.Select(r => (double)r.Sum()).ToArray();
        var colSums = Enumerable.Range(0, k).Select(j => (double)calibrated.Sum(r => r[j])).ToArray();
        var noise = new double[k][];
        var inverse = new double[k][];
        for (int i = 0; i < k; i++)
        {
            noise[i] = new double[k];
            inverse[i] = new double[k];
        }

        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                noise[i][j] = calibrated[i][j] / Math.Max(colSums[j], Tiny);
                inverse[j][i] = calibrated[i][j] / Math.Max(rowSums[i], Tiny);
            }
        }

        var prior = new double[k];
        for (int j = 0; j < k; j++)
        {
            double ps = givenCounts[j] / (double)n;
            prior[j] = inverse[j][j] / noise[j][j] * ps;
        }

        prior = ClipValues(prior, 1e-5, 1.0, 1.0);
        ClipNoiseRates(noise);
        ClipNoiseRates(inverse);
        return new ConfidentLearningEstimate(thresholds, ToReadOnly(raw), ToReadOnly(calibrated), joint,
            ToReadOnly(noise), ToReadOnly(inverse), prior, offDiagonal);
    }

    /// <summary>
    /// Flags likely label errors (cleanlab <c>find_label_issues</c>), ranked by self-confidence ascending. Every
    /// filter finally un-flags examples whose argmax (with a 1e-6 bonus for the given label) is the given label.
    /// </summary>
    /// <param name="labels">Given labels in [0, k).</param>
    /// <param name="probabilities">Out-of-sample p̂(j|x), n×k.</param>
    /// <param name="options">Filter and pruning settings; null = defaults.</param>
    /// <exception cref="ArgumentException">Row counts differ, a label is outside [0, k), or an option is out of range.</exception>
    public static LabelIssues FindLabelIssues(IReadOnlyList<int> labels, ProbabilisticLabels probabilities, LabelIssueOptions? options = null)
    {
        var o = options ?? new LabelIssueOptions();
        if (!Enum.IsDefined(o.FilterBy))
        {
            throw new ArgumentException($"LabelIssueOptions.FilterBy = {o.FilterBy} is not defined.", nameof(options));
        }

        if (o.MinExamplesPerClass < 0)
        {
            throw new ArgumentException($"LabelIssueOptions.MinExamplesPerClass = {o.MinExamplesPerClass}; it must be ≥ 0.", nameof(options));
        }

        if (!(o.FracNoise is > 0 and <= 1))
        {
            throw new ArgumentException($"LabelIssueOptions.FracNoise = {o.FracNoise}; it must be in (0, 1].", nameof(options));
        }

        var estimate = Estimate(labels, probabilities);
        int n = labels.Count, k = probabilities.Cardinality;
        var flagged = new bool[n];
        switch (o.FilterBy)
        {
            case LabelIssueFilter.ConfidentLearning:
                foreach (int i in estimate.OffDiagonal)
                {
                    flagged[i] = true;
                }

                break;
            case LabelIssueFilter.PredictedNeqGiven:
                var argmax = probabilities.ArgMax();
                for (int i = 0; i < n; i++)
                {
                    flagged[i] = argmax[i] != labels[i];
                }

                break;
            default:
                var prune = KeepAtLeastPerClass(Transpose(estimate.CalibratedJoint), o.MinExamplesPerClass, o.FracNoise);
                var byClass = ByGivenClass(labels, k);
                if (o.FilterBy is LabelIssueFilter.PruneByNoiseRate or LabelIssueFilter.Both)
                {
                    PruneByNoiseRate(byClass, probabilities, prune, o.MinExamplesPerClass, flagged);
                }

                if (o.FilterBy is LabelIssueFilter.PruneByClass or LabelIssueFilter.Both)
                {
                    var byLowConfidence = new bool[n];
                    PruneByClass(byClass, probabilities, prune, o.MinExamplesPerClass, byLowConfidence);
                    for (int i = 0; i < n; i++)
                    {
                        flagged[i] = o.FilterBy == LabelIssueFilter.Both ? flagged[i] && byLowConfidence[i] : byLowConfidence[i];
                    }
                }

                break;
        }

        var agree = PredictionAgreesWithGiven(labels, probabilities);
        var selfConfidence = SelfConfidence(labels, probabilities);
        var indices = Enumerable.Range(0, n).Where(i => flagged[i] && !agree[i])
            .OrderBy(i => selfConfidence[i]).ThenBy(i => i).ToArray();
        return new LabelIssues(indices, selfConfidence, NormalizedMargin(labels, probabilities), probabilities.ArgMax(), estimate, o.FilterBy);
    }

    /// <summary>
    /// Estimated number of label errors (cleanlab <c>num_label_issues</c>): "off_diagonal" counts the confident
    /// joint's off-diagonal examples whose argmax is not the given label; "off_diagonal_calibrated"
    /// (<paramref name="calibrated"/>) is round((1 − trace Q)·n), which cleanlab recommends for fewer than 4 classes.
    /// </summary>
    /// <exception cref="ArgumentException">Row counts differ or a label is outside [0, k).</exception>
    public static int EstimateIssueCount(IReadOnlyList<int> labels, ProbabilisticLabels probabilities, bool calibrated = false)
    {
        var estimate = Estimate(labels, probabilities);
        if (calibrated)
        {
            double trace = 0;
            for (int j = 0; j < estimate.Joint.Count; j++)
            {
                trace += estimate.Joint[j][j];
            }

            return (int)Math.Round((1 - trace) * labels.Count, MidpointRounding.ToEven);
        }

        var agree = PredictionAgreesWithGiven(labels, probabilities);
        return estimate.OffDiagonal.Count(i => !agree[i]);
    }

    /// <summary>Self-confidence p̂(given|x) of every example (cleanlab <c>get_self_confidence_for_each_label</c>).</summary>
    /// <exception cref="ArgumentException">Row counts differ or a label is outside [0, k).</exception>
    public static double[] SelfConfidence(IReadOnlyList<int> labels, ProbabilisticLabels probabilities)
    {
        Check(labels, probabilities);
        return [.. Enumerable.Range(0, labels.Count).Select(i => probabilities[i, labels[i]])];
    }

    /// <summary>Normalized margin (p̂(given|x) − max_{j≠given} p̂(j|x) + 1) / 2 of every example, in [0, 1].</summary>
    /// <exception cref="ArgumentException">Row counts differ or a label is outside [0, k).</exception>
    public static double[] NormalizedMargin(IReadOnlyList<int> labels, ProbabilisticLabels probabilities)
    {
        int k = Check(labels, probabilities);
        var result = new double[labels.Count];
        for (int i = 0; i < result.Length; i++)
        {
            var row = probabilities.Row(i);
            double other = double.NegativeInfinity;
            for (int j = 0; j < k; j++)
            {
                if (j != labels[i])
                {
                    other = Math.Max(other, row[j]);
                }
            }

            result[i] = (row[labels[i]] - other + 1) / 2;
        }

        return result;
    }

    private static int Check(IReadOnlyList<int> labels, ProbabilisticLabels probabilities)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (labels.Count != probabilities.RowCount)
        {
            throw new ArgumentException($"There are {labels.Count} labels but {probabilities.RowCount} probability rows.", nameof(labels));
        }

        if (labels.Count == 0)
        {
            throw new ArgumentException("Confident learning needs at least one labelled example.", nameof(labels));
        }

        int k = probabilities.Cardinality;
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0 || labels[i] >= k)
            {
                throw new ArgumentException($"Label {labels[i]} of example {i} is outside [0, {k}).", nameof(labels));
            }
        }

        return k;
    }

    private static int[] LabelCounts(IReadOnlyList<int> labels, int k)
    {
        var counts = new int[k];
        foreach (int y in labels)
        {
            counts[y]++;
        }

        return counts;
    }

    private static (int[][] Joint, int[] OffDiagonal) RawJoint(IReadOnlyList<int> labels, ProbabilisticLabels probabilities, double[] thresholds)
    {
        int k = thresholds.Length;
        var joint = new int[k][];
        for (int i = 0; i < k; i++)
        {
            joint[i] = new int[k];
        }

        var offDiagonal = new List<int>();
        for (int x = 0; x < labels.Count; x++)
        {
            var row = probabilities.Row(x);
            int confident = 0, firstConfident = -1, argmax = 0;
            for (int j = 0; j < k; j++)
            {
                if (row[j] >= thresholds[j] - Fuzz)
                {
                    confident++;
                    firstConfident = firstConfident < 0 ? j : firstConfident;
                }

                if (row[j] > row[argmax])
                {
                    argmax = j;
                }
            }

            if (confident == 0)
            {
                continue;
            }

            int guess = confident > 1 ? argmax : firstConfident;
            joint[labels[x]][guess]++;
            if (guess != labels[x])
            {
                offDiagonal.Add(x);
            }
        }

        // Every class keeps at least one correctly labelled example.
        for (int j = 0; j < k; j++)
        {
            joint[j][j] = Math.Max(joint[j][j], 1);
        }

        return (joint, [.. offDiagonal]);
    }

    /// <summary>cleanlab calibrate_confident_joint: rows to the given-label counts, total to n, rounded preserving row totals.</summary>
    private static int[][] Calibrate(int[][] joint, IReadOnlyList<int> labels)
    {
        int k = joint.Length;
        var counts = LabelCounts(labels, k);
        var scaled = new double[k][];
        double total = 0;
        for (int i = 0; i < k; i++)
        {
            double rowSum = Math.Max(joint[i].Sum(), Tiny);
            scaled[i] = [.. joint[i].Select(c => c / rowSum * counts[i])];
            total += scaled[i].Sum();
        }

        double n = counts.Sum();
        total = Math.Max(total, Tiny);
        return [.. scaled.Select(r => RoundPreservingSum([.. r.Select(c => c / total * n)]))];
    }

    /// <summary>cleanlab round_preserving_sum: round half to even, then move the largest residuals until the rounded total matches.</summary>
    private static int[] RoundPreservingSum(double[] floats)
    {
        var ints = floats.Select(f => Math.Round(f)).ToArray();
        double target = Math.Round(floats.Sum());
        double intSum = Math.Round(ints.Sum());
        while (Math.Abs(intSum - target) > Fuzz)
        {
            double diff = Math.Round(target - intSum);
            int increment = diff < 0 ? -1 : 1;
            int changes = Math.Min((int)Math.Abs(diff), floats.Length);
            // numpy's argsort is stable for these short rows; +1 walks it backwards (largest residual first).
            var order = Enumerable.Range(0, floats.Length).OrderBy(i => floats[i] - ints[i]).ToArray();
            if (increment > 0)
            {
                Array.Reverse(order);
            }

            foreach (int i in order.Take(changes))
            {
                ints[i] += increment;
            }

            intSum = Math.Round(ints.Sum());
        }

        return [.. ints.Select(v => (int)v)];
    }

    /// <summary>cleanlab clip_noise_rates: off-diagonal rates into [0, 0.9999], diagonal kept, columns renormalised to 1.</summary>
    private static void ClipNoiseRates(double[][] m)
    {
        int k = m.Length;
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                if (i != j)
                {
                    m[i][j] = Math.Clamp(m[i][j], 0, 0.9999);
                }
            }
        }

        for (int j = 0; j < k; j++)
        {
            double sum = Math.Max(m.Sum(r => r[j]), Tiny);
            for (int i = 0; i < k; i++)
            {
                m[i][j] /= sum;
            }
        }
    }

    /// <summary>cleanlab clip_values: clip into [low, high], then rescale to sum to newSum.</summary>
    private static double[] ClipValues(double[] x, double low, double high, double newSum)
    {
        var clipped = x.Select(v => Math.Clamp(v, low, high)).ToArray();
        double sum = Math.Max(clipped.Sum(), Tiny);
        return [.. clipped.Select(v => v * newSum / sum)];
    }

    /// <summary>
    /// cleanlab _keep_at_least_n_per_class on the prune-count matrix (the calibrated joint transposed: [true][given]):
    /// raise each diagonal to n, take the increase evenly from the column's non-zero off-diagonal entries, then keep
    /// FracNoise of the off-diagonal counts (the rest back on the diagonal); truncated to integers as cleanlab does.
    /// </summary>
    private static int[][] KeepAtLeastPerClass(double[][] prune, int n, double fracNoise)
    {
        int k = prune.Length;
        var result = new double[k][];
        for (int i = 0; i < k; i++)
        {
            result[i] = new double[k];
        }

        for (int col = 0; col < k; col++)
        {
            double diagonal = prune[col][col];
            double newDiagonal = Math.Max(diagonal, n);
            double increase = newDiagonal - diagonal;
            int nonZero = 0;
            for (int row = 0; row < k; row++)
            {
                nonZero += prune[row][col] != 0 ? 1 : 0;
            }

            double perEntry = increase / Math.Max(nonZero - 1.0, 1.0);
            double removed = 0;
            for (int row = 0; row < k; row++)
            {
                if (row == col)
                {
                    continue;
                }

                double value = Math.Max(prune[row][col] - perEntry, 0);
                double kept = value * fracNoise;
                result[row][col] = kept;
                removed += value - kept;
            }

            result[col][col] = newDiagonal + removed;
        }

        // astype(int) truncates; cleanlab's final round_preserving_row_totals leaves integers unchanged.
        return [.. result.Select(r => r.Select(v => (int)v).ToArray())];
    }

    private static double[][] Transpose(IReadOnlyList<IReadOnlyList<int>> m) =>
        [.. Enumerable.Range(0, m.Count).Select(j => Enumerable.Range(0, m.Count).Select(i => (double)m[i][j]).ToArray())];

    private static List<int>[] ByGivenClass(IReadOnlyList<int> labels, int k)
    {
        var byClass = Enumerable.Range(0, k).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < labels.Count; i++)
        {
            byClass[labels[i]].Add(i);
        }

        return byClass;
    }

    /// <summary>cleanlab _prune_by_count: for given class k and j ≠ k, flag the prune[j][k] examples with the largest p̂(j|x) − p̂(k|x).</summary>
    private static void PruneByNoiseRate(List<int>[] byClass, ProbabilisticLabels p, int[][] prune, int minPerClass, bool[] flagged)
    {
        int k = byClass.Length;
        for (int given = 0; given < k; given++)
        {
            var members = byClass[given];
            if (members.Count <= minPerClass)
            {
                continue;
            }

            for (int j = 0; j < k; j++)
            {
                int count = prune[j][given];
                if (j == given || count <= 0)
                {
                    continue;
                }

                foreach (int i in members.OrderByDescending(i => p[i, j] - p[i, given]).ThenBy(i => i).Take(count))
                {
                    flagged[i] = true;
                }
            }
        }
    }

    /// <summary>cleanlab _prune_by_class: flag the n_k − prune[k][k] examples given k with the lowest p̂(k|x).</summary>
    private static void PruneByClass(List<int>[] byClass, ProbabilisticLabels p, int[][] prune, int minPerClass, bool[] flagged)
    {
        for (int given = 0; given < byClass.Length; given++)
        {
            var members = byClass[given];
            int count = members.Count - prune[given][given];
            if (members.Count <= minPerClass || count < 1)
            {
                continue;
            }

            foreach (int i in members.OrderBy(i => p[i, given]).ThenBy(i => i).Take(count))
            {
                flagged[i] = true;
            }
        }
    }

    /// <summary>Whether argmax p̂ (the given label gets a 1e-6 bonus; first class on ties) is the given label.</summary>
    private static bool[] PredictionAgreesWithGiven(IReadOnlyList<int> labels, ProbabilisticLabels p)
    {
        int k = p.Cardinality;
        var agree = new bool[labels.Count];
        for (int i = 0; i < agree.Length; i++)
        {
            int best = 0;
            double bestValue = double.NegativeInfinity;
            for (int j = 0; j < k; j++)
            {
                double v = p[i, j] + (j == labels[i] ? Fuzz : 0);
                if (v > bestValue)
                {
                    best = j;
                    bestValue = v;
                }
            }

            agree[i] = best == labels[i];
        }

        return agree;
    }

    private static IReadOnlyList<IReadOnlyList<T>> ToReadOnly<T>(T[][] m) => [.. m.Select(r => (IReadOnlyList<T>)r)];
}
