using System.Text;
using Skein.Labeling.Rules;

namespace Skein.Tests.Labeling.Rules;

public sealed class RuleSetEncodingTests : IDisposable
{
    private const string Rules = """{"cardinality": 2, "rules": [{"name": "cafe", "kind": "keyword", "class": 1, "words": ["café"]}]}""";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("skein-rules-enc-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Latin1File_IsRefusedWithByteOffset_NotDecodedToReplacementCharacters()
    {
        var path = Path.Combine(_dir.FullName, "latin1.rules.json");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(Rules));
        var e = Assert.Throws<RuleSetException>(() => RuleSet.Load(path));
        Assert.Contains("invalid UTF-8 byte at line 1 (byte offset " + Rules.IndexOf('é', StringComparison.Ordinal), e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Latin1File_DeclaredEncoding_KeywordKeepsItsAccent()
    {
        var path = Path.Combine(_dir.FullName, "latin1.rules.json");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(Rules));
        var set = RuleSet.Load(path, Encoding.Latin1);
        Assert.DoesNotContain('\uFFFD', File.ReadAllText(path, Encoding.Latin1));
        Assert.Equal(["café"], set.Rules[0].Words);
    }

    [Theory]
    [InlineData("utf-8-bom")]
    [InlineData("utf-16le")]
    [InlineData("utf-16be")]
    public void BomEncodings_AreDetected(string kind)
    {
        var path = Path.Combine(_dir.FullName, kind + ".rules.json");
        Encoding encoding = kind switch
        {
            "utf-8-bom" => new UTF8Encoding(true),
            "utf-16le" => new UnicodeEncoding(false, true),
            _ => new UnicodeEncoding(true, true),
        };
        File.WriteAllText(path, Rules, encoding);
        var set = RuleSet.Load(path);
        Assert.Equal(["café"], set.Rules[0].Words);
    }
}
