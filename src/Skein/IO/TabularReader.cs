using System.Text;
using System.Text.Json;
using nietras.SeparatedValues;
using Skein.Data;

namespace Skein.IO;

/// <summary>
/// Streams the rows of a CSV (.csv), TSV (.tsv) or JSON Lines (.jsonl, .ndjson) file as <see cref="DataRecord"/>s.
/// Files are read strictly as UTF-8 and never loaded whole, so inputs larger than memory work. Every problem is
/// reported as a <see cref="DataFormatException"/> naming the file and, where known, the row and column.
/// </summary>
/// <remarks>
/// <see cref="Open"/> reads only the header (or the first JSON object) and keeps no file open; each enumeration
/// of <see cref="ReadRecords"/> opens the file afresh, so it can be enumerated more than once.
/// </remarks>
public sealed class TabularReader : IDisposable
{
    private readonly Format _format;
    private bool _disposed;

    private TabularReader(string path, Format format, DataColumns columns)
    {
        Path = path;
        _format = format;
        Columns = columns;
    }

    private enum Format
    {
        Csv,
        Tsv,
        JsonLines,
    }

    /// <summary>The file being read.</summary>
    public string Path { get; }

    /// <summary>The column names: the CSV/TSV header, or the keys of the first JSONL object.</summary>
    public DataColumns Columns { get; }

    /// <summary>Opens a file, choosing the format from its extension, and reads its columns.</summary>
    /// <param name="path">A .csv, .tsv, .jsonl or .ndjson file.</param>
    /// <exception cref="DataFormatException">Missing or empty file, bad header, or undecodable bytes.</exception>
    /// <exception cref="ArgumentException">The extension is not one of the supported ones.</exception>
    public static TabularReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var format = System.IO.Path.GetExtension(path).ToUpperInvariant() switch
        {
            ".CSV" => Format.Csv,
            ".TSV" => Format.Tsv,
            ".JSONL" or ".NDJSON" => Format.JsonLines,
            _ => throw new ArgumentException(
                $"Cannot tell the format of '{path}': expected a .csv, .tsv, .jsonl or .ndjson file.", nameof(path)),
        };

        var columns = format == Format.JsonLines ? ReadJsonColumns(path) : ReadSeparatedHeader(path, format);
        return new TabularReader(path, format, columns);
    }

    /// <summary>
    /// The data rows in file order, each with its 1-based row number (header excluded; for JSONL the line number).
    /// Lazy and streaming: the file is read as the sequence is enumerated.
    /// </summary>
    /// <param name="cancellationToken">Checked between rows.</param>
    /// <exception cref="DataFormatException">A malformed row (raised during enumeration).</exception>
    public IEnumerable<DataRecord> ReadRecords(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _format == Format.JsonLines ? ReadJsonRecords(cancellationToken) : ReadSeparatedRecords(cancellationToken);
    }

    /// <summary>Checks that a column exists, so a typo fails before any row is processed.</summary>
    /// <param name="name">The column the caller needs.</param>
    /// <exception cref="DataFormatException">No such column; the message lists the available ones.</exception>
    public void RequireColumn(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Columns.Contains(name))
        {
            throw new DataFormatException(
                $"missing required column '{name}'; the columns are: {string.Join(", ", Columns.Select(c => $"'{c}'"))}.",
                Path, column: name);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _disposed = true;

    private static SepReader OpenSeparated(string path, Format format)
    {
        // The header is read as an ordinary row so that duplicate names are reported by us, with the file name,
        // and the field count is checked by us so the error names the row.
        var text = TextInput.OpenText(path);
        try
        {
            return Sep.New(format == Format.Tsv ? '\t' : ',')
                .Reader(o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true })
                .From(text);
        }
        catch
        {
            text.Dispose();
            throw;
        }
    }

    private static DataColumns ReadSeparatedHeader(string path, Format format)
    {
        try
        {
            using var reader = OpenSeparated(path, format);
            if (!reader.MoveNext() || reader.Current.Span.IsEmpty)
            {
                throw new DataFormatException("the file is empty; a header row is required.", path);
            }

            var row = reader.Current;
            var names = new string[row.ColCount];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < names.Length; i++)
            {
                names[i] = row[i].ToString();
                if (!seen.Add(names[i]))
                {
                    throw new DataFormatException($"the header names column '{names[i]}' twice.", path, column: names[i]);
                }
            }

            return new DataColumns(names);
        }
        catch (DecoderFallbackException e)
        {
            throw TextInput.InvalidUtf8(path, e, rowIsLine: false);
        }
    }

    private IEnumerable<DataRecord> ReadSeparatedRecords(CancellationToken cancellationToken)
    {
        SepReader reader;
        try
        {
            reader = OpenSeparated(Path, _format);
        }
        catch (DecoderFallbackException e)
        {
            throw TextInput.InvalidUtf8(Path, e, rowIsLine: false);
        }

        using (reader)
        {
            // Skip the header; it was read (and checked) by Open.
            SkipHeader(reader);
            int count = Columns.Count;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                DataRecord? record;
                try
                {
                    if (!reader.MoveNext())
                    {
                        yield break;
                    }

                    record = ToRecord(reader.Current, count);
                }
                catch (DecoderFallbackException e)
                {
                    throw TextInput.InvalidUtf8(Path, e, rowIsLine: false);
                }

                if (record is not null)
                {
                    yield return record;
                }
            }
        }
    }

    private void SkipHeader(SepReader reader)
    {
        try
        {
            if (!reader.MoveNext() || reader.Current.ColCount != Columns.Count)
            {
                throw new DataFormatException("the header changed since the file was opened.", Path);
            }
        }
        catch (DecoderFallbackException e)
        {
            throw TextInput.InvalidUtf8(Path, e, rowIsLine: false);
        }
    }

    private DataRecord? ToRecord(SepReader.Row row, int count)
    {
        // RowIndex 0 is the header, so the index is already the 1-based data row.
        long rowNumber = row.RowIndex;
        if (row.ColCount != count)
        {
            // A blank line (e.g. a trailing one left by an editor) is not data; only a one-column file
            // can hold an empty value on a line of its own.
            if (row.Span.IsEmpty)
            {
                return null;
            }

            throw new DataFormatException(
                $"the row has {row.ColCount} fields but the header has {count}.", Path, rowNumber);
        }

        var values = new string?[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = row[i].ToString();
        }

        return new DataRecord(Columns, values, rowNumber);
    }

    private static DataColumns ReadJsonColumns(string path)
    {
        try
        {
            using var text = TextInput.OpenText(path);
            long line = 0;
            while (text.ReadLine() is { } json)
            {
                line++;
                if (string.IsNullOrWhiteSpace(json))
                {
                    continue;
                }

                using var document = ParseJsonLine(path, json, line);
                var names = new List<string>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (!seen.Add(property.Name))
                    {
                        throw new DataFormatException($"key '{property.Name}' appears twice.", path, line, property.Name);
                    }

                    names.Add(property.Name);
                }

                return new DataColumns(names);
            }
        }
        catch (DecoderFallbackException e)
        {
            throw TextInput.InvalidUtf8(path, e, rowIsLine: true);
        }

        throw new DataFormatException("the file is empty; expected one JSON object per line.", path);
    }

    private IEnumerable<DataRecord> ReadJsonRecords(CancellationToken cancellationToken)
    {
        using var text = TextInput.OpenText(Path);
        long line = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? json;
            try
            {
                json = text.ReadLine();
            }
            catch (DecoderFallbackException e)
            {
                throw TextInput.InvalidUtf8(Path, e, rowIsLine: true);
            }

            if (json is null)
            {
                yield break;
            }

            line++;
            if (!string.IsNullOrWhiteSpace(json))
            {
                yield return ToRecord(json, line);
            }
        }
    }

    private DataRecord ToRecord(string json, long line)
    {
        using var document = ParseJsonLine(Path, json, line);
        var values = new string?[Columns.Count];
        var present = new bool[Columns.Count];
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (!Columns.Contains(property.Name))
            {
                throw new DataFormatException(
                    $"key '{property.Name}' is not among the columns set by the first object ({string.Join(", ", Columns)}).",
                    Path, line, property.Name);
            }

            int index = Columns.IndexOf(property.Name);
            if (present[index])
            {
                throw new DataFormatException($"key '{property.Name}' appears twice.", Path, line, property.Name);
            }

            present[index] = true;
            values[index] = CellText(property.Value);
        }

        return new DataRecord(Columns, values, line);
    }

    private static JsonDocument ParseJsonLine(string path, string json, long line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new DataFormatException($"invalid JSON: {e.Message}", path, line, inner: e);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = document.RootElement.ValueKind;
            document.Dispose();
            throw new DataFormatException($"expected a JSON object but found {kind.ToString().ToLowerInvariant()}.", path, line);
        }

        return document;
    }

    /// <summary>Strings as-is, null as null, anything else (numbers, booleans, nested values) as its JSON text.</summary>
    private static string? CellText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null => null,
        _ => value.GetRawText(),
    };
}
