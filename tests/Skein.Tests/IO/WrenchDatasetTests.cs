using Skein.IO;

namespace Skein.Tests.IO;

public sealed class WrenchDatasetTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_WithLabelJson_KeepsFileOrder()
    {
        var data = WrenchDataset.Load(Path.Combine(AppContext.BaseDirectory, "data", "io", "wrench", "train.json"));
        Assert.Equal(["10", "2", "7"], data.Ids);
        Assert.Equal(["Check out my channel \uFEFF", "Love this song", null], data.Texts);
        Assert.Equal([1, 0, -1], data.Gold);
        Assert.Equal(["HAM", "SPAM"], data.ClassNames!);
        Assert.Equal(2, data.Matrix.Cardinality);
        Assert.Equal(3, data.Matrix.RowCount);
        Assert.Equal(["lf_0", "lf_1", "lf_2"], data.Matrix.LfNames);
        Assert.Equal(new sbyte[] { -1, 1, -1, 0, -1, -1, -1, -1, -1 }, data.Matrix.Votes.ToArray());
    }

    [Fact]
    public void Load_WithoutLabelJson_InfersCardinality_NullTextWhenNoData()
    {
        var data = WrenchDataset.Load(Path.Combine(AppContext.BaseDirectory, "data", "io", "wrench_plain", "train.json"));
        Assert.Null(data.ClassNames);
        Assert.Equal(3, data.Matrix.Cardinality); // gold label 2 is the largest class seen
        Assert.Equal(["a", null], data.Texts);
    }

    [Fact]
    public void Load_CardinalityArgumentWins()
    {
        var data = WrenchDataset.Load(Path.Combine(AppContext.BaseDirectory, "data", "io", "wrench_plain", "train.json"), 5);
        Assert.Equal(5, data.Matrix.Cardinality);
    }

    [Fact]
    public void Load_CardinalityDisagreeingWithLabelJson_Throws()
    {
        var e = Assert.Throws<DataFormatException>(() =>
            WrenchDataset.Load(Path.Combine(AppContext.BaseDirectory, "data", "io", "wrench", "train.json"), 3));
        Assert.Contains("label.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AllAbstainAndUnknownGold_CardinalityAtLeastTwo()
    {
        var path = _dir.WriteText("t.json", """{"a": {"label": -1, "weak_labels": [-1]}}""");
        Assert.Equal(2, WrenchDataset.Load(path).Matrix.Cardinality);
    }

    private DataFormatException LoadError(string json, string name = "bad.json")
    {
        var path = _dir.WriteText(name, json);
        var e = Assert.Throws<DataFormatException>(() => WrenchDataset.Load(path));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        return e;
    }

    [Fact]
    public void Error_NotAnObject()
    {
        var e = LoadError("[1, 2]");
        Assert.Contains("an array", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_InvalidJson_NamesLine()
    {
        var e = LoadError("{\n\"0\": {\"label\": 1,,}\n}");
        Assert.Contains("line 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_ItemNotAnObject()
    {
        var e = LoadError("""{"0": {"label": 0, "weak_labels": [0]}, "1": 5}""");
        Assert.Equal(2, e.Row);
        Assert.Contains("item \"1\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_MissingLabel()
    {
        var e = LoadError("""{"0": {"label": 0, "weak_labels": [0]}, "x9": {"weak_labels": [1]}}""");
        Assert.Equal(2, e.Row);
        Assert.Equal("label", e.Column);
        Assert.Contains("item \"x9\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_MissingWeakLabels()
    {
        var e = LoadError("""{"0": {"label": 0}}""");
        Assert.Equal(1, e.Row);
        Assert.Equal("weak_labels", e.Column);
    }

    [Fact]
    public void Error_WeakLabelLengthDiffers()
    {
        var e = LoadError("""{"0": {"label": 0, "weak_labels": [0, 1]}, "1": {"label": 0, "weak_labels": [0, 1]}, "2": {"label": 1, "weak_labels": [1]}}""");
        Assert.Equal(3, e.Row);
        Assert.Equal("weak_labels", e.Column);
        Assert.Contains("1 weak labels; the first item has 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_VoteBelowMinusOne()
    {
        var e = LoadError("""{"0": {"label": 0, "weak_labels": [0, -3]}}""");
        Assert.Equal(1, e.Row);
        Assert.Equal("weak_labels", e.Column);
        Assert.Contains("-3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_VoteOutsideLabelJsonCardinality()
    {
        var dir = Path.Combine(_dir.Root, "ds");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "label.json"), """{"0": "neg", "1": "pos"}""");
        var path = Path.Combine(dir, "valid.json");
        File.WriteAllText(path, """{"0": {"label": 0, "weak_labels": [0, 1]}, "1": {"label": 1, "weak_labels": [2, -1]}}""");
        var e = Assert.Throws<DataFormatException>(() => WrenchDataset.Load(path));
        Assert.Equal(2, e.Row);
        Assert.Equal("weak_labels", e.Column);
        Assert.Contains("valid.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("[-1, 2)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_LabelOutsideGivenCardinality()
    {
        var path = _dir.WriteText("lab.json", """{"0": {"label": 4, "weak_labels": [0]}}""");
        var e = Assert.Throws<DataFormatException>(() => WrenchDataset.Load(path, 3));
        Assert.Equal("label", e.Column);
        Assert.Contains("lab.json, row 1, column 'label'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_NonIntegerVote()
    {
        var e = LoadError("""{"0": {"label": 0, "weak_labels": [0.5]}}""");
        Assert.Equal("weak_labels", e.Column);
    }

    [Fact]
    public void Error_Empty()
    {
        var e = LoadError("{}");
        Assert.Contains("no items", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_MissingFile()
    {
        var e = Assert.Throws<DataFormatException>(() => WrenchDataset.Load(_dir.File("nope.json")));
        Assert.Contains("nope.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_BadLabelJson()
    {
        var dir = Path.Combine(_dir.Root, "ds2");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "label.json"), """{"0": "neg", "2": "pos"}""");
        var path = Path.Combine(dir, "train.json");
        File.WriteAllText(path, """{"0": {"label": 0, "weak_labels": [0]}}""");
        var e = Assert.Throws<DataFormatException>(() => WrenchDataset.Load(path));
        Assert.Contains("label.json", e.Message, StringComparison.Ordinal);
    }
}
