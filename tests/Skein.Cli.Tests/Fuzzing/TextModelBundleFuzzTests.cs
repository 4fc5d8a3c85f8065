using CsCheck;
using Skein.Cli.Commands;
using Skein.EndModels;
using Skein.Features;
using Skein.IO;
using Xunit.Sdk;

namespace Skein.Cli.Tests.Fuzzing;

/// <summary>
/// The model bundle <c>skein predict</c> reads is untrusted input: any mutation of a valid bundle either loads (and
/// then featurizes and predicts) or is a <see cref="DataFormatException"/> naming the file, never another exception.
/// </summary>
public sealed class TextModelBundleFuzzTests : IDisposable
{
    private static readonly string[] Texts = ["win a free prize", "see you at dinner", "claim cash now", "thanks love"];

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("skein-bundle-fuzz-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void MutatedBundle_LoadsOrIsADataError()
    {
        var tfidf = new HashedNGramFeaturizer(new HashedNGramOptions { Dimension = 32 }).Fit(Texts);
        var labels = ProbabilisticLabels(Texts.Length);
        var end = new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1, MaxIterations = 5 }).Fit(tfidf.Transform(Texts), labels);
        var validPath = Path.Combine(_dir.FullName, "valid.json");
        new TextModelBundle(EndModelFactory.TfIdf, tfidf, null, end, "text").Save(validPath);
        var valid = File.ReadAllBytes(validPath);
        Assert.Equal(32, TextModelBundle.Load(validPath).TfIdf!.Dimension);

        Gen.Select(Gen.UInt.Array[1, 6], Gen.Int[0, 9]).Sample((ops, replace) =>
        {
            var bytes = Mutate(valid, ops, replace);
            var path = Path.Combine(_dir.FullName, Guid.NewGuid().ToString("N") + ".json");
            File.WriteAllBytes(path, bytes);
            try
            {
                var bundle = TextModelBundle.Load(path);
                if (bundle.TfIdf is { } model)
                {
                    bundle.EndModel.PredictProba(model.Transform(Texts));
                }
            }
            catch (DataFormatException e)
            {
                Assert.Equal(path, e.FilePath);
            }
            catch (Exception e)
            {
                throw new XunitException($"{e.GetType().Name} instead of DataFormatException on {Convert.ToBase64String(bytes)}: {e}");
            }
            finally
            {
                File.Delete(path);
            }
        }, iter: 300);
    }

    private static Skein.Data.ProbabilisticLabels ProbabilisticLabels(int n) =>
        Skein.Data.ProbabilisticLabels.FromRowMajor([.. Enumerable.Range(0, n).SelectMany(i => i % 2 == 0 ? new[] { 0.1, 0.9 } : [0.8, 0.2])], 2);

    /// <summary>Byte edits, plus one numeric literal swapped for a hostile one (huge sizes, negatives, wrong kinds).</summary>
    private static byte[] Mutate(byte[] seed, uint[] ops, int replace)
    {
        string[] hostile = ["1073741824", "-1", "0", "99999999999999999999", "\"x\"", "null", "[]", "{}", "65536", "2147483647"];
        var text = System.Text.Encoding.UTF8.GetString(seed);
        var numbers = System.Text.RegularExpressions.Regex.Matches(text, "(?<=: )-?[0-9][0-9.eE+-]*");
        var bytes = new List<byte>(System.Text.Encoding.UTF8.GetBytes(numbers.Count == 0 ? text
            : text.Remove(numbers[(int)(ops[0] % (uint)numbers.Count)].Index, numbers[(int)(ops[0] % (uint)numbers.Count)].Length)
                .Insert(numbers[(int)(ops[0] % (uint)numbers.Count)].Index, hostile[replace])));
        foreach (uint op in ops.Skip(1))
        {
            int at = (int)((op >> 3) % (uint)(bytes.Count + 1));
            switch (op % 4)
            {
                case 0 when at < bytes.Count:
                    bytes[at] ^= (byte)(((op >> 12) & 0xFF) | 1);
                    break;
                case 1:
                    bytes.InsertRange(at, "\"{[,:\0\xFF"u8.ToArray().Skip((int)(op >> 20) % 7).Take(1));
                    break;
                case 2 when at < bytes.Count:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + (int)((op >> 12) % 32)));
                    break;
                default:
                    break;
            }
        }

        return [.. bytes];
    }
}
