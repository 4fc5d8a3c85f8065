using System.Globalization;
using Skein.IO;
using Skein.Training;

namespace Skein.Cli.Commands;

/// <summary>
/// The data and test rows of <c>skein w2s</c> after the label filter and subsample, with labels mapped to classes
/// 0…k−1; every check that can fail on the data happens here, before any featurising or training.
/// </summary>
internal sealed class W2sTask
{
    private W2sTask(string[] classes, LabeledTexts data, int[] dataRows, int[] labels, LabeledTexts test, int[] testRows, int[] testLabels)
    {
        Classes = classes;
        DataPath = data.Path;
        TextColumn = data.TextColumn;
        Texts = [.. dataRows.Select(i => data.Texts[i])];
        Labels = labels;
        TestPath = test.Path;
        TestTextColumn = test.TextColumn;
        TestTexts = [.. testRows.Select(i => test.Texts[i])];
        TestLabels = testLabels;
    }

    /// <summary>The raw label of each class, in class order.</summary>
    public string[] Classes { get; }

    public string DataPath { get; }

    public string TextColumn { get; }

    public string[] Texts { get; }

    public int[] Labels { get; }

    public string TestPath { get; }

    public string TestTextColumn { get; }

    public string[] TestTexts { get; }

    public int[] TestLabels { get; }

    /// <summary>Filters, maps and checks the rows.</summary>
    /// <param name="data">The data file's rows.</param>
    /// <param name="test">The test file's rows.</param>
    /// <param name="keep">--labels (at least 2, in class order), or null for every data label.</param>
    /// <param name="maxRows">--max-rows, or null.</param>
    /// <param name="context">For progress lines.</param>
    /// <exception cref="DataFormatException">Fewer than 2 classes, a kept label without data rows, a test label the data never has, or a class with fewer than 2 rows.</exception>
    public static W2sTask Prepare(LabeledTexts data, LabeledTexts test, string[]? keep, int? maxRows, CliContext context)
    {
        var classes = keep ?? SortLabels(data.Labels.Distinct(StringComparer.Ordinal));
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);

        var dataRows = Enumerable.Range(0, data.Labels.Length).Where(i => index.ContainsKey(data.Labels[i])).ToArray();
        var testRows = Enumerable.Range(0, test.Labels.Length).Where(i => index.ContainsKey(test.Labels[i])).ToArray();
        if (keep is not null)
        {
            context.Progress($"--labels {string.Join(',', keep)}: kept {dataRows.Length:N0} of {data.Labels.Length:N0} data rows and " +
                $"{testRows.Length:N0} of {test.Labels.Length:N0} test rows");
            var present = dataRows.Select(i => data.Labels[i]).Distinct(StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
            if (present.Count < 2)
            {
                var only = present.Count == 0 ? "no rows at all" : $"only rows labelled '{present.Single()}'";
                throw new DataFormatException(
                    $"--labels {string.Join(',', keep)} leaves {only}; weak-to-strong needs at least 2 classes in the data (labels in the file: " +
                    $"{string.Join(", ", SortLabels(data.Labels.Distinct(StringComparer.Ordinal)))}).", data.Path, column: data.LabelColumn);
            }

            if (keep.FirstOrDefault(c => !present.Contains(c)) is { } missing)
            {
                throw new DataFormatException($"--labels names '{missing}', but no data row has that label.", data.Path, column: data.LabelColumn);
            }
        }
        else
        {
            if (classes.Length < 2)
            {
                throw new DataFormatException(
                    $"every row has label '{classes[0]}'; weak-to-strong needs at least 2 classes.", data.Path, column: data.LabelColumn);
            }

            for (int i = 0; i < test.Labels.Length; i++)
            {
                if (!index.ContainsKey(test.Labels[i]))
                {
                    throw new DataFormatException(
                        $"label '{test.Labels[i]}' never occurs in the data ({data.Path}), whose labels are {string.Join(", ", classes)}; " +
                        "use --labels to keep only shared labels.", test.Path, test.Rows[i], test.LabelColumn);
                }
            }
        }

        if (testRows.Length == 0)
        {
            throw new DataFormatException($"no test row has one of the labels {string.Join(", ", classes)}.", test.Path, column: test.LabelColumn);
        }

        var labels = dataRows.Select(i => index[data.Labels[i]]).ToArray();
        if (maxRows is { } cap && cap < labels.Length)
        {
            var chosen = WeakToStrongExperiment.Subsample(labels, classes.Length, cap, seed: 0);
            context.Progress($"--max-rows {cap:N0}: a stratified subsample of {chosen.Length:N0} of {labels.Length:N0} data rows");
            dataRows = [.. chosen.Select(i => dataRows[i])];
            labels = [.. chosen.Select(i => labels[i])];
        }

        for (int c = 0; c < classes.Length; c++)
        {
            int count = labels.Count(y => y == c);
            if (count < 2)
            {
                throw new DataFormatException(
                    $"label '{classes[c]}' has {count} data row(s); the 50/50 split needs at least 2 per class so that both halves hold every class" +
                    (maxRows is null ? "." : " (raise --max-rows)."), data.Path, column: data.LabelColumn);
            }
        }

        var testLabels = testRows.Select(i => index[test.Labels[i]]).ToArray();
        context.Progress($"{labels.Length:N0} data rows, {testLabels.Length:N0} test rows, classes {string.Join(", ", classes.Select((c, i) =>
            $"{c} ({labels.Count(y => y == i):N0})"))}");
        return new W2sTask(classes, data, dataRows, labels, test, testRows, testLabels);
    }

    /// <summary>Numeric order when every label is a number (0, 2, 4, 10), ordinal text order otherwise.</summary>
    private static string[] SortLabels(IEnumerable<string> labels)
    {
        var all = labels.ToArray();
        bool numeric = all.All(l => double.TryParse(l, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        return numeric
            ? [.. all.OrderBy(l => double.Parse(l, CultureInfo.InvariantCulture)).ThenBy(l => l, StringComparer.Ordinal)]
            : [.. all.Order(StringComparer.Ordinal)];
    }
}
