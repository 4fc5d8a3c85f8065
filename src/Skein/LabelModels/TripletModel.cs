using System.Text.Json;
using Skein.IO;

namespace Skein.LabelModels;

/// <summary>A fitted <see cref="Triplet"/> (FlyingSquid) model.</summary>
public sealed class TripletModel : LabelModel, IGenerativeLabelModel
{
    internal const string Name = "triplet";

    /// <summary>Entries per clique marginal P(λ_i = v, Y = y): v ∈ {+1, 0, −1} × y ∈ {+1, −1}.</summary>
    internal const int CliqueSize = 6;

    private const string CliqueLayout =
        "index ((task*m + lf)*6 + v*2 + y); v: 0 = vote +1, 1 = abstain, 2 = vote -1; y: 0 = Y +1, 1 = Y -1; " +
        "k = 2: one task, +1 = class 1; k > 2: task c is class c vs rest";

    // A probability of exactly 0 would make a row's every class impossible; its log is floored instead.
    private const double LogFloor = -690; // ≈ log(1e-300)

    private readonly double[] _prior;
    private readonly double[] _marginals;
    private readonly double[] _table;      // P(λ_i = l | Y = y) at ((i·(k+1)) + l + 1)·k + y, l = -1 abstain
    private readonly double[] _logPrior;
    private readonly double[] _abstainBaseline; // log P(Y) + Σ_j log P(abstain | Y): a row where every LF abstains
    private readonly double[] _voteLogRatios;   // log P(λ_j = v | Y) − log P(abstain | Y) at (j·(k+1) + v + 1)·k + y (0 for abstain)
    private readonly double[] _taskLogConditionals; // WRENCH mode: log P(v | y) at ((c·m + i)·3 + v)·2 + y
    private readonly double[] _accuracies;

    internal TripletModel(int lfCount, int cardinality, double[] prior, TripletMethod method, TripletMulticlass multiclass,
        double[] marginals)
        : base(lfCount, cardinality)
    {
        _prior = prior;
        Method = method;
        Multiclass = multiclass;
        _marginals = marginals;
        var conditionals = TaskConditionals(marginals);
        _table = cardinality == 2 ? BinaryTable(conditionals) : OneVsRestTable(conditionals);
        _logPrior = prior.Select(SafeLog).ToArray();
        (_abstainBaseline, _voteLogRatios) = RelativeToAbstain();
        _taskLogConditionals = conditionals.Select(SafeLog).ToArray();
        _accuracies = ComputeAccuracies();
    }

    /// <inheritdoc />
    public override string ModelName => Name;

    /// <summary>How the per-triplet estimates were aggregated.</summary>
    public TripletMethod Method { get; }

    /// <summary>How one-vs-rest models are combined (always <see cref="TripletMulticlass.OneVsRestProper"/> for k = 2, where it does not apply).</summary>
    public TripletMulticlass Multiclass { get; }

    /// <inheritdoc />
    public IReadOnlyList<double> ClassPrior => _prior;

    /// <summary>P(λ_j = Y | λ_j votes) of each LF under the combined conditional tables.</summary>
    public IReadOnlyList<double> LfAccuracies => _accuracies;

    /// <summary>
    /// The clique marginal P(λ_<paramref name="lf"/> = <paramref name="vote"/>, Y = <paramref name="y"/>) of one binary
    /// (k = 2: task 0, class 1 = +1) or one-vs-rest (task c: class c = +1) model, in FlyingSquid's ±1 coding.
    /// </summary>
    /// <param name="task">0 for k = 2; the class c of the one-vs-rest model otherwise.</param>
    /// <param name="lf">The LF.</param>
    /// <param name="vote">+1, 0 (abstain) or −1.</param>
    /// <param name="y">+1 or −1.</param>
    public double CliqueMarginal(int task, int lf, int vote, int y)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(task);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(task, Cardinality == 2 ? 1 : Cardinality);
        ArgumentOutOfRangeException.ThrowIfNegative(lf);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(lf, LfCount);
        if (vote is < -1 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(vote), vote, "The vote must be +1, 0 or -1.");
        }

        if (y is not (1 or -1))
        {
            throw new ArgumentOutOfRangeException(nameof(y), y, "Y must be +1 or -1.");
        }

        return _marginals[(((task * LfCount) + lf) * CliqueSize) + ((1 - vote) * 2) + (y == 1 ? 0 : 1)];
    }

    /// <inheritdoc />
    public double ConditionalProbability(int lf, int vote, int trueClass)
    {
        CheckConditionalArguments(lf, vote, trueClass);
        return _table[(((lf * (Cardinality + 1)) + vote + 1) * Cardinality) + trueClass];
    }

    /// <summary>Each task's P(v | y) = P(v, y) / Σ_v P(v, y), at ((task·m + i)·3 + v)·2 + y; uniform if P(y) is 0.</summary>
    private static double[] TaskConditionals(double[] marginals)
    {
        var result = new double[marginals.Length];
        for (int clique = 0; clique < marginals.Length; clique += CliqueSize)
        {
            for (int y = 0; y < 2; y++)
            {
                double column = marginals[clique + y] + marginals[clique + 2 + y] + marginals[clique + 4 + y];
                for (int v = 0; v < 3; v++)
                {
                    result[clique + (v * 2) + y] = column > 0 ? marginals[clique + (v * 2) + y] / column : 1.0 / 3;
                }
            }
        }

        return result;
    }

    private int TableIndex(int lf, int vote, int y) => (((lf * (Cardinality + 1)) + vote + 1) * Cardinality) + y;

    /// <summary>k = 2: class 1 is +1 (y index 0), class 0 is −1 (y index 1); vote 1 is v = 0, abstain v = 1, vote 0 v = 2.</summary>
    private double[] BinaryTable(double[] conditionals)
    {
        var table = new double[LfCount * 3 * 2];
        for (int i = 0; i < LfCount; i++)
        {
            for (int cls = 0; cls < 2; cls++)
            {
                int y = cls == 1 ? 0 : 1;
                int clique = i * CliqueSize;
                table[TableIndex(i, -1, cls)] = conditionals[clique + 2 + y];
                table[TableIndex(i, 1, cls)] = conditionals[clique + y];
                table[TableIndex(i, 0, cls)] = conditionals[clique + 4 + y];
            }
        }

        return table;
    }

    /// <summary>
    /// k ≥ 3: P(λ_i = c | Y = c) and P(abstain | Y = c) from task c; task c's wrong-vote mass spread over the other
    /// classes l in proportion to task l's false-positive rate P(λ_i = l | Y ≠ l) (uniformly if those are all 0).
    /// </summary>
    private double[] OneVsRestTable(double[] conditionals)
    {
        int m = LfCount, k = Cardinality;
        var table = new double[m * (k + 1) * k];
        for (int i = 0; i < m; i++)
        {
            for (int c = 0; c < k; c++)
            {
                int clique = ((c * m) + i) * CliqueSize;
                table[TableIndex(i, c, c)] = conditionals[clique + 0];
                table[TableIndex(i, -1, c)] = conditionals[clique + 2];
                double wrong = conditionals[clique + 4];
                double falsePositives = 0;
                for (int l = 0; l < k; l++)
                {
                    falsePositives += l == c ? 0 : conditionals[(((l * m) + i) * CliqueSize) + 1];
                }

                for (int l = 0; l < k; l++)
                {
                    if (l != c)
                    {
                        double share = falsePositives > 0
                            ? conditionals[(((l * m) + i) * CliqueSize) + 1] / falsePositives
                            : 1.0 / (k - 1);
                        table[TableIndex(i, l, c)] = wrong * share;
                    }
                }
            }
        }

        return table;
    }

    private double[] ComputeAccuracies()
    {
        var result = new double[LfCount];
        for (int j = 0; j < LfCount; j++)
        {
            double correct = 0, voted = 0;
            for (int y = 0; y < Cardinality; y++)
            {
                correct += _prior[y] * _table[TableIndex(j, y, y)];
                voted += _prior[y] * (1 - _table[TableIndex(j, -1, y)]);
            }

            result[j] = voted > 0 ? correct / voted : 0;
        }

        return result;
    }

    /// <summary>
    /// Abstentions folded into one baseline, so that an abstaining LF adds zeros and a row costs only additions.
    /// </summary>
    private (double[] Baseline, double[] Ratios) RelativeToAbstain()
    {
        int m = LfCount, k = Cardinality;
        var baseline = (double[])_logPrior.Clone();
        var ratios = new double[m * (k + 1) * k];
        for (int j = 0; j < m; j++)
        {
            for (int y = 0; y < k; y++)
            {
                double abstain = SafeLog(_table[TableIndex(j, -1, y)]);
                baseline[y] += abstain;
                for (int v = 0; v < k; v++)
                {
                    ratios[TableIndex(j, v, y)] = SafeLog(_table[TableIndex(j, v, y)]) - abstain;
                }
            }
        }

        return (baseline, ratios);
    }

    private static double SafeLog(double p) => p > 0 ? Math.Max(Math.Log(p), LogFloor) : LogFloor;

    private protected override void PredictBlock(ReadOnlySpan<sbyte> votes, int rows, Span<double> output)
    {
        int m = LfCount, k = Cardinality;
        bool wrench = Multiclass == TripletMulticlass.OneVsRestWrenchSoftmax && k > 2;
        for (int i = 0; i < rows; i++)
        {
            var row = votes.Slice(i * m, m);
            var post = output.Slice(i * k, k);
            if (wrench)
            {
                WrenchRow(row, post);
                continue;
            }

            ReadOnlySpan<double> ratios = _voteLogRatios;
            if (k == 3)
            {
                // The common small case in registers: the generic loop below round-trips every addition through memory.
                double s0 = _abstainBaseline[0], s1 = _abstainBaseline[1], s2 = _abstainBaseline[2];
                for (int j = 0; j < m; j++)
                {
                    int at = ((j * 4) + row[j] + 1) * 3;
                    s0 += ratios[at];
                    s1 += ratios[at + 1];
                    s2 += ratios[at + 2];
                }

                post[0] = s0;
                post[1] = s1;
                post[2] = s2;
                DataProgramming.SoftmaxInPlace(post);
                continue;
            }

            if (k == 2)
            {
                double s0 = _abstainBaseline[0], s1 = _abstainBaseline[1];
                for (int j = 0; j < m; j++)
                {
                    int at = ((j * 3) + row[j] + 1) * 2;
                    s0 += ratios[at];
                    s1 += ratios[at + 1];
                }

                post[0] = s0;
                post[1] = s1;
                DataProgramming.SoftmaxInPlace(post);
                continue;
            }

            _abstainBaseline.CopyTo(post);
            for (int j = 0; j < m; j++)
            {
                // No branch on abstain (an unpredictable one per cell): its ratios are zeros.
                int at = ((j * (k + 1)) + row[j] + 1) * k;
                for (int y = 0; y < k; y++)
                {
                    post[y] += ratios[at + y];
                }
            }

            DataProgramming.SoftmaxInPlace(post);
        }
    }

    /// <summary>WRENCH: s_c = P(Y_c = +1 | λ) per one-vs-rest model, then softmax of the s_c themselves.</summary>
    private void WrenchRow(ReadOnlySpan<sbyte> row, Span<double> post)
    {
        int m = LfCount, k = Cardinality;
        for (int c = 0; c < k; c++)
        {
            double positive = _logPrior[c];
            double negative = SafeLog(1 - _prior[c]);
            for (int j = 0; j < m; j++)
            {
                int v = row[j] < 0 ? 1 : row[j] == c ? 0 : 2;
                int at = ((((c * m) + j) * 3) + v) * 2;
                positive += _taskLogConditionals[at];
                negative += _taskLogConditionals[at + 1];
            }

            post[c] = 1 / (1 + Math.Exp(negative - positive));
        }

        DataProgramming.SoftmaxInPlace(post);
    }

    private protected override void WriteParameters(Utf8JsonWriter writer)
    {
        writer.WriteString("method", Method.ToString());
        writer.WriteString("multiclass", Multiclass.ToString());
        ModelJson.WriteDoubles(writer, "classPrior", _prior);
        writer.WriteString("cliqueLayout", CliqueLayout);
        ModelJson.WriteDoubles(writer, "cliqueMarginals", _marginals);
    }

    internal static TripletModel ReadParameters(JsonElement parameters, int lfCount, int cardinality)
    {
        if (lfCount < 3)
        {
            throw new DataFormatException("A triplet model needs at least 3 LFs.", column: "lfCount");
        }

        var method = ModelJson.GetEnum<TripletMethod>(parameters, "method");
        var multiclass = ModelJson.GetEnum<TripletMulticlass>(parameters, "multiclass");
        var prior = ModelJson.GetDoubles(parameters, "classPrior", cardinality, double.Epsilon, 1);
        int tasks = cardinality == 2 ? 1 : cardinality;
        var marginals = ModelJson.GetDoubles(parameters, "cliqueMarginals", ModelJson.Size("cliqueMarginals", tasks, lfCount, CliqueSize), 0, 1);
        return new TripletModel(lfCount, cardinality, prior, method, multiclass, marginals);
    }
}
