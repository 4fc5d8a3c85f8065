using System.Text.Json.Nodes;
using CsCheck;
using Skein.EndModels;
using Skein.Features;
using Skein.IO;
using Skein.LabelModels;
using Skein.Labeling.Rules;

namespace Skein.Tests.Fuzzing;

/// <summary>
/// Every reader, fed random bytes, random structural tokens and mutations of a valid file: a parse or the typed data
/// error, never another exception, never a hang (<see cref="Fuzz"/>).
/// </summary>
public sealed class ReaderFuzzTests
{
    public static TheoryData<string> Readers => new(FileReaders.Keys);

    public static TheoryData<string> Models => new(ModelLoaders.Keys);

    /// <summary>Reader name → (file name, seed, read). Each read consumes the whole file.</summary>
    private static readonly Dictionary<string, (string File, Func<byte[]> Seed, Action<string> Read, Type? Allowed)> FileReaders = new()
    {
        ["csv"] = ("data.csv", () => FuzzSeeds.Csv, ReadTable, null),
        ["tsv"] = ("data.tsv", () => FuzzSeeds.Tsv, ReadTable, null),
        ["jsonl"] = ("data.jsonl", () => FuzzSeeds.Jsonl, ReadTable, null),
        ["votes"] = ("votes.csv", () => FuzzSeeds.Votes, p => VotesCsv.Read(p), null),
        ["votes-k3"] = ("votes.csv", () => FuzzSeeds.Votes, p => VotesCsv.Read(p, 3), null),
        ["votes-source"] = ("votes.csv", () => FuzzSeeds.Votes, p => new VotesCsvSource(p, 3, chunkRows: 2).ReadChunks().Count(), null),
        ["probabilities"] = ("probs.csv", () => FuzzSeeds.Probabilities, p => ProbabilitiesCsv.Read(p), null),
        ["gold"] = ("gold.txt", () => FuzzSeeds.Gold, p => GoldLabels.Read(p), null),
        ["wrench"] = ("train.json", () => FuzzSeeds.Wrench, p => WrenchDataset.Load(p), null),
        ["rules"] = ("spam.rules.json", () => FuzzSeeds.Rules, p => RuleSet.Load(p), typeof(RuleSetException)),
        ["parquet"] = ("votes.parquet", () => FuzzSeeds.Parquet, p => LabelMatrixParquet.Read(p), null),
    };

    /// <summary>Model name → (seed JSON, load).</summary>
    private static readonly Dictionary<string, (Func<byte[]> Seed, Action<Stream> Load)> ModelLoaders = BuildModelLoaders();

    [Theory]
    [MemberData(nameof(Readers))]
    public void RandomBytes(string reader)
    {
        var (file, _, read, allowed) = FileReaders[reader];
        Fuzz.RandomBytes.Sample(bytes => Fuzz.File(bytes, file, read, allowed), iter: Fuzz.Iterations / 3);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void TokenSoup(string reader)
    {
        var (file, _, read, allowed) = FileReaders[reader];
        Fuzz.TokenSoup.Sample(bytes => Fuzz.File(bytes, file, read, allowed), iter: Fuzz.Iterations / 3);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void MutatedValidFile(string reader)
    {
        var (file, seed, read, allowed) = FileReaders[reader];
        var valid = seed();
        Fuzz.File(valid, file, read, allowed);
        Fuzz.Mutations(valid).Sample(bytes => Fuzz.File(bytes, file, read, allowed), iter: Fuzz.Iterations);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Model_MutatedBytes(string model)
    {
        var (seed, load) = ModelLoaders[model];
        var valid = seed();
        load(new MemoryStream(valid));
        Fuzz.Mutations(valid).Sample(bytes => Fuzz.Stream(bytes, load), iter: Fuzz.Iterations / 2);
        Fuzz.RandomBytes.Sample(bytes => Fuzz.Stream(bytes, load), iter: Fuzz.Iterations / 6);
    }

    /// <summary>JSON-aware mutations: one value of a valid model replaced by a hostile one (huge sizes, wrong kinds).</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void Model_HostileValues(string model)
    {
        var (seed, load) = ModelLoaders[model];
        var valid = seed();
        int nodes = Flatten(JsonNode.Parse(valid)!).Count;
        Gen.Select(Gen.Int[1, nodes - 1], Gen.Int[0, HostileValues.Length - 1], Gen.Int[0, nodes - 1], Gen.Int[0, HostileValues.Length - 1])
            .Sample((at, value, at2, value2) =>
            {
                var root = JsonNode.Parse(valid)!;
                Replace(root, at, value);
                Replace(root, at2, value2);
                Fuzz.Stream(System.Text.Encoding.UTF8.GetBytes(root.ToJsonString()), load);
            }, iter: Fuzz.Iterations / 2);
    }

    private static readonly string[] HostileValues =
    [
        "0", "-1", "1", "2", "3", "65536", "2147483647", "-2147483648", "4294967296", "1e30", "1.5", "-0.0", "\"x\"", "null",
        "true", "[]", "{}", "[1,2]", "[[]]", "[0,0,0,0,0,0,0,0]", "\"Triplet\"", "\"MajorityVote\"", "\"Mlp\"",
    ];

    private static void Replace(JsonNode root, int index, int value)
    {
        var nodes = Flatten(root);
        var target = nodes[Math.Min(index, nodes.Count - 1)];
        if (target is null || target.Parent is null)
        {
            return;
        }

        target.ReplaceWith(JsonNode.Parse(HostileValues[value]));
    }

    private static List<JsonNode?> Flatten(JsonNode root)
    {
        var result = new List<JsonNode?>();
        void Walk(JsonNode? node)
        {
            result.Add(node);
            switch (node)
            {
                case JsonObject o:
                    foreach (var p in o.ToList())
                    {
                        Walk(p.Value);
                    }

                    break;
                case JsonArray a:
                    foreach (var item in a.ToList())
                    {
                        Walk(item);
                    }

                    break;
            }
        }

        Walk(root);
        return result;
    }

    /// <summary>A model that loads must also predict: the crafted MLP of the hostile pass loaded, then allocated 4 GB.</summary>
    private static void UseEndModel(EndModel model) =>
        model.PredictProba(DenseMatrix.FromRowMajor(new float[2 * model.FeatureCount], model.FeatureCount));

    private static void UseLabelModel(LabelModel model)
    {
        var votes = new sbyte[3 * model.LfCount];
        for (int i = 0; i < votes.Length; i++)
        {
            votes[i] = (sbyte)((i % (model.Cardinality + 1)) - 1);
        }

        model.PredictProba(Skein.Data.LabelMatrix.FromRowMajor(votes, Skein.Data.LabelMatrix.DefaultNames(model.LfCount), model.Cardinality));
    }

    private static void ReadTable(string path)
    {
        using var reader = TabularReader.Open(path);
        foreach (var record in reader.ReadRecords())
        {
            _ = record[0];
        }
    }

    private static Dictionary<string, (Func<byte[]>, Action<Stream>)> BuildModelLoaders()
    {
        var loaders = new Dictionary<string, (Func<byte[]>, Action<Stream>)>
        {
            ["end-softmax"] = (() => FuzzSeeds.Bytes(FuzzSeeds.SoftmaxModel.Save), s => UseEndModel(EndModel.Load(s))),
            ["end-mlp"] = (() => FuzzSeeds.Bytes(FuzzSeeds.MlpModel.Save), s => UseEndModel(EndModel.Load(s))),
            ["ngrams"] = (() => FuzzSeeds.Bytes(FuzzSeeds.NGramModel.Save), s => HashedNGramModel.Load(s).Transform(["free money now", "x"])),
            ["standardizer"] = (() => FuzzSeeds.Bytes(FuzzSeeds.StandardizerModel.Save), s =>
            {
                var model = StandardizerModel.Load(s);
                model.Transform([new double[model.ColumnCount]]);
            }),
        };
        foreach (var name in new[] { "mv-wrench", "wmv-balance", "ds", "dp", "triplet", "metal" })
        {
            loaders["label-" + name] = (() => FuzzSeeds.Bytes(FuzzSeeds.LabelModels[name].Save), s => UseLabelModel(LabelModel.Load(s)));
        }

        return loaders;
    }
}
