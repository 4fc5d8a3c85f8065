using System.CommandLine;
using System.Globalization;
using Skein.Data;
using Skein.EndModels;
using Skein.Features;
using Skein.IO;
using Skein.Onnx;
using Skein.Selection;

namespace Skein.Cli.Commands;

/// <summary>
/// The text features and end models the CLI offers by name (train, predict, wrench): "tfidf" or "minilm" features,
/// "softmax" or "mlp" models. Names are checked at parse level (exit 2).
/// </summary>
internal static class EndModelFactory
{
    public const string TfIdf = "tfidf";
    public const string MiniLm = "minilm";
    public const string Softmax = EndModelCandidate.SoftmaxName;
    public const string Mlp = EndModelCandidate.MlpName;

    /// <summary>Environment variable naming the embedding cache directory (default: the user's cache folder).</summary>
    public const string CacheVariable = "SKEIN_EMBEDDING_CACHE";

    public static Option<string> Features(bool required)
    {
        var option = new Option<string>("--features")
        {
            Description = "Text features: tfidf (hashed word 1–2 and char 2–4 n-grams, IDF learned on the training texts) or minilm (all-MiniLM-L6-v2 sentence embeddings, cached on disk).",
            Required = required,
        };
        if (!required)
        {
            option.DefaultValueFactory = _ => TfIdf;
        }

        option.AcceptOnlyFromAmong(TfIdf, MiniLm);
        return option;
    }

    public const string FineTune = "finetune";

    public static Option<string> Model(string name, bool required, bool fineTune = false)
    {
        var option = new Option<string>(name)
        {
            Description = "End model: softmax (L2 softmax regression) or mlp (one hidden layer of 256 ReLU units, dropout 0.1, Adam)"
                + (fineTune ? ", or finetune (the MiniLM encoder and a linear head fine-tuned on the weak labels, in managed code)." : "."),
            Required = required,
        };
        option.AcceptOnlyFromAmong(fineTune ? [Softmax, Mlp, FineTune] : [Softmax, Mlp]);
        return option;
    }

    /// <summary>The TF-IDF size that suits the model (a library default, see <see cref="EndModelCandidate.TfIdfDimension"/>).</summary>
    public static HashedNGramOptions TfIdfOptions(string model) => EndModelCandidate.FromName(model).TfIdfOptions;

    /// <summary>The trainer for a model name; <paramref name="validFraction"/> is held out for early stopping.</summary>
    public static IEndModelTrainer Trainer(string model, int? seed, double validFraction) =>
        EndModelCandidate.FromName(model).Trainer(seed, validFraction);

    /// <summary>The library's budget ladder for the model: <c>skein wrench</c> keeps the rung scoring best on valid.</summary>
    public static IReadOnlyList<IEndModelTrainer> BudgetLadder(string model, int seed) =>
        [.. EndModelCandidate.FromName(model).Ladder(seed).Select(b => b.Trainer)];

    /// <summary>Embeds texts with the bundled MiniLM, reusing the on-disk cache.</summary>
    public static DenseMatrix Embed(IReadOnlyList<string> texts, CliContext context, string source, string column)
    {
        var directory = Environment.GetEnvironmentVariable(CacheVariable) is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "skein", "embeddings");
        using var inner = new SentenceEmbedder();
        var embedder = new CachedSentenceEmbedder(inner, directory);
        var vectors = embedder.Encode(texts);
        RequireFinite(vectors, source, column);
        context.Progress($"embedded {texts.Count:N0} texts with MiniLM ({embedder.Hits:N0} from the cache in {directory})");
        return DenseMatrix.FromRowMajor(vectors.SelectMany(v => v).ToArray(), embedder.Dimension);
    }

    /// <summary>
    /// Refuses NaN or infinite embeddings, naming the row of <paramref name="source"/>. Checked on the raw vectors
    /// because the feature matrices refuse such values at construction with a message that cannot name the file.
    /// (TF-IDF values are finite by construction.)
    /// </summary>
    public static void RequireFinite(IReadOnlyList<float[]> vectors, string source, string column)
    {
        for (int i = 0; i < vectors.Count; i++)
        {
            foreach (var v in vectors[i])
            {
                if (!float.IsFinite(v))
                {
                    throw new DataFormatException(
                        $"the text's embedding holds {v.ToString(CultureInfo.InvariantCulture)} (not finite).", source, i + 1, column);
                }
            }
        }
    }

    /// <summary>Reads one non-empty text per row of a CSV/TSV/JSONL file.</summary>
    public static string[] ReadTexts(string path, string column, System.Text.Encoding? encoding)
    {
        using var reader = TabularReader.Open(path, encoding);
        reader.RequireColumn(column);
        var texts = new List<string>();
        foreach (var record in reader.ReadRecords())
        {
            var text = record[column];
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new DataFormatException("the text is empty; every row needs a text to featurise.", path, record.Row, column);
            }

            texts.Add(text);
        }

        if (texts.Count == 0)
        {
            throw new DataFormatException("the file has no data rows.", path);
        }

        return [.. texts];
    }

    /// <summary>Checks that probabilities match the data row for row.</summary>
    public static void RequireRows(ProbabilisticLabels labels, int rows, string labelsPath, string dataPath)
    {
        if (labels.RowCount != rows)
        {
            throw new DataFormatException(
                $"{labels.RowCount:N0} probability rows but {rows:N0} data rows in {dataPath}; they must match row for row.", labelsPath);
        }
    }

    /// <summary>Featurises texts with a fitted bundle's featurizer.</summary>
    public static FeatureMatrix Featurize(TextModelBundle bundle, IReadOnlyList<string> texts, string dataPath, string column, CliContext context)
    {
        return bundle.TfIdf is { } tfidf ? tfidf.Transform(texts) : Embed(texts, context, dataPath, column);
    }
}
