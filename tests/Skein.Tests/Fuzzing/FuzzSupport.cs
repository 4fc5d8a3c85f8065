using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Skein.Data;
using Skein.EndModels;
using Skein.Features;
using Skein.IO;
using Skein.LabelModels;
using Xunit.Sdk;

namespace Skein.Tests.Fuzzing;

/// <summary>
/// The fuzzing contract: a reader given any bytes returns or throws its typed data error
/// (<see cref="DataFormatException"/>; <see cref="Skein.Labeling.Rules.RuleSetException"/> for rules files),
/// never another exception and never hangs.
/// </summary>
internal static class Fuzz
{
    /// <summary>
    /// Cases per reader and input kind: 300 by default, enough to find the crashes of the hostile-input pass and
    /// bounded for CI; set SKEIN_FUZZ_ITERATIONS for a longer hunt.
    /// </summary>
    public static readonly int Iterations =
        int.TryParse(Environment.GetEnvironmentVariable("SKEIN_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : 300;

    /// <summary>Any single case taking longer than this is a hang (real cases take milliseconds).</summary>
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(20);

    private static readonly byte[][] Tokens =
    [
        "\""u8.ToArray(), ","u8.ToArray(), "\t"u8.ToArray(), "\n"u8.ToArray(), "\r"u8.ToArray(), "\r\n"u8.ToArray(),
        [0], [0xFF], [0xC3], [0xE2, 0x82], [0xEF, 0xBB, 0xBF], [0xFF, 0xFE], [0xFE, 0xFF], "-1"u8.ToArray(), "0"u8.ToArray(),
        "1"u8.ToArray(), "99999999999999999999"u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(),
        ":"u8.ToArray(), "null"u8.ToArray(), "1e308"u8.ToArray(), "NaN"u8.ToArray(), "-"u8.ToArray(), "\\"u8.ToArray(),
        "\"\""u8.ToArray(), "é"u8.ToArray(), " "u8.ToArray(), "a"u8.ToArray(), "text"u8.ToArray(), "0.5"u8.ToArray(),
        "\"label\":"u8.ToArray(), "\"weak_labels\":"u8.ToArray(), "2147483648"u8.ToArray(),
    ];

    /// <summary>Random bytes, uniform.</summary>
    public static Gen<byte[]> RandomBytes { get; } = Gen.Byte.Array[0, 300];

    /// <summary>Random sequences of the structural tokens that readers branch on (quotes, separators, BOMs, brackets).</summary>
    public static Gen<byte[]> TokenSoup { get; } = Gen.Int[0, Tokens.Length - 1].Array[0, 60]
        .Select(picks => picks.SelectMany(i => Tokens[i]).ToArray());

    /// <summary>A valid seed file with 1 to 6 random edits: byte flips, token inserts and replacements, deletions, duplications.</summary>
    public static Gen<byte[]> Mutations(byte[] seed) => Gen.UInt.Array[1, 6].Select(ops => Mutate(seed, ops));

    public static byte[] Mutate(byte[] seed, uint[] ops)
    {
        var bytes = new List<byte>(seed);
        foreach (uint op in ops)
        {
            int at = (int)((op >> 3) % (uint)(bytes.Count + 1));
            var token = Tokens[(op >> 20) % (uint)Tokens.Length];
            switch (op % 5)
            {
                case 0 when at < bytes.Count:
                    bytes[at] ^= (byte)(((op >> 12) & 0xFF) | 1);
                    break;
                case 1:
                    bytes.InsertRange(at, token);
                    break;
                case 2 when at < bytes.Count:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + (int)((op >> 12) % 16)));
                    break;
                case 3 when at < bytes.Count:
                    int length = Math.Min(bytes.Count - at, 1 + (int)((op >> 12) % 64));
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                case 4 when at < bytes.Count:
                    bytes.RemoveAt(at);
                    bytes.InsertRange(at, token);
                    break;
                default:
                    bytes.Add((byte)(op >> 24));
                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>Runs <paramref name="read"/> on a file holding <paramref name="input"/>, enforcing the contract.</summary>
    public static void File(byte[] input, string fileName, Action<string> read, Type? allowed = null)
    {
        var dir = Directory.CreateTempSubdirectory("skein-fuzz-");
        try
        {
            var path = Path.Combine(dir.FullName, fileName);
            System.IO.File.WriteAllBytes(path, input);
            Contract(input, () => read(path), allowed);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Runs <paramref name="load"/> on a stream of <paramref name="input"/>, enforcing the contract.</summary>
    public static void Stream(byte[] input, Action<Stream> load) =>
        Contract(input, () => load(new MemoryStream(input, writable: false)), null);

    private static void Contract(byte[] input, Action run, Type? allowed)
    {
        allowed ??= typeof(DataFormatException);
        Exception? error = null;
        var task = Task.Run(() =>
        {
            try
            {
                run();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        if (!task.Wait(HangLimit))
        {
            throw new XunitException($"the reader did not finish within {HangLimit.TotalSeconds} s on input {Describe(input)}");
        }

        if (error is not null && !allowed.IsInstanceOfType(error))
        {
            throw new XunitException($"{error.GetType().Name} instead of {allowed.Name} on input {Describe(input)}: {error}");
        }
    }

    private static string Describe(byte[] input) =>
        input.Length <= 400 ? Convert.ToBase64String(input) : Convert.ToBase64String(input, 0, 400) + $"… ({input.Length} bytes)";
}

/// <summary>Small valid files and fitted models that the mutation fuzzers start from.</summary>
internal static class FuzzSeeds
{
    public static readonly byte[] Csv = "id,text,label\n1,\"Hello, world\",0\n2,\"she said \"\"hi\"\"\",1\n3,plain,1\n"u8.ToArray();
    public static readonly byte[] Tsv = "id\ttext\tlabel\n1\tfoo bar\t0\n2\t\"a\tb\"\t1\n3\the said \"hi\t1\n"u8.ToArray();
    public static readonly byte[] Jsonl = "{\"id\": 1, \"text\": \"a\"}\n{\"id\": 2, \"text\": null}\n\n{\"id\": 3}\n"u8.ToArray();
    public static readonly byte[] Votes = "0,1,-1\n-1,-1,1\n1,1,0\n2,-1,-1\n"u8.ToArray();
    public static readonly byte[] Probabilities = "p0,p1\n0.25,0.75\n1,0\n0.5,0.5\n"u8.ToArray();
    public static readonly byte[] Gold = "0\n1\n-1\n2\n"u8.ToArray();

    public static readonly byte[] Wrench = Encoding.UTF8.GetBytes("""
        {"0": {"label": 0, "weak_labels": [0, -1, 1], "data": {"text": "free money"}},
         "1": {"label": 1, "weak_labels": [-1, 1, 1], "data": {"text": "hi mum"}},
         "2": {"label": -1, "weak_labels": [0, 0, -1], "data": {}}}
        """);

    public static readonly byte[] Rules = Encoding.UTF8.GetBytes("""
        {"cardinality": 2, "classes": ["HAM", "SPAM"], "textColumn": "text",
         "rules": [{"name": "free", "kind": "keyword", "class": 1, "words": ["free", "win"]},
                   {"name": "link", "kind": "pattern", "class": 1, "pattern": "https?://"}]}
        """);

    public static readonly LabelMatrix Matrix = LabelMatrix.FromRows(
        [[0, 1, -1, 2], [1, 1, 0, -1], [-1, 2, 2, 2], [0, 0, -1, 0], [2, -1, 1, 1], [1, 1, 1, -1], [0, -1, 0, 0], [2, 2, -1, 2]], 3);

    public static byte[] Parquet { get; } = WriteParquet();

    public static IReadOnlyDictionary<string, LabelModel> LabelModels { get; } = Skein.Tests.LabelModels.Fixtures.Trainers
        .ToDictionary(t => t.Key, t => t.Value().Fit(Matrix));

    public static LabelModel DawidSkeneModel => LabelModels["ds"];

    public static EndModel SoftmaxModel { get; } = new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1, MaxIterations = 5 })
        .Fit(SmallFeatures, SmallLabels);

    public static EndModel MlpModel { get; } = new Mlp(new MlpOptions { HiddenSizes = [4], Epochs = 2, BatchSize = 4, Seed = 1 })
        .Fit(SmallFeatures, SmallLabels);

    public static HashedNGramModel NGramModel { get; } = new HashedNGramFeaturizer(new HashedNGramOptions { Dimension = 64 })
        .Fit(["free money now", "hi mum", "win a prize", "see you later"]);

    public static StandardizerModel StandardizerModel { get; } = Standardizer.Fit([[1.0, 2.0], [3.0, -1.0], [0.5, 0.25]]);

    private static DenseMatrix SmallFeatures => DenseMatrix.FromRows([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0], [2.0, 2.0, 0.5], [-1.0, 0.0, 1.0]]);

    private static ProbabilisticLabels SmallLabels => ProbabilisticLabels.FromRowMajor([1, 0, 0, 1, 0.5, 0.5, 0.2, 0.8], 2);

    /// <summary>The JSON a save method writes, as a mutable tree.</summary>
    public static JsonObject Json(Action<Stream> save) => JsonNode.Parse(Bytes(save))!.AsObject();

    public static byte[] Bytes(Action<Stream> save)
    {
        using var buffer = new MemoryStream();
        save(buffer);
        return buffer.ToArray();
    }

    private static byte[] WriteParquet()
    {
        var dir = Directory.CreateTempSubdirectory("skein-fuzz-seed-");
        try
        {
            var path = Path.Combine(dir.FullName, "votes.parquet");
            LabelMatrixParquet.Write(path, Matrix);
            return System.IO.File.ReadAllBytes(path);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
