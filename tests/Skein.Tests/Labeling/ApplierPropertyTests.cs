using CsCheck;
using Skein.Labeling;

namespace Skein.Tests.Labeling;

public class ApplierPropertyTests
{
    /// <summary>A deterministic LF: a hash of (item, seed) mapped to [-1, k).</summary>
    private static ILabelingFunction<int> HashLf(int index, int seed, int cardinality) =>
        LabelingFunction.Create<int>($"hash_{index}", x =>
        {
            uint h = unchecked(((uint)x * 2654435761u) ^ ((uint)seed * 40503u));
            h ^= h >> 15;
            return (int)(h % (uint)(cardinality + 1)) - 1;
        });

    [Fact]
    public void Result_does_not_depend_on_the_degree_of_parallelism()
    {
        var gen = Gen.Select(Gen.Int[0, 3000], Gen.Int[1, 6], Gen.Int[2, 5], Gen.Int[1, 700], Gen.Int);
        gen.Sample((n, m, k, chunk, seed) =>
        {
            var lfs = Enumerable.Range(0, m).Select(j => HashLf(j, seed + j, k)).ToArray();
            var items = Enumerable.Range(0, n).ToArray();
            int[] parallelism = [1, 2, -1];

            var results = parallelism.Select(p => new LabelingFunctionApplier<int>(lfs, k,
                new ApplyOptions { MaxDegreeOfParallelism = p, ChunkSize = chunk }).Apply(items).Matrix.Votes.ToArray()).ToArray();

            Assert.Equal(results[0], results[1]);
            Assert.Equal(results[0], results[2]);
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < m; j++)
                {
                    Assert.Equal(lfs[j].Vote(i), results[0][(i * m) + j]);
                }
            }
        }, iter: 60);
    }
}

[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

[Collection(nameof(MemoryMeasurement))]
public class StreamingMemoryTests
{
    [Fact]
    public void Streaming_a_million_lazily_generated_items_keeps_memory_bounded()
    {
        const int n = 1_000_000;
        ILabelingFunction<string> [] lfs =
        [
            LabelingFunction.Create<string>("odd_length", s => s.Length % 2),
            LabelingFunction.Create<string>("ends_in_7", s => s[^1] == '7' ? 1 : -1),
            LabelingFunction.Keyword("has_99", 0, "99"),
        ];
        var applier = new LabelingFunctionApplier<string>(lfs, 2, new ApplyOptions { ChunkSize = 4096 });

        // Each item is a fresh string of ~40 bytes: materialising them all would hold ≥ 40 MB.
        static IEnumerable<string> Items()
        {
            for (int i = 0; i < n; i++)
            {
                yield return $"item number {i}";
            }
        }

        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0, rows = 0, ends7 = 0;
        int chunkIndex = 0;
        foreach (var chunk in applier.ApplyStreaming(Items()))
        {
            Assert.Equal(rows, chunk.FirstRow);
            rows += chunk.Matrix.RowCount;
            for (int i = 0; i < chunk.Matrix.RowCount; i++)
            {
                ends7 += chunk.Matrix[i, 1] == 1 ? 1 : 0;
            }

            if (chunkIndex++ % 25 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
            }
        }

        Assert.Equal(n, rows);
        Assert.Equal(n / 10, ends7);
        Assert.True(peak < 8L << 20, $"live memory grew by {peak / 1024} KiB while streaming");
    }
}

public class KeywordPropertyTests
{
    // Letters in both cases, the Kelvin sign (folds to 'k' culturally, not ordinally), 'ß', Turkish 'İ' and 'ı',
    // an underscore and separators: enough to exercise case folding and word boundaries.
    private static readonly Gen<string> Text = Gen.Char["abkKAB\u212A\u00DF\u0130\u0131_ .,1"].Array[0, 24].Select(c => new string(c));
    private static readonly Gen<string[]> Words = Gen.Char["abkKAB\u212A\u00DF\u0130\u0131_1"].Array[1, 3].Select(c => new string(c)).Array[1, 4];

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static bool NaiveWholeWord(string s, string word, StringComparison comparison)
    {
        for (int at = 0; at + word.Length <= s.Length; at++)
        {
            if (string.Compare(s, at, word, 0, word.Length, comparison) == 0
                && (at == 0 || !IsWordChar(s[at - 1]))
                && (at + word.Length == s.Length || !IsWordChar(s[at + word.Length])))
            {
                return true;
            }
        }

        return false;
    }

    [Theory]
    [InlineData(KeywordMatch.Substring, true)]
    [InlineData(KeywordMatch.Substring, false)]
    [InlineData(KeywordMatch.WholeWord, true)]
    [InlineData(KeywordMatch.WholeWord, false)]
    public void Keyword_lf_agrees_with_a_naive_scan(KeywordMatch match, bool ignoreCase)
    {
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        Gen.Select(Text, Words).Sample((text, words) =>
        {
            var lf = LabelingFunction.Keyword<string>("kw", s => s, 1, words, new KeywordOptions { Match = match, IgnoreCase = ignoreCase });
            bool expected = match == KeywordMatch.Substring
                ? words.Any(w => text.Contains(w, comparison))
                : words.Any(w => NaiveWholeWord(text, w, comparison));

            Assert.Equal(expected ? 1 : -1, lf.Vote(text));
        }, iter: 2000);
    }
}

public class PatternParallelTests
{
    [Fact]
    public void Pattern_lfs_vote_the_same_on_every_thread()
    {
        var texts = Enumerable.Range(0, 20_000).Select(i => i % 3 == 0 ? $"I LOVE item {i}" : $"hate {i} so much").ToArray();
        ILabelingFunction<string>[] lfs =
        [
            LabelingFunction.Pattern("love", 1, @"\blove\b", new PatternOptions { IgnoreCase = true }),
            LabelingFunction.Pattern("hate_7", 0, @"hate \d*7\b"),
            LabelingFunction.Pattern("lower_item", 1, "love item", new PatternOptions { LowercaseInput = true }),
        ];
        var expected = texts.SelectMany(t => lfs.Select(lf => (sbyte)lf.Vote(t))).ToArray();

        foreach (int threads in new[] { 1, 2, -1 })
        {
            var applier = new LabelingFunctionApplier<string>(lfs, 2, new ApplyOptions { MaxDegreeOfParallelism = threads, ChunkSize = 64 });
            Assert.Equal(expected, applier.Apply(texts).Matrix.Votes.ToArray());
        }

        Assert.Equal(texts.Length / 3 + 1, expected.Where((v, i) => i % 3 == 0 && v == 1).Count());
    }
}
