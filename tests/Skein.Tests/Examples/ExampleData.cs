using Skein.Data;
using Skein.Examples;
using Skein.Labeling;
using Skein.Labeling.Rules;

namespace Skein.Tests.Examples;

/// <summary>Locates the fixtures and the bundled rules files in the test output.</summary>
internal static class ExampleData
{
    public static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "data", .. parts]);

    public static RuleSet Rules(string file) => RuleSet.Load(Path.Combine(AppContext.BaseDirectory, "rules", file));

    public static IReadOnlyList<WrenchRow> YouTubeFixture() => WrenchFile.Load(Fixture("youtube", "wrench_youtube_train.json"));

    /// <summary>Applies LFs and returns the label matrix.</summary>
    public static LabelMatrix Apply<T>(IReadOnlyList<ILabelingFunction<T>> lfs, int cardinality, IReadOnlyList<T> items) =>
        new LabelingFunctionApplier<T>(lfs, cardinality).Apply(items).Matrix;

    /// <summary>
    /// Counts cells where <paramref name="matrix"/> column j differs from stored vote j (j &lt; matrix.LfCount)
    /// and describes the first few, for the failure message.
    /// </summary>
    public static (long Compared, long Differing, string FirstDifferences) Compare(LabelMatrix matrix, IReadOnlyList<WrenchRow> rows)
    {
        long compared = 0, differing = 0;
        var first = new List<string>();
        for (int i = 0; i < rows.Count; i++)
        {
            for (int j = 0; j < matrix.LfCount; j++)
            {
                compared++;
                if (matrix[i, j] != rows[i].WeakLabels[j])
                {
                    differing++;
                    if (first.Count < 5)
                    {
                        first.Add($"{matrix.LfNames[j]} on row {rows[i].Id}: expected {rows[i].WeakLabels[j]}, got {matrix[i, j]} ({rows[i].Text})");
                    }
                }
            }
        }

        return (compared, differing, string.Join(Environment.NewLine, first));
    }
}
