using System.Globalization;
using System.Text.Json;
using Skein.Data;

namespace Skein.IO;

/// <summary>
/// A dataset in the WRENCH benchmark's JSON format: one object keyed by string ids, each value
/// <c>{"label": 1, "weak_labels": [-1, 0, …], "data": {"text": "…"}}</c>, items kept in file order.
/// </summary>
/// <param name="Path">The file it was loaded from.</param>
/// <param name="Ids">The item ids (the object's keys), in file order.</param>
/// <param name="Texts">Each item's <c>data.text</c>, or null where absent.</param>
/// <param name="Gold">Each item's gold <c>label</c> (-1 = unknown).</param>
/// <param name="Matrix">The <c>weak_labels</c> as an n×m label matrix, LFs named "lf_0"….</param>
/// <param name="ClassNames">Class names from <c>label.json</c> next to the file, or null if there is none.</param>
public sealed record WrenchDataset(
    string Path,
    IReadOnlyList<string> Ids,
    IReadOnlyList<string?> Texts,
    IReadOnlyList<int> Gold,
    LabelMatrix Matrix,
    IReadOnlyList<string>? ClassNames)
{
    /// <summary>
    /// Loads a WRENCH split (e.g. <c>train.json</c>). The cardinality is <paramref name="cardinality"/> if given,
    /// else the number of classes in <c>label.json</c> beside the file, else the largest label or vote + 1 (at least 2).
    /// </summary>
    /// <param name="path">The split's JSON file.</param>
    /// <param name="cardinality">The number of classes, if known.</param>
    /// <exception cref="DataFormatException">The file is missing or not of the WRENCH shape; the message names the file,
    /// the item's 1-based position (row) and id, and the field (column).</exception>
    public static WrenchDataset Load(string path, int? cardinality = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (cardinality is { } given)
        {
            LabelMatrix.ValidateCardinality(given);
        }

        var classNames = ReadClassNames(path);
        if (classNames is not null && cardinality is { } k && k != classNames.Length)
        {
            throw new DataFormatException(
                $"label.json names {classNames.Length} classes but cardinality {k} was given.", LabelFilePath(path));
        }

        using var document = ParseJson(path);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new DataFormatException($"expected a JSON object keyed by item id but found {Kind(root)}.", path);
        }

        var ids = new List<string>();
        var seenIds = new Dictionary<string, long>(StringComparer.Ordinal);
        var texts = new List<string?>();
        var gold = new List<int>();
        var votes = new List<sbyte>();
        int m = -1;
        int maxClass = -1;
        int limit = cardinality ?? classNames?.Length ?? LabelMatrix.MaxCardinality;
        long row = 0;
        foreach (var item in root.EnumerateObject())
        {
            row++;
            var where = $"item \"{item.Name}\"";
            if (!seenIds.TryAdd(item.Name, row))
            {
                // JSON allows a repeated key; counting the item twice would skew every statistic.
                throw new DataFormatException($"{where} appears twice (items {seenIds[item.Name]} and {row}); ids must be unique.", path, row);
            }

            var value = item.Value;
            if (value.ValueKind != JsonValueKind.Object)
            {
                throw new DataFormatException($"{where} is {Kind(value)}, not an object.", path, row);
            }

            if (!value.TryGetProperty("label", out var labelElement))
            {
                throw new DataFormatException($"{where} has no \"label\".", path, row, "label");
            }

            int label = ReadClass(labelElement, -1, limit, path, row, "label", $"{where}: label");
            if (!value.TryGetProperty("weak_labels", out var weak) || weak.ValueKind != JsonValueKind.Array)
            {
                throw new DataFormatException($"{where} has no \"weak_labels\" array.", path, row, "weak_labels");
            }

            int count = weak.GetArrayLength();
            if (m < 0)
            {
                m = count;
                if (m == 0)
                {
                    throw new DataFormatException($"{where} has an empty \"weak_labels\" array.", path, row, "weak_labels");
                }
            }
            else if (count != m)
            {
                throw new DataFormatException(
                    $"{where} has {count} weak labels; the first item has {m}.", path, row, "weak_labels");
            }

            int j = 0;
            foreach (var vote in weak.EnumerateArray())
            {
                int v = ReadClass(vote, -1, limit, path, row, "weak_labels", $"{where}: weak label {j} (lf_{j})");
                votes.Add((sbyte)v);
                maxClass = Math.Max(maxClass, v);
                j++;
            }

            maxClass = Math.Max(maxClass, label);
            ids.Add(item.Name);
            gold.Add(label);
            texts.Add(ReadText(value, path, row, where));
        }

        if (row == 0)
        {
            throw new DataFormatException("the dataset has no items.", path);
        }

        int k2 = cardinality ?? classNames?.Length ?? Math.Max(2, maxClass + 1);
        var matrix = LabelMatrix.FromRowMajor([.. votes], LabelMatrix.DefaultNames(m), k2);
        return new WrenchDataset(path, ids, texts, gold, matrix, classNames);
    }

    private static JsonDocument ParseJson(string path)
    {
        using var stream = TextInput.OpenRead(path);
        try
        {
            return TextInput.ParseJson(stream, path);
        }
        catch (JsonException e)
        {
            // JsonException lines are 0-based; this row is the file's line, as no item is known yet.
            long? line = e.LineNumber + 1;
            throw new DataFormatException($"invalid JSON at line {line}: {e.Message}", path, inner: e);
        }
    }

    private static int ReadClass(JsonElement element, int min, int limit, string path, long row, string column, string what)
    {
        if (element.ValueKind == JsonValueKind.Number && !element.TryGetInt32(out _) && element.TryGetDouble(out double big)
            && Math.Floor(big) == big)
        {
            throw new DataFormatException($"{what} is {TextInput.Excerpt(element.GetRawText())}, out of range.", path, row, column);
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out int value))
        {
            throw new DataFormatException($"{what} is {element.GetRawText()}, not an integer.", path, row, column);
        }

        if (value < min || value >= limit)
        {
            var range = limit == LabelMatrix.MaxCardinality ? $"at most {limit - 1}" : $"in [-1, {limit})";
            throw new DataFormatException($"{what} is {value}; it must be {range}.", path, row, column);
        }

        return value;
    }

    private static string? ReadText(JsonElement item, string path, long row, string where)
    {
        if (!item.TryGetProperty("data", out var data) || data.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (data.ValueKind != JsonValueKind.Object)
        {
            throw new DataFormatException($"{where}: \"data\" is {Kind(data)}, not an object.", path, row, "data");
        }

        if (!data.TryGetProperty("text", out var text) || text.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return text.ValueKind == JsonValueKind.String
            ? text.GetString()
            : throw new DataFormatException($"{where}: \"data.text\" is {Kind(text)}, not a string.", path, row, "data.text");
    }

    private static string LabelFilePath(string path) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".", "label.json");

    /// <summary>Reads <c>{"0": "HAM", "1": "SPAM"}</c>; keys must be exactly 0..k-1 (in any order).</summary>
    private static string[]? ReadClassNames(string path)
    {
        var labelPath = LabelFilePath(path);
        if (!File.Exists(labelPath))
        {
            return null;
        }

        using var document = ParseJson(labelPath);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new DataFormatException($"expected an object mapping class index to name but found {Kind(root)}.", labelPath);
        }

        var names = new Dictionary<int, string>();
        foreach (var entry in root.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                || entry.Value.ValueKind != JsonValueKind.String
                || !names.TryAdd(index, entry.Value.GetString()!))
            {
                throw new DataFormatException(
                    $"entry \"{entry.Name}\" must map a unique class index to a name string.", labelPath, column: entry.Name);
            }
        }

        var result = new string[names.Count];
        foreach (var (index, name) in names)
        {
            if (index >= result.Length)
            {
                throw new DataFormatException(
                    $"class indices must be 0..{result.Length - 1}; found {index}.", labelPath, column: index.ToString(CultureInfo.InvariantCulture));
            }

            result[index] = name;
        }

        if (result.Length < 2 || result.Length > LabelMatrix.MaxCardinality)
        {
            throw new DataFormatException($"{result.Length} classes; expected 2 to {LabelMatrix.MaxCardinality}.", labelPath);
        }

        return result;
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
