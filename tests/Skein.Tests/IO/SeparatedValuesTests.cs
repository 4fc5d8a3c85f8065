using System.Text;
using Skein.IO;

namespace Skein.Tests.IO;

public sealed class SeparatedValuesTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private List<string[]> Rows(string name, string content, int maxField = SeparatedValues.MaxFieldLength, int maxRow = SeparatedValues.MaxRowLength)
    {
        var path = _dir.WriteText(name, content);
        using var parser = new SeparatedValuesParser(new StreamReader(path), name.EndsWith(".tsv", StringComparison.Ordinal) ? '\t' : ',', path, maxField, maxRow);
        var fields = new List<string>();
        var rows = new List<string[]>();
        long n = 0;
        while (parser.ReadRow(fields, ++n))
        {
            rows.Add([.. fields]);
        }

        return rows;
    }

    [Fact]
    public void SmsCollectionWithHeader_ReadsOneRowPerLine()
    {
        var path = Fixtures.Path("sms_quotes.tsv");
        int lines = File.ReadAllLines(path).Length;
        using var reader = TabularReader.Open(path);
        var rows = reader.ReadRecords().ToList();
        Assert.Equal(232, rows.Count);
        Assert.Equal(lines - 1, rows.Count);
        Assert.All(rows, r => Assert.True(r["label"] is "ham" or "spam", $"row {r.Row}: {r["label"]}"));
        Assert.All(rows, r => Assert.DoesNotContain('\n', r["text"]!));
        // A well-formed quoted field on its line is unquoted; an unbalanced quote is kept as text.
        Assert.Contains(rows, r => r["text"] == "Pete can you please ring meive hardly gotany credit");
        Assert.Contains(rows, r => r["text"]!.StartsWith("\"Keep ur problems in ur heart", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("a.csv")]
    [InlineData("a.tsv")]
    public void QuoteInsideUnquotedField_IsLiteral_NextLineIsNextRow(string name)
    {
        char s = name.EndsWith(".tsv", StringComparison.Ordinal) ? '\t' : ',';
        var rows = Rows(name, $"1{s}he said \"hi\n2{s}bye\n");
        Assert.Equal(2, rows.Count);
        Assert.Equal(["1", "he said \"hi"], rows[0]);
        Assert.Equal(["2", "bye"], rows[1]);
    }

    [Fact]
    public void Csv_Rfc4180QuotedFields()
    {
        var rows = Rows("a.csv", "\"a,b\",\"x\"\"y\",\"line\r\nbreak\",\"\"\r\nplain,\"q\"tail,,\n");
        Assert.Equal(["a,b", "x\"y", "line\r\nbreak", ""], rows[0]);
        Assert.Equal(["plain", "qtail", "", ""], rows[1]);
    }

    [Fact]
    public void Tsv_QuotedFieldMustCloseOnItsLine()
    {
        var rows = Rows("a.tsv", "\"a\tb\"\t\"x\"\"y\"\n\"open\tz\n\"closed\" tail\tw\n");
        Assert.Equal(["a\tb", "x\"y"], rows[0]);
        Assert.Equal(["\"open", "z"], rows[1]);
        Assert.Equal(["\"closed\" tail", "w"], rows[2]);
    }

    [Fact]
    public void LineEndings_LfCrlfCr()
    {
        var rows = Rows("a.csv", "a,b\r\nc,d\re,f\ng,h");
        Assert.Equal(4, rows.Count);
        Assert.Equal(["g", "h"], rows[3]);
    }

    [Fact]
    public void UnclosedQuote_NamesWhereItOpened()
    {
        var path = _dir.WriteText("u.csv", "id,text\n1,ok\n2,\"never closed\n3,more\n4,rows\n");
        using var reader = TabularReader.Open(path);
        var e = Assert.Throws<DataFormatException>(() => reader.ReadRecords().ToList());
        Assert.Contains("never closed", e.Message, StringComparison.Ordinal);
        Assert.Contains("line 3, character 3", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, e.Row);
        Assert.Equal("text", e.Column);
        Assert.DoesNotContain("fields", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FieldPastLimit_IsATypedError_AndAtLimitReads()
    {
        var ok = Rows("ok.csv", "a," + new string('x', 1000) + "\n", maxField: 1000);
        Assert.Equal(1000, ok[0][1].Length);
        var e = Assert.Throws<DataFormatException>(() => Rows("big.csv", "a,\"" + new string('x', 1001) + "\"\n", maxField: 1000));
        Assert.Contains("longer than 1,000 characters", e.Message, StringComparison.Ordinal);
        Assert.Equal("2", e.Column);
        Assert.Throws<DataFormatException>(() => Rows("big.tsv", "a\t" + new string('x', 1001) + "\n", maxField: 1000));
        var row = Assert.Throws<DataFormatException>(() => Rows("row.csv", string.Join(",", Enumerable.Repeat("abcd", 300)), maxField: 1000, maxRow: 1000));
        Assert.Contains("row is longer", row.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FieldOver16MiB_Reads()
    {
        // Sep refused fields past 16 MiB with NotSupportedException; the limit is now 64 Mi characters.
        var big = new string('y', (16 << 20) + 10);
        var path = _dir.WriteText("big.csv", "id,text\n1," + big + "\n");
        using var reader = TabularReader.Open(path);
        Assert.Equal(big.Length, reader.ReadRecords().Single()["text"]!.Length);
    }

    [Fact]
    public void ReadLine_IsBoundedByTheRowLimit()
    {
        var path = _dir.WriteText("l.jsonl", "{\"a\": 1}\r\n" + new string('x', 2000) + "\n");
        using var parser = new SeparatedValuesParser(new StreamReader(path), '\n', path, maxRow: 1000);
        Assert.Equal("{\"a\": 1}", parser.ReadLine(1));
        var e = Assert.Throws<DataFormatException>(() => parser.ReadLine(2));
        Assert.Contains("longer than 1,000 characters", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, e.Row);
    }

    [Theory]
    [InlineData("d.csv", "a,b,a\n1,2,3\n")]
    [InlineData("d.tsv", "a\tb\ta\n1\t2\t3\n")]
    public void DuplicateHeader_Rejected(string name, string content)
    {
        var path = _dir.WriteText(name, content);
        var e = Assert.Throws<DataFormatException>(() => TabularReader.Open(path));
        Assert.Contains("'a' twice (columns 1 and 3)", e.Message, StringComparison.Ordinal);
        Assert.Throws<DataFormatException>(() => SeparatedValues.RequireUniqueNames(path, ["x", "y", "x"]));
    }

    [Fact]
    public void ReadRows_SkipsBlankLines_NumbersRowsAndLines()
    {
        var path = _dir.WriteText("r.csv", "a,b\n\n\"x\ny\",z\nc,d\n");
        var rows = SeparatedValues.ReadRows(path, ',').ToList();
        Assert.Equal([1L, 3, 4], rows.Select(r => r.Number));
        Assert.Equal([1L, 3, 5], rows.Select(r => r.Line));
        Assert.Equal(["x\ny", "z"], rows[1].Fields);
    }

    [Fact]
    public void Utf16WithBom_IsDetected()
    {
        var path = _dir.File("u16.csv");
        File.WriteAllText(path, "id,text\n1,café\n", new UnicodeEncoding(bigEndian: false, byteOrderMark: true));
        using var reader = TabularReader.Open(path);
        Assert.Equal("café", reader.ReadRecords().Single()["text"]);
        var be = _dir.File("u16be.csv");
        File.WriteAllText(be, "id,text\n1,naïve\n", new UnicodeEncoding(bigEndian: true, byteOrderMark: true));
        using var reader2 = TabularReader.Open(be);
        Assert.Equal("naïve", reader2.ReadRecords().Single()["text"]);
    }

    [Fact]
    public void Latin1_RejectedByDefault_WithByteOffset_ReadWhenDeclared()
    {
        var path = _dir.WriteBytes("l1.csv", Encoding.Latin1.GetBytes("id,text\n1,caf\u00e9\n"));
        // Decoding runs ahead in blocks, so a small file fails as it is opened.
        var e = Assert.Throws<DataFormatException>(() => TabularReader.Open(path).ReadRecords().ToList());
        Assert.Contains("byte offset 13", e.Message, StringComparison.Ordinal);
        Assert.Contains("encoding", e.Message, StringComparison.Ordinal);

        using var declared = TabularReader.Open(path, Encoding.Latin1);
        Assert.Equal("café", declared.ReadRecords().Single()["text"]);
        var probabilities = _dir.WriteBytes("p.csv", Encoding.Latin1.GetBytes("pr\u00e9f,p1\n0.25,0.75\n"));
        Assert.Throws<DataFormatException>(() => ProbabilitiesCsv.Read(probabilities));
        Assert.Equal(0.75, ProbabilitiesCsv.Read(probabilities, Encoding.Latin1).Row(0)[1]);
    }
}

public sealed class TextEncodingsTests
{
    [Theory]
    [InlineData("utf-8", 65001)]
    [InlineData("UTF_16LE", 1200)]
    [InlineData("utf-16be", 1201)]
    [InlineData("latin1", 28591)]
    [InlineData("ISO-8859-1", 28591)]
    [InlineData("windows-1252", 1252)]
    public void FromName_KnownNames(string name, int codePage) => Assert.Equal(codePage, TextEncodings.FromName(name)!.CodePage);

    [Fact]
    public void FromName_AutoIsDetect_UnknownListsNames()
    {
        Assert.Null(TextEncodings.FromName("auto"));
        var e = Assert.Throws<ArgumentException>(() => TextEncodings.FromName("ebcdic"));
        Assert.Contains("windows-1252", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Windows1252_DecodesTheEuroSign()
    {
        using var dir = new ScratchDirectory();
        var path = dir.WriteBytes("w.csv", [.. "id,text\n1,"u8, 0x80, (byte)'\n']);
        using var reader = TabularReader.Open(path, TextEncodings.FromName("cp1252"));
        Assert.Equal("€", reader.ReadRecords().Single()["text"]);
    }
}
