using System.Text.Json;
using Skein.Data;
using Skein.Features;
using Skein.IO;
using Skein.LabelModels;

namespace Skein.EndModels;

/// <summary>One epoch (or optimiser iteration) of training, for learning curves.</summary>
/// <param name="Epoch">1-based epoch or iteration.</param>
/// <param name="TrainLoss">Weighted mean soft cross-entropy on the training rows (without the L2 penalty).</param>
/// <param name="ValidationLoss">Mean soft cross-entropy on the validation rows, or null without a validation split.</param>
/// <param name="ValidationAccuracy">Share of validation rows whose predicted class is the label's most probable class.</param>
public sealed record EpochRecord(int Epoch, double TrainLoss, double? ValidationLoss, double? ValidationAccuracy);

/// <summary>A validation set given explicitly (instead of a fraction of the training rows).</summary>
/// <param name="Features">Validation features, with the training features' column count.</param>
/// <param name="Labels">Validation labels (soft or one-hot), one row per feature row.</param>
public sealed record ValidationSet(FeatureMatrix Features, ProbabilisticLabels Labels);

/// <summary>Trains an <see cref="EndModel"/> on features and (soft) labels.</summary>
public interface IEndModelTrainer
{
    /// <summary>Fits a new model.</summary>
    /// <param name="features">n×d features.</param>
    /// <param name="labels">n×k soft labels (e.g. a label model's <c>PredictProba</c>).</param>
    /// <param name="weights">Optional per-row weights (finite, ≥ 0, not all 0).</param>
    /// <param name="validation">Optional explicit validation set for early stopping.</param>
    EndModel Fit(FeatureMatrix features, ProbabilisticLabels labels, IReadOnlyList<double>? weights = null, ValidationSet? validation = null);
}

/// <summary>
/// A fitted end model: features → class probabilities. Immutable and thread-safe; obtained from an
/// <see cref="IEndModelTrainer"/> or from <see cref="Load"/>.
/// </summary>
public abstract class EndModel
{
    /// <summary>The value of the "format" field of a saved end model.</summary>
    public const string FormatName = "skein.end-model";

    /// <summary>The version of the saved-model format this build writes and reads.</summary>
    public const int FormatVersion = 1;

    private readonly EpochRecord[] _history;

    private protected EndModel(int featureCount, int cardinality, int seed, EpochRecord[] history)
    {
        FeatureCount = featureCount;
        Cardinality = cardinality;
        Seed = seed;
        _history = history;
    }

    /// <summary>Number of input features, d.</summary>
    public int FeatureCount { get; }

    /// <summary>Number of classes, k.</summary>
    public int Cardinality { get; }

    /// <summary>The seed the fit used (the one given, or the one picked when the options' seed was null).</summary>
    public int Seed { get; }

    /// <summary>Per-epoch (per-iteration) training history.</summary>
    public IReadOnlyList<EpochRecord> History => _history;

    /// <summary>The stable name that identifies the model type in saved JSON.</summary>
    public abstract string ModelName { get; }

    /// <summary>Class probabilities of every row: n×k, rows sum to 1.</summary>
    /// <exception cref="ArgumentException">The matrix has a different column count than the model.</exception>
    public ProbabilisticLabels PredictProba(FeatureMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.ColumnCount != FeatureCount)
        {
            throw new ArgumentException(
                $"The model was fitted on {FeatureCount} features; the matrix has {features.ColumnCount}.", nameof(features));
        }

        int n = features.RowCount, k = Cardinality;
        var logits = new float[checked(n * k)];
        if (n > 0)
        {
            Logits(features, FeatureMatrix.AllRows(n), n, logits, new ParallelOptions());
        }

        var output = new double[logits.Length];
        for (int i = 0; i < n; i++)
        {
            Losses.Softmax(logits.AsSpan(i * k, k), output.AsSpan(i * k, k));
        }

        return ProbabilisticLabels.Wrap(output, k);
    }

    /// <summary>The most probable class of every row; ties go to the lowest class.</summary>
    public int[] Predict(FeatureMatrix features) => PredictProba(features).ArgMax();

    /// <summary>Writes the model as versioned JSON; floats and doubles are written shortest-round-trip, so a load is exact.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = ModelJson.WriteHeader(stream, FormatName, FormatVersion);
        writer.WriteString("model", ModelName);
        writer.WriteNumber("featureCount", FeatureCount);
        writer.WriteNumber("cardinality", Cardinality);
        writer.WriteNumber("seed", Seed);
        writer.WriteStartArray("history");
        foreach (var e in _history)
        {
            writer.WriteStartObject();
            writer.WriteNumber("epoch", e.Epoch);
            writer.WriteNumber("trainLoss", e.TrainLoss);
            WriteNullable(writer, "validationLoss", e.ValidationLoss);
            WriteNullable(writer, "validationAccuracy", e.ValidationAccuracy);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartObject("parameters");
        WriteParameters(writer);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Reads a model written by <see cref="Save"/>; the concrete type comes from its "model" field.</summary>
    /// <exception cref="DataFormatException">The JSON is malformed, of another format or version, or inconsistent.</exception>
    public static EndModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ModelJson.Read(() => LoadCore(stream));
    }

    private static EndModel LoadCore(Stream stream)
    {
        using var document = ModelJson.ParseHeader(stream, FormatName, FormatVersion);
        var root = document.RootElement;
        int d = ModelJson.GetInt(root, "featureCount");
        int k = ModelJson.GetInt(root, "cardinality");
        int seed = ModelJson.GetInt(root, "seed");
        if (d < 1 || k < 2)
        {
            throw new DataFormatException($"Invalid shape featureCount={d}, cardinality={k}.", column: "cardinality");
        }

        _ = ModelJson.Size("featureCount", d, k);

        var historyJson = ModelJson.GetProperty(root, "history");
        if (historyJson.ValueKind != JsonValueKind.Array)
        {
            throw new DataFormatException("Field 'history' must be an array.", column: "history");
        }

        var history = historyJson.EnumerateArray().Select(e => new EpochRecord(
            ModelJson.GetInt(e, "epoch"),
            ReadNullable(e, "trainLoss") ?? throw new DataFormatException("'trainLoss' must be a number.", column: "trainLoss"),
            ReadNullable(e, "validationLoss"),
            ReadNullable(e, "validationAccuracy"))).ToArray();
        var parameters = ModelJson.GetProperty(root, "parameters");
        var name = ModelJson.GetString(root, "model");
        return name switch
        {
            SoftmaxRegressionModel.Name => SoftmaxRegressionModel.ReadParameters(parameters, d, k, seed, history),
            MlpModel.Name => MlpModel.ReadParameters(parameters, d, k, seed, history),
            _ => throw new DataFormatException($"Unknown end model '{name}'.", column: "model"),
        };
    }

    /// <summary>Fills logits[r·k + c] for the first <paramref name="count"/> of <paramref name="rows"/>.</summary>
    internal abstract void Logits(FeatureMatrix features, int[] rows, int count, float[] logits, ParallelOptions parallel);

    /// <summary>Writes the model-specific fields inside the "parameters" object.</summary>
    private protected abstract void WriteParameters(Utf8JsonWriter writer);

    internal static void WriteFloats(Utf8JsonWriter writer, string name, ReadOnlySpan<float> values)
    {
        writer.WriteStartArray(name);
        foreach (var v in values)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
    }

    internal static float[] ReadFloats(JsonElement obj, string name, int length)
    {
        var value = ModelJson.GetProperty(obj, name);
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != length)
        {
            throw new DataFormatException($"Field '{name}' must be an array of {length} numbers.", column: name);
        }

        var result = new float[length];
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetSingle(out float f) || !float.IsFinite(f))
            {
                throw new DataFormatException($"Entry {i} of '{name}' must be a finite number.", column: name);
            }

            result[i++] = f;
        }

        return result;
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static double? ReadNullable(JsonElement obj, string name)
    {
        var value = ModelJson.GetProperty(obj, name);
        return value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.Number when value.TryGetDouble(out double d) => d,
            _ => throw new DataFormatException($"History field '{name}' must be a number or null.", column: name),
        };
    }
}
