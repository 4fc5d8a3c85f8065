using Skein.Data;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Skein.LabelModels;

namespace Skein.Evaluation;

/// <summary>
/// Snorkel's <c>probs_to_preds</c>: probabilities to hard labels, with the same tie rule (entries within
/// <see cref="DefaultTolerance"/> of the row maximum tie) and the same policies.
/// </summary>
public static class TieBreaking
{
    /// <summary>Snorkel's tie tolerance: entries with |p − max| &lt; 1e-5 are tied.</summary>
    public const double DefaultTolerance = 1e-5;

    /// <summary>Converts each row to a label (or -1 under <see cref="TieBreakPolicy.Abstain"/> on ties).</summary>
    /// <param name="probabilities">n×k probabilities.</param>
    /// <param name="policy">How ties are broken; the default, like <c>probs_to_preds</c> and WRENCH, is the SHA1 rule.</param>
    /// <param name="seed">Seed for <see cref="TieBreakPolicy.TrueRandom"/>; null picks one.</param>
    /// <param name="tolerance">Tie tolerance (strict: |p − max| &lt; tolerance).</param>
    /// <exception cref="ArgumentException">Unknown policy or a tolerance that is not finite and positive.</exception>
    public static int[] ProbsToPreds(ProbabilisticLabels probabilities, TieBreakPolicy policy = TieBreakPolicy.Random,
        int? seed = null, double tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (!Enum.IsDefined(policy))
        {
            throw new ArgumentException($"Unknown tie-break policy {(int)policy}.", nameof(policy));
        }

        if (!double.IsFinite(tolerance) || tolerance <= 0)
        {
            throw new ArgumentException($"tolerance = {tolerance}; it must be finite and positive.", nameof(tolerance));
        }

        int n = probabilities.RowCount, k = probabilities.Cardinality;
        var random = policy == TieBreakPolicy.TrueRandom ? new Random(seed ?? Random.Shared.Next()) : null;
        var result = new int[n];
        Span<int> ties = stackalloc int[k];
        for (int i = 0; i < n; i++)
        {
            var row = probabilities.Row(i);
            double max = row[0];
            for (int c = 1; c < k; c++)
            {
                max = Math.Max(max, row[c]);
            }

            int count = 0;
            for (int c = 0; c < k; c++)
            {
                if (Math.Abs(row[c] - max) < tolerance)
                {
                    ties[count++] = c;
                }
            }

            result[i] = count == 1 ? ties[0] : policy switch
            {
                TieBreakPolicy.Abstain => -1,
                TieBreakPolicy.Random => ties[SnorkelHashIndex(i, count)],
                TieBreakPolicy.TrueRandom => ties[random!.Next(count)],
                _ => ties[0],
            };
        }

        return result;
    }

    /// <summary>
    /// Snorkel's deterministic "random" choice: int(SHA1(str(<paramref name="rowIndex"/>)).hexdigest(), 16) mod
    /// <paramref name="tieCount"/>.
    /// </summary>
    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms",
        Justification = "SHA1 is a fixed hash that reproduces Snorkel's tie-break, not a security measure.")]
    public static int SnorkelHashIndex(int rowIndex, int tieCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowIndex);
        ArgumentOutOfRangeException.ThrowIfLessThan(tieCount, 1);
        Span<byte> text = stackalloc byte[16];
        int length = Encoding.ASCII.GetBytes(rowIndex.ToString(CultureInfo.InvariantCulture), text);
        Span<byte> digest = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(text[..length], digest);

        // The digest is a big-endian 160-bit integer; reduce it modulo tieCount byte by byte.
        long remainder = 0;
        foreach (var b in digest)
        {
            remainder = ((remainder * 256) + b) % tieCount;
        }

        return (int)remainder;
    }
}
