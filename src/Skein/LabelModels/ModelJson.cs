using System.Text.Json;
using Skein.IO;

namespace Skein.LabelModels;

/// <summary>
/// Small typed readers for saved-model JSON that fail with the field's name. Model files are untrusted input: every
/// size read from one is checked (<see cref="Size"/>) against <see cref="MaxElements"/> with overflow-free arithmetic
/// before anything is allocated, and arrays are checked against their declared length before they are copied.
/// </summary>
internal static class ModelJson
{
    /// <summary>The most numbers one array of a saved model may hold: 2^28 (1 GiB of floats), far above real models.</summary>
    public const int MaxElements = 1 << 28;

    /// <summary>
    /// The element count of an array shaped by <paramref name="factors"/> (sizes read from the file), failing with a
    /// <see cref="DataFormatException"/> if a factor is negative or the product passes <see cref="MaxElements"/>:
    /// a crafted file must not wrap the product to a small number or request a huge allocation.
    /// </summary>
    public static int Size(string field, params ReadOnlySpan<int> factors)
    {
        long product = 1;
        foreach (int factor in factors)
        {
            // The running product stays ≤ 2^28, so one more factor (< 2^31) cannot overflow a long.
            product = factor < 0 ? -1 : product * factor;
            if (product < 0 || product > MaxElements)
            {
                var shape = string.Join(" × ", factors.ToArray());
                throw new DataFormatException(
                    $"Field '{field}' has shape {shape}, which is negative or more than {MaxElements:N0} numbers (the limit for a saved model).",
                    column: field);
            }
        }

        return (int)product;
    }

    /// <summary>
    /// Runs a model reader, turning what a malformed but parseable file can still raise (a JSON value of the wrong
    /// kind, a constructor's argument check) into <see cref="DataFormatException"/>.
    /// </summary>
    public static T Read<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException e) when (e.Source == "System.Text.Json")
        {
            throw new DataFormatException($"A field has the wrong JSON type: {e.Message}", inner: e);
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException($"Inconsistent model: {e.Message}", inner: e);
        }
    }

    public static JsonElement GetProperty(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            throw new DataFormatException($"Expected an object holding '{name}' but found {obj.ValueKind.ToString().ToLowerInvariant()}.", column: name);
        }

        return obj.TryGetProperty(name, out var value)
            ? value
            : throw new DataFormatException($"Missing field '{name}'.", column: name);
    }

    public static string GetString(JsonElement obj, string name)
    {
        var value = GetProperty(obj, name);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new DataFormatException($"Field '{name}' must be a string.", column: name);
    }

    public static int GetInt(JsonElement obj, string name)
    {
        var value = GetProperty(obj, name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int result)
            ? result
            : throw new DataFormatException($"Field '{name}' must be an integer.", column: name);
    }

    public static bool GetBool(JsonElement obj, string name)
    {
        var value = GetProperty(obj, name);
        return value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw new DataFormatException($"Field '{name}' must be true or false.", column: name);
    }

    /// <summary>A number array of exactly <paramref name="length"/> finite entries in [min, max].</summary>
    public static double[] GetDoubles(JsonElement obj, string name, int length, double min = 0, double max = double.MaxValue)
    {
        var value = GetProperty(obj, name);
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != length)
        {
            throw new DataFormatException($"Field '{name}' must be an array of {length} numbers.", column: name);
        }

        var result = new double[length];
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out double d) || !(d >= min && d <= max))
            {
                throw new DataFormatException($"Entry {i} of '{name}' must be a number in [{min}, {max}].", column: name);
            }

            result[i++] = d;
        }

        return result;
    }

    public static void WriteDoubles(Utf8JsonWriter writer, string name, ReadOnlySpan<double> values)
    {
        writer.WriteStartArray(name);
        foreach (var v in values)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
    }

    public static T GetEnum<T>(JsonElement obj, string name)
        where T : struct, Enum
    {
        var text = GetString(obj, name);
        return Enum.TryParse<T>(text, ignoreCase: false, out var result) && Enum.IsDefined(result)
            ? result
            : throw new DataFormatException($"Field '{name}' has unknown value '{text}'.", column: name);
    }

    /// <summary>
    /// Starts an indented JSON object with the "format" and "version" header that <see cref="ParseHeader"/> checks;
    /// the caller writes the rest and ends the object.
    /// </summary>
    public static Utf8JsonWriter WriteHeader(Stream stream, string formatName, int formatVersion)
    {
        var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("format", formatName);
        writer.WriteNumber("version", formatVersion);
        return writer;
    }

    /// <summary>Parses a saved JSON object and checks its "format" and "version" header.</summary>
    public static JsonDocument ParseHeader(Stream stream, string formatName, int formatVersion)
    {
        JsonDocument document;
        try
        {
            document = TextInput.ParseJson(stream, null);
        }
        catch (JsonException e)
        {
            throw new DataFormatException($"Not a JSON '{formatName}' file: {e.Message}", inner: e);
        }

        try
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new DataFormatException($"A saved '{formatName}' must be a JSON object.");
            }

            var format = ModelJson.GetString(root, "format");
            if (format != formatName)
            {
                throw new DataFormatException($"Expected format '{formatName}', found '{format}'.", column: "format");
            }

            int version = ModelJson.GetInt(root, "version");
            if (version != formatVersion)
            {
                throw new DataFormatException(
                    $"'{formatName}' version {version} is not supported (this build reads {formatVersion}).", column: "version");
            }

            return document;
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }
}
