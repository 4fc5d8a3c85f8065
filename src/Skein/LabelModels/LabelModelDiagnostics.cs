using System.Globalization;
using Skein.Data;

namespace Skein.LabelModels;

/// <summary>The kinds of problem <see cref="LabelModelDiagnostics.Check"/> flags.</summary>
public enum LabelModelWarningKind
{
    /// <summary>An LF's learned accuracy sits at chance while it agrees with the other LFs' majority well above chance.</summary>
    AccuracyAtChance,

    /// <summary>No LF ever votes for a class, so no model can learn anything about it.</summary>
    ClassNeverVoted,

    /// <summary>Most learned accuracies are below chance while the LFs agree with each other: an inverted (label-swapped) maximum.</summary>
    InvertedFit,
}

/// <summary>One flagged problem with a fitted label model.</summary>
/// <param name="Kind">What kind of problem.</param>
/// <param name="Lf">The LF's index, or null when the warning is about the whole fit or a class.</param>
/// <param name="LfName">The LF's name, or null.</param>
/// <param name="Message">A sentence a user can act on.</param>
public sealed record LabelModelWarning(LabelModelWarningKind Kind, int? Lf, string? LfName, string Message);

/// <summary>
/// Checks a fitted label model against its votes for silent collapse: the votes are the witness. For each LF the
/// agreement with the plurality of the <em>other</em> LFs on the rows both cover (ties skipped) is a model-free
/// estimate of whether the LF carries signal; a learned accuracy at chance next to a clearly-above-chance agreement
/// means the fit threw the LF away.
/// </summary>
public static class LabelModelDiagnostics
{
    /// <summary>A learned accuracy ≤ 1/k + this counts as "at chance".</summary>
    public const double ChanceMargin = 0.05;

    /// <summary>An agreement ≥ 1/k + this counts as "clearly above chance".</summary>
    public const double AgreementMargin = 0.2;

    /// <summary>Fewer overlapping rows than this say nothing about an LF's agreement.</summary>
    public const int MinOverlapRows = 10;

    /// <summary>
    /// Each LF's agreement with the plurality vote of the other LFs, over rows where it votes and the others have a
    /// unique plurality; NaN where there are fewer than <see cref="MinOverlapRows"/> such rows.
    /// </summary>
    public static double[] AgreementWithOthers(LabelMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.RowCount, m = matrix.LfCount, k = matrix.Cardinality;
        var agree = new int[m];
        var rows = new int[m];
        var counts = new int[k];
        var votes = matrix.Votes;
        for (int i = 0; i < n; i++)
        {
            var row = votes.Slice(i * m, m);
            Array.Clear(counts);
            foreach (var v in row)
            {
                if (v >= 0)
                {
                    counts[v]++;
                }
            }

            for (int j = 0; j < m; j++)
            {
                int v = row[j];
                if (v < 0)
                {
                    continue;
                }

                counts[v]--;
                int best = -1, bestCount = 0;
                bool tie = false;
                for (int c = 0; c < k; c++)
                {
                    if (counts[c] > bestCount)
                    {
                        best = c;
                        bestCount = counts[c];
                        tie = false;
                    }
                    else if (counts[c] == bestCount && bestCount > 0)
                    {
                        tie = true;
                    }
                }

                counts[v]++;
                if (best >= 0 && !tie)
                {
                    rows[j]++;
                    agree[j] += best == v ? 1 : 0;
                }
            }
        }

        return Enumerable.Range(0, m).Select(j => rows[j] < MinOverlapRows ? double.NaN : (double)agree[j] / rows[j]).ToArray();
    }

    /// <summary>The warnings for <paramref name="model"/> fitted on <paramref name="matrix"/>; empty when nothing looks wrong.</summary>
    /// <exception cref="ArgumentException">The matrix has another shape than the model.</exception>
    public static IReadOnlyList<LabelModelWarning> Check(LabelModel model, LabelMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.LfCount != model.LfCount || matrix.Cardinality != model.Cardinality)
        {
            throw new ArgumentException("The matrix has another LF count or cardinality than the model.", nameof(matrix));
        }

        int m = matrix.LfCount, k = matrix.Cardinality;
        var warnings = new List<LabelModelWarning>();
        var classVotes = new long[k];
        foreach (var v in matrix.Votes)
        {
            if (v >= 0)
            {
                classVotes[v]++;
            }
        }

        for (int c = 0; c < k; c++)
        {
            if (classVotes[c] == 0)
            {
                warnings.Add(new LabelModelWarning(LabelModelWarningKind.ClassNeverVoted, null, null,
                    $"no LF votes for class {c}; the model can only predict it from the prior."));
            }
        }

        var weights = model.Describe(matrix.LfNames);
        if (weights.Accuracies is not { } accuracies)
        {
            return warnings;
        }

        var agreement = AgreementWithOthers(matrix);
        double chance = 1.0 / k;
        int judged = 0, below = 0;
        for (int j = 0; j < m; j++)
        {
            if (double.IsNaN(agreement[j]))
            {
                continue;
            }

            judged++;
            below += accuracies[j] < chance ? 1 : 0;
            if (accuracies[j] <= chance + ChanceMargin && agreement[j] >= chance + AgreementMargin)
            {
                warnings.Add(new LabelModelWarning(LabelModelWarningKind.AccuracyAtChance, j, matrix.LfNames[j],
                    string.Create(CultureInfo.InvariantCulture,
                        $"{weights.ModelName} learned accuracy {accuracies[j]:0.###} (chance {chance:0.###}) for LF '{matrix.LfNames[j]}', which agrees with the other LFs' majority on {agreement[j]:0.###} of the rows they share; its votes are effectively ignored.")));
            }
        }

        double meanAgreement = agreement.Where(a => !double.IsNaN(a)).DefaultIfEmpty(0).Average();
        if (judged > 0 && below * 2 > judged && meanAgreement > chance)
        {
            warnings.Add(new LabelModelWarning(LabelModelWarningKind.InvertedFit, null, null,
                string.Create(CultureInfo.InvariantCulture,
                    $"{weights.ModelName} learned accuracies below chance for {below} of {judged} LFs although they agree with each other ({meanAgreement:0.###} on average); the fit probably found an inverted maximum.")));
        }

        return warnings;
    }
}
