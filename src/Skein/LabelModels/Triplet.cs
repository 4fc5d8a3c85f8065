using Skein.Data;

namespace Skein.LabelModels;

/// <summary>How <see cref="Triplet"/> aggregates the per-triplet estimates of an LF's accuracy.</summary>
public enum TripletMethod
{
    /// <summary>Mean of every triplet's estimate (FlyingSquid's <c>triplet_mean</c>, its default).</summary>
    TripletMean,

    /// <summary>Median of every triplet's estimate (FlyingSquid's <c>triplet_median</c>): robust to a few bad triplets.</summary>
    TripletMedian,
}

/// <summary>How <see cref="Triplet"/> turns its k one-vs-rest binary models into one multiclass posterior (k ≥ 3).</summary>
public enum TripletMulticlass
{
    /// <summary>
    /// Combine the one-vs-rest estimates into per-class conditional tables P(λ_j = l | Y = c) and predict with the
    /// multiclass naive-Bayes posterior P(Y = c | λ) ∝ p_c Π_j P(λ_j | Y = c). Calibrated; the default.
    /// </summary>
    OneVsRestProper,

    /// <summary>
    /// WRENCH's wrapper: s_c = P(Y_c = +1 | λ) from each one-vs-rest model, then softmax over the k probabilities
    /// (exp of probabilities, not of logits), which squeezes every row toward uniform. For comparison only.
    /// </summary>
    OneVsRestWrenchSoftmax,
}

/// <summary>Options of <see cref="Triplet"/>.</summary>
public sealed record TripletOptions
{
    /// <summary>The class prior P(Y); null (default) = uniform. Weights that do not sum to 1 are renormalised.</summary>
    public ClassBalance? ClassBalance { get; init; }

    /// <summary>How per-triplet accuracy estimates are aggregated. Default <see cref="TripletMethod.TripletMean"/>.</summary>
    public TripletMethod Method { get; init; } = TripletMethod.TripletMean;

    /// <summary>How one-vs-rest models combine when k ≥ 3 (ignored for k = 2). Default <see cref="TripletMulticlass.OneVsRestProper"/>.</summary>
    public TripletMulticlass Multiclass { get; init; } = TripletMulticlass.OneVsRestProper;
}

/// <summary>
/// FlyingSquid's closed-form label model (Fu et al., ICML 2020) for conditionally independent LFs: one pass for
/// the second moments, no SGD, no epochs. Fits from mergeable <see cref="SufficientStatistics"/> (with joint counts).
/// </summary>
/// <remarks>
/// <para>
/// Binary: λ_j ∈ {−1, +1} (class 0 → −1, class 1 → +1), abstain 0, Y ∈ {−1, +1}. With M_ij = E[λ_iλ_j] over all rows
/// (abstains count 0) and conditional independence, E[λ_iY]·E[λ_jY] = M_ij, so every pair {j, l} ∌ i gives
/// |a_i| = sqrt(|M_ij·M_il / M_jl|) (pairs with M_jl = 0 and zero estimates skipped); a_i is their mean (or
/// median), taken positive (FlyingSquid's "all_positive" sign recovery). Abstention is taken independent of Y, so
/// P(λ_iY = 1) = ½(1 + a_i − P(λ_i = 0)); with the observed P(λ_i = 1), P(λ_i = 0) and the class balance this fixes
/// the six clique marginals P(λ_i, Y). Negative entries are sign-flipped and the table renormalised, as FlyingSquid
/// does by default. Inference: P(Y | λ) ∝ P(Y) Π_i P(λ_i | Y).
/// </para>
/// <para>
/// Multiclass: one binary model per class c (votes for c → +1, for another class → −1, abstain 0, balance
/// [1 − p_c, p_c]), as the FlyingSquid paper and WRENCH do. See <see cref="TripletMulticlass"/> for the combination.
/// The proper combination reads P(λ_j = c | Y = c) and the abstain rate from model c, and spreads model c's wrong-vote
/// mass P(λ_j ≠ c, voted | Y = c) over the other classes l in proportion to model l's false-positive rate
/// P(λ_j = l | Y ≠ l). Under the usual symmetric noise (wrong votes uniform) this is exactly the generating table.
/// </para>
/// </remarks>
public sealed class Triplet : ILabelModelTrainer, ISufficientStatisticsTrainer
{
    /// <summary>A trainer with the default options (uniform prior, triplet mean, proper multiclass).</summary>
    public Triplet()
        : this(new TripletOptions())
    {
    }

    /// <summary>A trainer with the given options.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public Triplet(TripletOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Enum.IsDefined(options.Method))
        {
            throw new ArgumentException($"TripletOptions.Method = {(int)options.Method} is not a TripletMethod.", nameof(options));
        }

        if (!Enum.IsDefined(options.Multiclass))
        {
            throw new ArgumentException(
                $"TripletOptions.Multiclass = {(int)options.Multiclass} is not a TripletMulticlass.", nameof(options));
        }

        Options = options;
    }

    /// <summary>The validated options.</summary>
    public TripletOptions Options { get; }

    LabelModel ILabelModelTrainer.Fit(LabelMatrix matrix) => Fit(matrix);

    LabelModel ISufficientStatisticsTrainer.Fit(SufficientStatistics statistics) => Fit(statistics);

    /// <summary>Computes the sufficient statistics of the votes (one parallel pass) and fits from them.</summary>
    /// <exception cref="ArgumentException">The matrix has no rows or fewer than 3 LFs, or the class balance does not fit.</exception>
    public TripletModel Fit(LabelMatrix matrix)
    {
        LabelModel.RequireRows(matrix, nameof(Triplet));
        RequireLfs(matrix.LfCount, nameof(matrix));
        return Fit(SufficientStatistics.Compute(matrix, includeJointCounts: true));
    }

    /// <summary>Fits in closed form from (merged) statistics that include joint counts.</summary>
    /// <exception cref="ArgumentException">
    /// The statistics cover no rows, lack joint counts or have fewer than 3 LFs, or the class balance does not fit.
    /// </exception>
    public TripletModel Fit(SufficientStatistics statistics)
    {
        LabelModel.RequireRows(statistics, nameof(Triplet));

        if (!statistics.HasJointCounts)
        {
            throw new ArgumentException(
                "Triplet needs pairwise vote counts: compute the statistics with includeJointCounts: true.", nameof(statistics));
        }

        RequireLfs(statistics.LfCount, nameof(statistics));
        int m = statistics.LfCount, k = statistics.Cardinality;
        Options.ClassBalance?.RequireCardinality(k, "TripletOptions.ClassBalance");
        var prior = Options.ClassBalance?.ToProbabilities() ?? Enumerable.Repeat(1.0 / k, k).ToArray();

        // k = 2 is one binary problem with class 1 as +1; k ≥ 3 is one problem per class.
        int tasks = k == 2 ? 1 : k;
        var marginals = new double[tasks * m * TripletModel.CliqueSize];
        var joint = statistics.JointCountsCopy();
        var moments = new double[m * m];
        for (int t = 0; t < tasks; t++)
        {
            int positive = k == 2 ? 1 : t;
            SecondMoments(statistics, joint, positive, moments);
            for (int i = 0; i < m; i++)
            {
                double a = Accuracy(moments, m, i, Options.Method);
                double n = statistics.RowCount;
                double pPositive = statistics.ClassVotes(i, positive) / n;
                double pAbstain = 1 - (statistics.Votes(i) / n);
                CliqueMarginals(a, pPositive, pAbstain, prior[positive], marginals.AsSpan((t * m + i) * TripletModel.CliqueSize, TripletModel.CliqueSize));
            }
        }

        var multiclass = k == 2 ? TripletMulticlass.OneVsRestProper : Options.Multiclass;
        return new TripletModel(m, k, prior, Options.Method, multiclass, marginals);
    }

    private static void RequireLfs(int lfCount, string parameter)
    {
        if (lfCount < 3)
        {
            throw new ArgumentException(
                $"Triplet needs at least 3 LFs (each accuracy is solved from a triplet of LFs); got {lfCount}.", parameter);
        }
    }

    /// <summary>
    /// M_ij = E[λ_iλ_j] with λ = +1 for a vote for <paramref name="positive"/>, −1 for another class, 0 for abstain:
    /// (both voted − 2·(i voted c, j voted) − 2·(i voted, j voted c) + 4·(both voted c)) / n, exact in integers.
    /// </summary>
    private static void SecondMoments(SufficientStatistics statistics, long[] joint, int positive, double[] moments)
    {
        int m = statistics.LfCount, k = statistics.Cardinality, mk = m * k;
        double n = statistics.RowCount;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < m; j++)
            {
                long both = 0, iPositive = 0, jPositive = 0;
                for (int a = 0; a < k; a++)
                {
                    long rowOffset = (long)((i * k) + a) * mk;
                    for (int b = 0; b < k; b++)
                    {
                        long count = joint[rowOffset + (j * k) + b];
                        both += count;
                        iPositive += a == positive ? count : 0;
                        jPositive += b == positive ? count : 0;
                    }
                }

                long pp = joint[((long)((i * k) + positive) * mk) + (j * k) + positive];
                moments[(i * m) + j] = (both - (2 * iPositive) - (2 * jPositive) + (4 * pp)) / n;
            }
        }
    }

    /// <summary>|E[λ_iY]| from every pair {j, l} ∌ i, aggregated; 0 when no pair gives a non-zero estimate.</summary>
    internal static double Accuracy(double[] moments, int m, int i, TripletMethod method)
    {
        var candidates = new List<double>();
        for (int j = 0; j < m; j++)
        {
            if (j == i)
            {
                continue;
            }

            for (int l = 0; l < j; l++)
            {
                if (l == i)
                {
                    continue;
                }

                double denominator = moments[(j * m) + l];
                if (denominator == 0)
                {
                    continue;
                }

                double value = Math.Sqrt(Math.Abs(moments[(i * m) + j] * moments[(i * m) + l] / denominator));
                if (value != 0)
                {
                    candidates.Add(value);
                }
            }
        }

        if (candidates.Count == 0)
        {
            return 0;
        }

        if (method == TripletMethod.TripletMean)
        {
            double sum = 0;
            foreach (double c in candidates)
            {
                sum += c;
            }

            return sum / candidates.Count;
        }

        candidates.Sort();
        int half = candidates.Count / 2;
        return candidates.Count % 2 == 1 ? candidates[half] : (candidates[half - 1] + candidates[half]) / 2;
    }

    /// <summary>
    /// Solves the six P(λ_i = v, Y = y) (v ∈ {+1, 0, −1}, y ∈ {+1, −1}; layout v·2 + y) from: they sum to 1,
    /// P(λ = +1) = <paramref name="pPositive"/>, P(λ = 0, Y = y) = P(λ = 0)·P(Y = y), P(Y = +1) = <paramref name="prior"/>
    /// and P(λY = 1) = ½(1 + a − P(λ = 0)) — FlyingSquid's B·e = r system in closed form — then flips negative entries
    /// and renormalises.
    /// </summary>
    internal static void CliqueMarginals(double a, double pPositive, double pAbstain, double prior, Span<double> e)
    {
        double voted = 1 - pAbstain;
        double agree = 0.5 * (1 + a - pAbstain);
        double pp = (pPositive + (prior * voted) + agree - voted) / 2;
        e[0] = pp;                          // (+1, +1)
        e[1] = pPositive - pp;              // (+1, −1)
        e[2] = prior * pAbstain;            // ( 0, +1)
        e[3] = (1 - prior) * pAbstain;      // ( 0, −1)
        e[4] = (prior * voted) - pp;        // (−1, +1)
        e[5] = agree - pp;                  // (−1, −1)
        double sum = 0;
        for (int s = 0; s < e.Length; s++)
        {
            e[s] = Math.Abs(e[s]);
            sum += e[s];
        }

        for (int s = 0; s < e.Length; s++)
        {
            e[s] /= sum;
        }
    }
}
