using System.Text.Json;

namespace Skein.Cli.Tests;

/// <summary>
/// <c>skein analyze --format json</c> against an independent numpy/scipy implementation of Snorkel's
/// LFAnalysis (tools/lfanalysis_reference.py, outputs in tests/data/analysis): every number to 1e-9.
/// </summary>
public sealed class SnorkelReferenceTests : IDisposable
{
    private readonly ScratchDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Cases() => new(Directory
        .GetFiles(RepoPaths.Get("tests", "data", "analysis"), "*.reference.json")
        .Select(p => Path.GetFileName(p)[..^".reference.json".Length])
        .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Analyze_json_matches_the_reference(string name)
    {
        var fixture = RepoPaths.Get("tests", "data", "analysis", name);

        // The fixtures carry a header row; a votes CSV and a gold file have none.
        var votes = _dir.File("votes.csv", string.Join('\n', File.ReadAllLines(fixture + ".votes.csv").Skip(1)) + "\n");
        var gold = _dir.File("gold.txt", string.Join('\n', File.ReadAllLines(fixture + ".gold.csv").Skip(1)) + "\n");
        using var reference = JsonDocument.Parse(File.ReadAllText(fixture + ".reference.json"));
        var expected = reference.RootElement;
        var k = expected.GetProperty("cardinality").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var run = CliRun.Invoke("analyze", "--votes", votes, "--gold", gold, "--cardinality", k, "--format", "json", "--quiet");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var output = JsonDocument.Parse(run.Output);
        var actual = output.RootElement;

        foreach (var key in new[] { "label_coverage", "label_overlap", "label_conflict" })
        {
            Assert.Equal(expected.GetProperty(key).GetDouble(), actual.GetProperty(key).GetDouble(), 1e-9);
        }

        var lfs = actual.GetProperty("lf_summary").EnumerateArray().ToArray();
        Assert.Equal(expected.GetProperty("lfs").GetInt32(), lfs.Length);
        for (int j = 0; j < lfs.Length; j++)
        {
            Assert.Equal(expected.GetProperty("coverage")[j].GetDouble(), lfs[j].GetProperty("coverage").GetDouble(), 1e-9);
            Assert.Equal(expected.GetProperty("overlaps")[j].GetDouble(), lfs[j].GetProperty("overlaps").GetDouble(), 1e-9);
            Assert.Equal(expected.GetProperty("conflicts")[j].GetDouble(), lfs[j].GetProperty("conflicts").GetDouble(), 1e-9);
            Assert.Equal(expected.GetProperty("empirical_accuracy")[j].GetDouble(), lfs[j].GetProperty("emp_acc").GetDouble(), 1e-9);
            Assert.Equal(expected.GetProperty("correct")[j].GetInt64(), lfs[j].GetProperty("correct").GetInt64());
            Assert.Equal(expected.GetProperty("incorrect")[j].GetInt64(), lfs[j].GetProperty("incorrect").GetInt64());
            Assert.Equal(
                expected.GetProperty("polarity")[j].EnumerateArray().Select(p => p.GetInt32()),
                lfs[j].GetProperty("polarity").EnumerateArray().Select(p => p.GetInt32()));
        }
    }
}
