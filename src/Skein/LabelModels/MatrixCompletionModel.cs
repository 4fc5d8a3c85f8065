using System.Runtime.CompilerServices;
using System.Text.Json;
using Skein.IO;

namespace Skein.LabelModels;

/// <summary>
/// A fitted <see cref="MatrixCompletion"/> (Snorkel LabelModel): μ[(j, c), y] = P(λ_j = c | Y = y) and the fixed
/// class prior. Prediction is P(Y = y | λ) ∝ p_y Π_{j: λ_j ≠ abstain} μ[(j, λ_j), y]; abstains carry no evidence,
/// so all-abstain rows get the (normalised) prior.
/// </summary>
public sealed class MatrixCompletionModel : LabelModel, IGenerativeLabelModel
{
    internal const string Name = "matrix_completion";

    private const string MuLayout = "index ((lf*k + vote)*k + trueClass)";

    private readonly double[] _mu; // d×k, d = m·k
    private readonly double[] _classBalance;
    private readonly double[] _prior;
    private readonly double[] _coverage;
    private readonly double[] _accuracies;
    private readonly double[] _logTable; // (j·(k+1) + vote + 1)·w + y: log μ, 0 for abstain and padding
    private readonly int _width; // w: k, or 4 for k ≤ 4 so the common small-k rows add in registers
    private readonly double[] _logPrior;

    internal MatrixCompletionModel(int lfCount, int cardinality, double[] mu, double[] classBalance, double[] coverage,
        int seed, double finalLoss, double muEpsilon)
        : base(lfCount, cardinality)
    {
        _mu = mu;
        _classBalance = classBalance;
        _coverage = coverage;
        Seed = seed;
        FinalLoss = finalLoss;
        MuEpsilon = muEpsilon;
        int k = cardinality;
        double total = classBalance.Sum();
        _prior = classBalance.Select(w => w / total).ToArray();
        _logPrior = classBalance.Select(w => Math.Log(w)).ToArray();
        _width = k <= 4 ? 4 : k;
        _logTable = new double[lfCount * (k + 1) * _width];
        for (int j = 0; j < lfCount; j++)
        {
            for (int c = 0; c < k; c++)
            {
                for (int y = 0; y < k; y++)
                {
                    _logTable[(((j * (k + 1)) + c + 1) * _width) + y] = Math.Log(mu[(((j * k) + c) * k) + y]);
                }
            }
        }

        _accuracies = ComputeAccuracies();
    }

    /// <inheritdoc />
    public override string ModelName => Name;

    /// <summary>The seed the fit used (given, or picked and recorded); refitting with it reproduces the model.</summary>
    public int Seed { get; }

    /// <summary>The loss of the last epoch, evaluated before its optimiser step (the value Snorkel logs last).</summary>
    public double FinalLoss { get; }

    /// <summary>The ε μ was clamped to [ε, 1 − ε] with.</summary>
    public double MuEpsilon { get; }

    /// <summary>The class-balance weights exactly as used in the fit (Snorkel's p; may be un-normalised WRENCH weights).</summary>
    public IReadOnlyList<double> ClassBalance => _classBalance;

    /// <summary>The class prior P(Y = y): <see cref="ClassBalance"/> normalised to sum to 1.</summary>
    public IReadOnlyList<double> ClassPrior => _prior;

    /// <summary>Fraction of the training rows on which each LF voted.</summary>
    public IReadOnlyList<double> Coverage => _coverage;

    /// <summary>
    /// Snorkel's <c>get_weights</c>: Σ_y μ[(j, y), y]·p_y / coverage_j, clipped to [1e-6, 1] (an LF with no votes gets 1).
    /// </summary>
    public IReadOnlyList<double> LfAccuracies => _accuracies;

    /// <summary>μ[(lf, vote), trueClass] = P(λ_lf = vote | Y = trueClass) as learned (after clamping and symmetry breaking).</summary>
    public double Mu(int lf, int vote, int trueClass)
    {
        CheckConditionalArguments(lf, vote, trueClass);
        ArgumentOutOfRangeException.ThrowIfNegative(vote);
        return _mu[(((lf * Cardinality) + vote) * Cardinality) + trueClass];
    }

    /// <inheritdoc />
    /// <remarks>For vote -1 this is 1 − Σ_c μ[(lf, c), y], as Snorkel's table (not clipped, so it can leave [0, 1]).</remarks>
    public double ConditionalProbability(int lf, int vote, int trueClass)
    {
        CheckConditionalArguments(lf, vote, trueClass);
        int k = Cardinality;
        if (vote >= 0)
        {
            return _mu[(((lf * k) + vote) * k) + trueClass];
        }

        double sum = 0;
        for (int c = 0; c < k; c++)
        {
            sum += _mu[(((lf * k) + c) * k) + trueClass];
        }

        return 1 - sum;
    }

    /// <summary>
    /// Snorkel's <c>get_conditional_probs()</c>: an (m, k+1, k) table, [j, v, y] = P(λ_j = v − 1 | Y = y); v = 0 is abstain.
    /// </summary>
    public double[,,] GetConditionalProbabilities()
    {
        int m = LfCount, k = Cardinality;
        var table = new double[m, k + 1, k];
        for (int j = 0; j < m; j++)
        {
            for (int v = 0; v <= k; v++)
            {
                for (int y = 0; y < k; y++)
                {
                    table[j, v, y] = ConditionalProbability(j, v - 1, y);
                }
            }
        }

        return table;
    }

    private double[] ComputeAccuracies()
    {
        int k = Cardinality;
        var result = new double[LfCount];
        for (int j = 0; j < LfCount; j++)
        {
            double sum = 0;
            for (int y = 0; y < k; y++)
            {
                sum += _mu[(((j * k) + y) * k) + y] * _classBalance[y];
            }

            // numpy: x / 0 = inf (clipped to 1); 0 / 0 cannot happen since μ ≥ ε > 0 or coverage > 0 in practice.
            double accuracy = _coverage[j] > 0 ? sum / _coverage[j] : (sum > 0 ? 1.0 : 1e-6);
            result[j] = Math.Clamp(accuracy, 1e-6, 1.0);
        }

        return result;
    }

    // Hot loop, called once per row block: full optimisation from the first call instead of tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override void PredictBlock(ReadOnlySpan<sbyte> votes, int rows, Span<double> output)
    {
        int m = LfCount, k = Cardinality, w = _width, stride = (k + 1) * w;
        var table = _logTable;
        for (int i = 0; i < rows; i++)
        {
            var row = votes.Slice(i * m, m);
            var z = output.Slice(i * k, k);
            if (w == 4)
            {
                // Four running sums in locals: no store/load round trip through the output per vote.
                double z0 = 0, z1 = 0, z2 = 0, z3 = 0;
                int offset = w; // row "vote + 1" of LF j's block
                for (int j = 0; j < m; j++, offset += stride)
                {
                    var logMu = table.AsSpan(offset + (row[j] * w), 4);
                    z0 += logMu[0];
                    z1 += logMu[1];
                    z2 += logMu[2];
                    z3 += logMu[3];
                }

                Span<double> sums = [z0, z1, z2, z3];
                for (int y = 0; y < k; y++)
                {
                    z[y] = _logPrior[y] + sums[y];
                }
            }
            else
            {
                _logPrior.CopyTo(z);
                int offset = w;
                for (int j = 0; j < m; j++, offset += stride)
                {
                    int at = offset + (row[j] * w);
                    for (int y = 0; y < k; y++)
                    {
                        z[y] += table[at + y];
                    }
                }
            }

            // Subtracting the row max before exp changes nothing mathematically but avoids Snorkel's 0/0 with many LFs.
            double max = double.NegativeInfinity;
            for (int y = 0; y < k; y++)
            {
                max = Math.Max(max, z[y]);
            }

            double sum = 0;
            for (int y = 0; y < k; y++)
            {
                z[y] = Math.Exp(z[y] - max);
                sum += z[y];
            }

            for (int y = 0; y < k; y++)
            {
                z[y] /= sum;
            }
        }
    }

    private protected override void WriteParameters(Utf8JsonWriter writer)
    {
        writer.WriteNumber("seed", Seed);
        writer.WriteNumber("finalLoss", FinalLoss);
        writer.WriteNumber("muEpsilon", MuEpsilon);
        ModelJson.WriteDoubles(writer, "classBalance", _classBalance);
        ModelJson.WriteDoubles(writer, "coverage", _coverage);
        writer.WriteString("muLayout", MuLayout);
        ModelJson.WriteDoubles(writer, "mu", _mu);
    }

    internal static MatrixCompletionModel ReadParameters(JsonElement parameters, int lfCount, int cardinality)
    {
        int seed = ModelJson.GetInt(parameters, "seed");
        var finalLoss = ModelJson.GetProperty(parameters, "finalLoss");
        if (finalLoss.ValueKind != JsonValueKind.Number || !finalLoss.TryGetDouble(out double loss) || !(loss >= 0))
        {
            throw new DataFormatException("Field 'finalLoss' must be a number ≥ 0.", column: "finalLoss");
        }

        var epsilon = ModelJson.GetProperty(parameters, "muEpsilon");
        if (epsilon.ValueKind != JsonValueKind.Number || !epsilon.TryGetDouble(out double eps) || !(eps >= 0 && eps < 0.5))
        {
            throw new DataFormatException("Field 'muEpsilon' must be a number in [0, 0.5).", column: "muEpsilon");
        }

        var balance = ModelJson.GetDoubles(parameters, "classBalance", cardinality, double.Epsilon, double.MaxValue);
        var coverage = ModelJson.GetDoubles(parameters, "coverage", lfCount, 0, 1);
        var mu = ModelJson.GetDoubles(parameters, "mu", ModelJson.Size("mu", lfCount, cardinality, cardinality), double.Epsilon, 1);
        return new MatrixCompletionModel(lfCount, cardinality, mu, balance, coverage, seed, loss, eps);
    }
}
