using System.Globalization;
using System.Text.Json;
using Skein.Analysis;
using Skein.Data;

namespace Skein.Tests.Analysis;

/// <summary>
/// <see cref="LabelMatrixSummary"/> against reference numbers from an independent numpy/scipy/sklearn
/// implementation of Snorkel's LFAnalysis (tools/lfanalysis_reference.py; fixtures in tests/data/analysis).
/// </summary>
public class SnorkelReferenceTests
{
    private const double Tolerance = 1e-9;

    private static string FixturePath(string file) => Path.Combine(AppContext.BaseDirectory, "data", "analysis", file);

    /// <summary>A minimal reader for the fixture CSVs: a header line, then comma-separated integers.</summary>
    private static (string[] Header, int[][] Rows) ReadIntCsv(string file)
    {
        var lines = File.ReadAllLines(FixturePath(file)).Where(l => l.Length > 0).ToArray();
        var header = lines[0].Split(',');
        var rows = lines.Skip(1)
            .Select(l => l.Split(',').Select(c => int.Parse(c, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
        Assert.All(rows, r => Assert.Equal(header.Length, r.Length));
        return (header, rows);
    }

    private static (LabelMatrix Matrix, int[] Gold, JsonElement Reference) Load(string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(FixturePath($"{name}.reference.json")));
        var reference = json.RootElement.Clone();
        var (names, votes) = ReadIntCsv($"{name}.votes.csv");
        var (_, gold) = ReadIntCsv($"{name}.gold.csv");
        int k = reference.GetProperty("cardinality").GetInt32();
        var matrix = LabelMatrix.FromRows(votes, k, names);
        Assert.Equal(reference.GetProperty("rows").GetInt32(), matrix.RowCount);
        Assert.Equal(reference.GetProperty("lfs").GetInt32(), matrix.LfCount);
        return (matrix, gold.Select(g => g[0]).ToArray(), reference);
    }

    private static double[] Doubles(JsonElement reference, string property) =>
        reference.GetProperty(property).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static long[] Longs(JsonElement reference, string property) =>
        reference.GetProperty(property).EnumerateArray().Select(e => e.GetInt64()).ToArray();

    private static void AllClose(double[] expected, IEnumerable<double> actual, string what)
    {
        var got = actual.ToArray();
        Assert.Equal(expected.Length, got.Length);
        for (int j = 0; j < expected.Length; j++)
        {
            Assert.True(Math.Abs(expected[j] - got[j]) <= Tolerance, $"{what}[{j}]: expected {expected[j]:R}, got {got[j]:R}");
        }
    }

    [Theory]
    [InlineData("random_k3_gold_unknown")]
    [InlineData("random_k2_sparse_silent_lf")]
    [InlineData("random_k4_never_abstain")]
    [InlineData("random_k5_dense_gold_unknown")]
    [InlineData("wrench_trec_valid300")]
    [InlineData("wrench_sms_valid300")]
    public void Summary_matches_the_numpy_reference(string name)
    {
        var (matrix, gold, reference) = Load(name);

        var summary = LabelMatrixSummary.Create(matrix, gold);
        var lfs = summary.LabelingFunctions;

        AllClose(Doubles(reference, "coverage"), lfs.Select(s => s.Coverage), "coverage");
        AllClose(Doubles(reference, "overlaps"), lfs.Select(s => s.Overlaps), "overlaps");
        AllClose(Doubles(reference, "conflicts"), lfs.Select(s => s.Conflicts), "conflicts");
        AllClose(Doubles(reference, "empirical_accuracy"), lfs.Select(s => s.EmpiricalAccuracy!.Value), "empirical_accuracy");
        Assert.Equal(Longs(reference, "correct"), lfs.Select(s => s.Correct!.Value));
        Assert.Equal(Longs(reference, "incorrect"), lfs.Select(s => s.Incorrect!.Value));
        var polarity = reference.GetProperty("polarity").EnumerateArray()
            .Select(p => p.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToArray();
        Assert.Equal(polarity.Length, lfs.Count);
        for (int j = 0; j < lfs.Count; j++)
        {
            Assert.Equal(polarity[j], lfs[j].Polarity);
        }

        AllClose([reference.GetProperty("label_coverage").GetDouble()], [summary.LabelCoverage], "label_coverage");
        AllClose([reference.GetProperty("label_overlap").GetDouble()], [summary.LabelOverlap], "label_overlap");
        AllClose([reference.GetProperty("label_conflict").GetDouble()], [summary.LabelConflict], "label_conflict");
    }

    [Fact]
    public void Correct_and_incorrect_strip_abstain_even_where_snorkels_lf_summary_strips_class_zero()
    {
        // In this fixture LFs 0 and 1 never abstain and gold has no -1, so Snorkel's
        // confusion_matrix(Y, L[:, i])[1:, 1:] drops class 0 instead of -1 and under-counts.
        var (matrix, gold, reference) = Load("random_k4_never_abstain");
        var lfs = LabelMatrixSummary.Create(matrix, gold).LabelingFunctions;
        var strips = reference.GetProperty("snorkel_strips_class0").EnumerateArray().Select(e => e.GetBoolean()).ToArray();
        var snorkelCorrect = Longs(reference, "snorkel_lf_summary_correct");

        Assert.Equal([true, true, false, false, false], strips);
        for (int j = 0; j < lfs.Count; j++)
        {
            long voted = (long)Math.Round(lfs[j].Coverage * matrix.RowCount);
            Assert.Equal(voted, lfs[j].Correct + lfs[j].Incorrect); // gold has no -1: every vote is judged
            if (strips[j])
            {
                Assert.True(snorkelCorrect[j] < lfs[j].Correct, $"LF {j}: Snorkel would drop the class-0 hits");
            }
            else
            {
                Assert.Equal(snorkelCorrect[j], lfs[j].Correct);
            }
        }
    }
}
