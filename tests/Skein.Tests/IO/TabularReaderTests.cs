using Skein.IO;

namespace Skein.Tests.IO;

public sealed class TabularReaderTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Csv_QuotedCommasNewlinesEscapedQuotesAndBom()
    {
        using var reader = TabularReader.Open(Fixtures.Path("quoted.csv"));
        Assert.Equal(["id", "text", "score"], reader.Columns);
        var rows = reader.ReadRecords().ToList();
        Assert.Equal(4, rows.Count);
        Assert.Equal("Hello, world", rows[0]["text"]);
        Assert.Equal("0.5", rows[0]["score"]);
        Assert.Equal("line one\nline two", rows[1]["text"]);
        Assert.Equal("she said \"hi\"", rows[2]["text"]);
        Assert.Equal("", rows[2]["score"]);
        Assert.Equal("plain", rows[3][1]);
        Assert.Equal([1L, 2, 3, 4], rows.Select(r => r.Row));
    }

    [Fact]
    public void Csv_CanBeEnumeratedTwice()
    {
        using var reader = TabularReader.Open(Fixtures.Path("quoted.csv"));
        var first = reader.ReadRecords().Select(r => r["id"]).ToList();
        var second = reader.ReadRecords().Select(r => r["id"]).ToList();
        Assert.Equal(["1", "2", "3", "4"], first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Tsv_SplitsOnTabs()
    {
        using var reader = TabularReader.Open(Fixtures.Path("simple.tsv"));
        Assert.Equal(["id", "text"], reader.Columns);
        var rows = reader.ReadRecords().ToList();
        Assert.Equal("foo bar", rows[0]["text"]);
        Assert.Equal("a\tb", rows[1]["text"]);
    }

    [Fact]
    public void Jsonl_MissingKeysAreNull_ValuesAsJsonText()
    {
        using var reader = TabularReader.Open(Fixtures.Path("missing_keys.jsonl"));
        Assert.Equal(["id", "text", "flag"], reader.Columns);
        var rows = reader.ReadRecords().ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal("1", rows[0]["id"]);
        Assert.Equal("true", rows[0]["flag"]);
        Assert.Null(rows[1]["text"]);
        Assert.Null(rows[1]["flag"]);
        Assert.Equal("café", rows[2]["text"]);
        Assert.Equal("false", rows[2]["flag"]);
        // Row numbers are line numbers; line 3 is blank.
        Assert.Equal([1L, 2, 4], rows.Select(r => r.Row));
    }

    [Fact]
    public void Csv_TrailingBlankLineIsIgnored()
    {
        var path = _dir.WriteText("t.csv", "a,b\n1,2\n\n");
        using var reader = TabularReader.Open(path);
        Assert.Single(reader.ReadRecords());
    }

    [Fact]
    public void Csv_RaggedRow_NamesFileAndRow()
    {
        var path = _dir.WriteText("ragged.csv", "a,b,c\n1,2,3\n4,5,6\n7,8\n");
        using var reader = TabularReader.Open(path);
        var e = Assert.Throws<DataFormatException>(() => reader.ReadRecords().ToList());
        Assert.Equal(3, e.Row);
        Assert.Contains("ragged.csv", e.Message, StringComparison.Ordinal);
        Assert.Contains("row 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("2 fields", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_Throws()
    {
        var e = Assert.Throws<DataFormatException>(() => TabularReader.Open(_dir.File("nope.csv")));
        Assert.Contains("nope.csv", e.Message, StringComparison.Ordinal);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("empty.csv", "")]
    [InlineData("bom_only.csv", "\uFEFF")]
    [InlineData("empty.jsonl", "\n\n")]
    public void EmptyFile_Throws(string name, string content)
    {
        var path = _dir.WriteText(name, content);
        var e = Assert.Throws<DataFormatException>(() => TabularReader.Open(path));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateHeader_Throws()
    {
        var path = _dir.WriteText("dup.csv", "a,b,a\n1,2,3\n");
        var e = Assert.Throws<DataFormatException>(() => TabularReader.Open(path));
        Assert.Contains("dup.csv", e.Message, StringComparison.Ordinal);
        Assert.Equal("a", e.Column);
    }

    [Fact]
    public void UnsupportedExtension_Throws()
    {
        var e = Assert.Throws<DataFormatException>(() => TabularReader.Open(_dir.File("data.xlsx")));
        Assert.Contains(".csv, .tsv, .jsonl or .ndjson", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidUtf8_Csv_NamesFileAndLine()
    {
        var bytes = "a,b\n1,ok\n2,"u8.ToArray().Concat(new byte[] { 0xC3, 0x28 }).Concat("\n3,x\n"u8.ToArray()).ToArray();
        var path = _dir.WriteBytes("latin.csv", bytes);

        // Decoding runs ahead in blocks, so a small file fails already in Open.
        var e = Assert.Throws<DataFormatException>(() => ReadAll(path));
        Assert.Contains("latin.csv", e.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidUtf8_FarIntoLargeFile_ReportsExactLine()
    {
        // Large enough that decoding cannot run ahead to the bad byte during Open.
        var text = new System.Text.StringBuilder("id,text\n");
        for (int i = 1; i <= 20_000; i++)
        {
            text.Append(i).Append(",row number ").Append(i).Append('\n');
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(text.ToString()).Concat(new byte[] { 0x39, 0x2C, 0xFE, 0x0A }).ToArray();
        var path = _dir.WriteBytes("big.csv", bytes);
        using var reader = TabularReader.Open(path);
        var e = Assert.Throws<DataFormatException>(() => reader.ReadRecords().ToList());
        Assert.Contains("big.csv", e.Message, StringComparison.Ordinal);
        Assert.Contains("line 20002", e.Message, StringComparison.Ordinal);
    }

    private static int ReadAll(string path)
    {
        using var reader = TabularReader.Open(path);
        return reader.ReadRecords().Count();
    }

    [Fact]
    public void InvalidUtf8_InHeader_ThrowsOnOpen()
    {
        var path = _dir.WriteBytes("bad.tsv", [0x61, 0xFF, 0x0A, 0x31, 0x0A]);
        var e = Assert.Throws<DataFormatException>(() => TabularReader.Open(path));
        Assert.Contains("bad.tsv", e.Message, StringComparison.Ordinal);
        Assert.Contains("line 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidUtf8_Jsonl_RowIsLine()
    {
        var bytes = "{\"a\": \"x\"}\n{\"a\": \"y\"}\n{\"a\": \""u8.ToArray().Concat(new byte[] { 0xE9 }).Concat("\"}\n"u8.ToArray()).ToArray();
        var path = _dir.WriteBytes("bad.jsonl", bytes);
        var e = Assert.Throws<DataFormatException>(() => ReadAll(path));
        Assert.Equal(3, e.Row);
        Assert.Contains("bad.jsonl, row 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Jsonl_MalformedLine_RowIsLineNumber()
    {
        var path = _dir.WriteText("broken.jsonl", "{\"a\": 1}\n\n{\"a\": 2,}\n");
        using var reader = TabularReader.Open(path);
        var e = Assert.Throws<DataFormatException>(() => reader.ReadRecords().ToList());
        Assert.Equal(3, e.Row);
        Assert.Contains("broken.jsonl, row 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("invalid JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Jsonl_NonObjectLine_Throws()
    {
        var path = _dir.WriteText("arr.jsonl", "{\"a\": 1}\n[1, 2]\n");
        using var reader = TabularReader.Open(path);
        var e = Assert.Throws<DataFormatException>(() => reader.ReadRecords().ToList());
        Assert.Equal(2, e.Row);
        Assert.Contains("arr.jsonl", e.Message, StringComparison.Ordinal);
        Assert.Contains("array", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Jsonl_FirstLineNotObject_ThrowsOnOpen()
    {
        var path = _dir.WriteText("str.jsonl", "\"hello\"\n");
        var e = Assert.Throws<DataFormatException>(() => TabularReader.Open(path));
        Assert.Equal(1, e.Row);
        Assert.Contains("str.jsonl", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Jsonl_ExtraKey_NamesRowAndKey()
    {
        var path = _dir.WriteText("extra.jsonl", "{\"a\": 1}\n{\"a\": 2, \"b\": 3}\n");
        using var reader = TabularReader.Open(path);
        var e = Assert.Throws<DataFormatException>(() => reader.ReadRecords().ToList());
        Assert.Equal(2, e.Row);
        Assert.Equal("b", e.Column);
        Assert.Contains("extra.jsonl, row 2, column 'b'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequireColumn_ListsAvailableColumns()
    {
        using var reader = TabularReader.Open(Fixtures.Path("quoted.csv"));
        reader.RequireColumn("text");
        var e = Assert.Throws<DataFormatException>(() => reader.RequireColumn("label"));
        Assert.Contains("quoted.csv", e.Message, StringComparison.Ordinal);
        Assert.Contains("'label'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'id', 'text', 'score'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRecords_IsLazy_StopsEarlyWithoutReadingBadTail()
    {
        // Row 3 is ragged; taking two rows must not touch it.
        var path = _dir.WriteText("lazy.csv", "a,b\n1,2\n3,4\n5\n");
        using var reader = TabularReader.Open(path);
        Assert.Equal(2, reader.ReadRecords().Take(2).Count());
    }

    [Fact]
    public void ReadRecords_HonoursCancellation()
    {
        using var reader = TabularReader.Open(Fixtures.Path("quoted.csv"));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => reader.ReadRecords(cts.Token).ToList());
    }

    [Fact]
    public void Disposed_ReadRecordsThrows()
    {
        var reader = TabularReader.Open(Fixtures.Path("quoted.csv"));
        reader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => reader.ReadRecords());
    }
}
