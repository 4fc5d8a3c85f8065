using Skein.Data;
using Skein.Labeling;
using Skein.Labeling.Rules;

namespace Skein.Examples;

/// <summary>One vote cell where the rules disagree with the published WRENCH votes.</summary>
internal sealed record CellDifference(int Row, string RowId, int Lf, string LfName, string Text, int Expected, int Got);

/// <summary>The outcome of comparing a rules file with the votes stored in a WRENCH file.</summary>
internal sealed record VerificationResult(int Rows, int Lfs, long CellsCompared, long CellsDiffering, int RowsIdentical,
    IReadOnlyList<CellDifference> FirstDifferences);

/// <summary>Applies a rules file to a WRENCH file's texts and compares every vote cell with <c>weak_labels</c>.</summary>
internal static class RuleVerifier
{
    public static readonly DataColumns TextColumns = new(["text"]);

    public static IReadOnlyList<DataRecord> Records(IReadOnlyList<WrenchRow> rows) =>
        rows.Select((r, i) => new DataRecord(TextColumns, [r.Text], i + 1)).ToArray();

    public static VerificationResult Verify(RuleSet rules, IReadOnlyList<WrenchRow> rows, int keepDifferences = 10)
    {
        var lfs = rules.Compile(TextColumns);
        var matrix = new LabelingFunctionApplier<DataRecord>(lfs, rules.Cardinality).Apply(Records(rows)).Matrix;
        var differences = new List<CellDifference>();
        long compared = 0, differing = 0;
        int rowsIdentical = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            var expected = rows[i].WeakLabels;
            if (expected.Count != matrix.LfCount)
            {
                throw new InvalidDataException($"Row '{rows[i].Id}' has {expected.Count} weak labels; the rules file has {matrix.LfCount} rules.");
            }

            bool identical = true;
            for (int j = 0; j < matrix.LfCount; j++)
            {
                compared++;
                int got = matrix[i, j];
                if (got != expected[j])
                {
                    differing++;
                    identical = false;
                    if (differences.Count < keepDifferences)
                    {
                        differences.Add(new CellDifference(i, rows[i].Id, j, matrix.LfNames[j], rows[i].Text, expected[j], got));
                    }
                }
            }

            rowsIdentical += identical ? 1 : 0;
        }

        return new VerificationResult(rows.Count, matrix.LfCount, compared, differing, rowsIdentical, differences);
    }
}
