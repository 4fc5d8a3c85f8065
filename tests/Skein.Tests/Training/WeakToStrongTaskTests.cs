using Skein.IO;
using Skein.Training;

namespace Skein.Tests.Training;

public class WeakToStrongTaskTests
{
    private static LabeledTexts Texts(string path, params (string Text, string Label)[] rows) =>
        new(path, [.. rows.Select(r => r.Text)], [.. rows.Select(r => r.Label)], [.. rows.Select((_, i) => (long)i + 1)], "text", "label");

    [Fact]
    public void Prepare_sorts_numeric_labels_filters_and_maps_them_to_classes()
    {
        var data = Texts("data.csv", ("a", "4"), ("b", "0"), ("c", "2"), ("d", "4"), ("e", "0"), ("f", "10"), ("g", "10"), ("h", "2"));
        var test = Texts("test.csv", ("x", "0"), ("y", "4"), ("z", "2"));
        var all = WeakToStrongTask.Prepare(data, test, keep: null, maxRows: null);
        Assert.Equal(["0", "2", "4", "10"], all.Classes);

        var kept = WeakToStrongTask.Prepare(Texts("data.csv", ("a", "4"), ("b", "0"), ("d", "4"), ("e", "0"), ("c", "2")), test, keep: ["0", "4"], maxRows: null);
        Assert.Equal(["0", "4"], kept.Classes);
        Assert.Equal([1, 0, 1, 0], kept.Labels);
        Assert.Equal(["a", "b", "d", "e"], kept.Texts);
        Assert.Equal([0, 1], kept.TestLabels);
    }

    [Fact]
    public void Prepare_refuses_a_test_label_the_data_never_has_naming_file_and_row()
    {
        var data = Texts("data.csv", ("a", "1"), ("b", "0"), ("c", "1"), ("d", "0"));
        var test = Texts("test.csv", ("x", "0"), ("y", "7"));
        var e = Assert.Throws<DataFormatException>(() => WeakToStrongTask.Prepare(data, test, null, null));
        Assert.Contains("label '7' never occurs in the data", e.Message, StringComparison.Ordinal);
        Assert.Contains("test.csv", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => WeakToStrongTask.Prepare(data, test, ["0", "0"], null));
    }
}
