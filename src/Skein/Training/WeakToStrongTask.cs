using System.Globalization;
using Skein.IO;

namespace Skein.Training;

/// <summary>Texts with their raw label strings, as read from one file (by <c>skein w2s</c> or any reader).</summary>
/// <param name="Path">The file.</param>
/// <param name="Texts">One text per kept row.</param>
/// <param name="Labels">The raw label of each kept row (trimmed).</param>
/// <param name="Rows">The 1-based data row of each kept row (for messages).</param>
/// <param name="TextColumn">How the text column is named in messages.</param>
/// <param name="LabelColumn">How the label column is named in messages.</param>
public sealed record LabeledTexts(string Path, IReadOnlyList<string> Texts, IReadOnlyList<string> Labels, IReadOnlyList<long> Rows, string TextColumn, string LabelColumn);

/// <summary>
/// A weak-to-strong task from gold-labelled texts (see <see cref="WeakToStrongExperiment"/>): the data and test rows
/// after an optional label filter and stratified subsample, with raw labels mapped to classes 0…k−1. Every check that
/// can fail on the data happens in <see cref="Prepare"/>, before any featurising or training, and names the file.
/// </summary>
public sealed class WeakToStrongTask
{
    private WeakToStrongTask(IReadOnlyList<string> classes, LabeledTexts data, int[] dataRows, int[] labels, LabeledTexts test, int[] testRows, int[] testLabels)
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
    public IReadOnlyList<string> Classes { get; }

    /// <summary>The data file.</summary>
    public string DataPath { get; }

    /// <summary>The data file's text column as named in messages.</summary>
    public string TextColumn { get; }

    /// <summary>The kept data texts.</summary>
    public IReadOnlyList<string> Texts { get; }

    /// <summary>The class of each kept data row, in [0, k).</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>The test file.</summary>
    public string TestPath { get; }

    /// <summary>The test file's text column as named in messages.</summary>
    public string TestTextColumn { get; }

    /// <summary>The kept test texts.</summary>
    public IReadOnlyList<string> TestTexts { get; }

    /// <summary>The class of each kept test row, in [0, k).</summary>
    public IReadOnlyList<int> TestLabels { get; }

    /// <summary>Filters, maps and checks the rows.</summary>
    /// <param name="data">The data file's rows.</param>
    /// <param name="test">The test file's rows.</param>
    /// <param name="keep">The labels to keep, in class order (at least 2; <c>skein w2s --labels</c>), or null for every data label.</param>
    /// <param name="maxRows">At most this many data rows (a seeded stratified subsample; <c>--max-rows</c>), or null.</param>
    /// <param name="progress">One-line reports of what was kept.</param>
    /// <exception cref="ArgumentException"><paramref name="keep"/> is empty or repeats a label.</exception>
    /// <exception cref="DataFormatException">Fewer than 2 classes, a kept label without data rows, a test label the data never has, or a class with fewer than 2 rows.</exception>
    public static WeakToStrongTask Prepare(LabeledTexts data, LabeledTexts test, IReadOnlyList<string>? keep, int? maxRows, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(test);
        if (keep is not null && (keep.Count == 0 || keep.Distinct(StringComparer.Ordinal).Count() != keep.Count))
        {
            throw new ArgumentException("Give the labels to keep once each, at least one.", nameof(keep));
        }

        string[] classes = keep is not null ? [.. keep] : SortLabels(data.Labels.Distinct(StringComparer.Ordinal));
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);

        var dataRows = Enumerable.Range(0, data.Labels.Count).Where(i => index.ContainsKey(data.Labels[i])).ToArray();
        var testRows = Enumerable.Range(0, test.Labels.Count).Where(i => index.ContainsKey(test.Labels[i])).ToArray();
        if (keep is not null)
        {
            progress?.Report($"--labels {string.Join(',', keep)}: kept {dataRows.Length:N0} of {data.Labels.Count:N0} data rows and " +
                $"{testRows.Length:N0} of {test.Labels.Count:N0} test rows");
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

            for (int i = 0; i < test.Labels.Count; i++)
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
            progress?.Report($"--max-rows {cap:N0}: a stratified subsample of {chosen.Length:N0} of {labels.Length:N0} data rows");
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
        progress?.Report($"{labels.Length:N0} data rows, {testLabels.Length:N0} test rows, classes {string.Join(", ", classes.Select((c, i) =>
            $"{c} ({labels.Count(y => y == i):N0})"))}");
        return new WeakToStrongTask(classes, data, dataRows, labels, test, testRows, testLabels);
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
