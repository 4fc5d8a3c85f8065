using System.Runtime.CompilerServices;
using Skein.Data;

namespace Skein.LabelModels.Internal;

/// <summary>
/// Snorkel's matrix-completion loss over μ (d×k, d = m·k, row-major), with its analytic gradient:
/// ℒ = Σ_Ω (O − μPμᵀ)² + ‖(μP)1 − diag O‖² + l2²‖μ − μ_init‖², Ω = all entries outside the m diagonal k×k blocks.
/// </summary>
internal sealed class Objective
{
    private readonly double[] _o; // d×d, row-major
    private readonly double[] _p;
    private readonly double _l2;
    private readonly double[] _residual; // scratch: masked residual R, d×d
    private readonly double[] _muP; // scratch: μP, d×k

    public Objective(int lfCount, int cardinality, double[] overlap, double[] classPrior, double l2)
    {
        LfCount = lfCount;
        Cardinality = cardinality;
        _o = overlap;
        _p = classPrior;
        _l2 = l2;
        int d = lfCount * cardinality;
        _residual = new double[d * d];
        _muP = new double[d * cardinality];
    }

    public int LfCount { get; }

    public int Cardinality { get; }

    /// <summary>O = joint counts / n.</summary>
    public static Objective FromStatistics(SufficientStatistics statistics, double[] classPrior, double l2)
    {
        var joint = statistics.JointCountsCopy();
        double n = statistics.RowCount;
        var o = new double[joint.Length];
        for (int i = 0; i < o.Length; i++)
        {
            o[i] = joint[i] / n;
        }

        return new Objective(statistics.LfCount, statistics.Cardinality, o, classPrior, l2);
    }

    /// <summary>μ_init[(j, c), c] = clamp(P̂(λ_j = c)·prec_j / p_c, 0, 1), every other entry 0.</summary>
    public void InitialMu(double[] precision, out double[] muInit)
    {
        int m = LfCount, k = Cardinality, d = m * k;
        muInit = new double[d * k];
        for (int j = 0; j < m; j++)
        {
            for (int c = 0; c < k; c++)
            {
                int a = (j * k) + c;
                muInit[(a * k) + c] = Math.Clamp(_o[(a * d) + a] * precision[j] / _p[c], 0, 1);
            }
        }
    }

    /// <summary>The loss at μ; writes ∂ℒ/∂μ into <paramref name="gradient"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double LossAndGradient(ReadOnlySpan<double> mu, ReadOnlySpan<double> muInit, Span<double> gradient)
    {
        int m = LfCount, k = Cardinality, d = m * k;
        var p = _p;
        var muP = _muP;
        var r = _residual;
        double loss1 = 0, loss2 = 0, loss3 = 0;

        for (int a = 0; a < d; a++)
        {
            for (int y = 0; y < k; y++)
            {
                muP[(a * k) + y] = mu[(a * k) + y] * p[y];
            }
        }

        // R = M∘(O − μPμᵀ): symmetric, so fill the upper triangle of the off-block part and mirror it.
        for (int a = 0; a < d; a++)
        {
            int blockEnd = ((a / k) + 1) * k;
            var rowA = muP.AsSpan(a * k, k);
            for (int b = a / k * k; b < blockEnd; b++)
            {
                r[(a * d) + b] = 0;
            }

            for (int b = blockEnd; b < d; b++)
            {
                double dot = 0;
                for (int y = 0; y < k; y++)
                {
                    dot += rowA[y] * mu[(b * k) + y];
                }

                double residual = _o[(a * d) + b] - dot;
                r[(a * d) + b] = residual;
                r[(b * d) + a] = residual;
                loss1 += 2 * residual * residual;
            }
        }

        // ∂/∂μ[c, y]: −4 p_y Σ_b R[c, b] μ[b, y] + 2 p_y s_c + 2 l2² (μ − μ_init)[c, y], s_c = Σ_y (μP)[c, y] − O[c, c].
        double l2Squared = _l2 * _l2;
        for (int c = 0; c < d; c++)
        {
            var rowR = r.AsSpan(c * d, d);
            double s = -_o[(c * d) + c];
            for (int y = 0; y < k; y++)
            {
                s += muP[(c * k) + y];
            }

            loss2 += s * s;
            for (int y = 0; y < k; y++)
            {
                double acc = 0;
                for (int b = 0; b < d; b++)
                {
                    acc += rowR[b] * mu[(b * k) + y];
                }

                double diff = mu[(c * k) + y] - muInit[(c * k) + y];
                loss3 += diff * diff;
                gradient[(c * k) + y] = (-4 * p[y] * acc) + (2 * p[y] * s) + (2 * l2Squared * diff);
            }
        }

        return loss1 + loss2 + (l2Squared * loss3);
    }
}
