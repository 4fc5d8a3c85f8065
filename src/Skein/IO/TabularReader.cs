using System.Text;
using System.Text.Json;
using Skein.Data;

namespace Skein.IO;

/// <summary>
/// Streams the rows of a CSV (.csv), TSV (.tsv) or JSON Lines (.jsonl, .ndjson) file as <see cref="DataRecord"/>s.
/// Files are decoded by the shared policy (a byte-order mark names UTF-8/16/32, otherwise strict UTF-8, or a declared
/// encoding), CSV/TSV fields are split by the <see cref="SeparatedValues"/> policy, and files are never loaded whole,
/// so inputs larger than memory work. Every problem is reported as a <see cref="DataFormatException"/> naming the
/// file and, where known, the row and column.
/// </summary>
/// <remarks>
/// <see cref="Open"/> reads only the header (or the first JSON object) and keeps no file open; each enumeration
/// of <see cref="ReadRecords"/> opens the file afresh, so it can be enumerated more than once.
/// </remarks>
public sealed class TabularReader : IDisposable
{
    private readonly Format _format;
    private readonly Encoding? _encoding;
    private bool _disposed;

    private TabularReader(string path, Format format, DataColumns columns, Encoding? encoding)
    {
        Path = path;
        _format = format;
        Columns = columns;
        _encoding = encoding;
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
    /// <param name="encoding">The file's encoding; null (the default) = detect from a byte-order mark, else UTF-8.</param>
    /// <exception cref="DataFormatException">Missing or empty file, an extension that is not one of the supported ones,
    /// a bad header (e.g. a name given twice), or undecodable bytes.</exception>
    public static TabularReader Open(string path, Encoding? encoding = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var format = System.IO.Path.GetExtension(path).ToUpperInvariant() switch
        {
            ".CSV" => Format.Csv,
            ".TSV" => Format.Tsv,
            ".JSONL" or ".NDJSON" => Format.JsonLines,
            // A data error, not an argument error: the file the user named is what is wrong.
            _ => throw new DataFormatException("cannot tell the format from the extension: expected a .csv, .tsv, .jsonl or .ndjson file.", path),
        };

        var columns = format == Format.JsonLines ? ReadJsonColumns(path, encoding) : ReadSeparatedHeader(path, format, encoding);
        return new TabularReader(path, format, columns, encoding);
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

    private static SeparatedValuesParser OpenSeparated(string path, Format format, Encoding? encoding) =>
        SeparatedValuesParser.Open(path, format == Format.Tsv ? '\t' : ',', encoding);

    private static DataColumns ReadSeparatedHeader(string path, Format format, Encoding? encoding)
    {
        using var parser = OpenSeparated(path, format, encoding);
        var fields = new List<string>();
        if (!parser.ReadRow(fields, null) || parser.IsBlank)
        {
            throw new DataFormatException("the file is empty; a header row is required.", path);
        }

        return HeaderColumns(path, fields);
    }

    /// <summary>Header names must be unique: a second column of the same name would otherwise be silently ignored.</summary>
    internal static DataColumns HeaderColumns(string path, IReadOnlyList<string> names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            if (!seen.Add(names[i]))
            {
                throw new DataFormatException(
                    $"the header names column '{TextInput.Excerpt(names[i])}' twice (columns {names.ToList().IndexOf(names[i]) + 1} and {i + 1}).",
                    path, column: names[i]);
            }
        }

        return new DataColumns(names.ToArray());
    }

    private IEnumerable<DataRecord> ReadSeparatedRecords(CancellationToken cancellationToken)
    {
        using var parser = OpenSeparated(Path, _format, _encoding);
        parser.ColumnNames = Columns;
        var fields = new List<string>();
        if (!parser.ReadRow(fields, null) || fields.Count != Columns.Count)
        {
            throw new DataFormatException("the header changed since the file was opened.", Path);
        }

        int count = Columns.Count;
        long row = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            row++;
            if (!parser.ReadRow(fields, row))
            {
                yield break;
            }

            if (fields.Count != count)
            {
                // A blank line (e.g. a trailing one left by an editor) is not data; only a one-column file
                // can hold an empty value on a line of its own.
                if (parser.IsBlank)
                {
                    continue;
                }

                throw new DataFormatException(
                    $"the row has {fields.Count} fields but the header has {count} (the row starts at line {parser.RowLine}).", Path, row);
            }

            yield return new DataRecord(Columns, [.. fields], row);
        }
    }

    private static DataColumns ReadJsonColumns(string path, Encoding? encoding)
    {
        {
            using var text = SeparatedValuesParser.OpenLines(path, encoding);
            long line = 0;
            while (text.ReadLine(line + 1) is { } json)
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

        throw new DataFormatException("the file is empty; expected one JSON object per line.", path);
    }

    private IEnumerable<DataRecord> ReadJsonRecords(CancellationToken cancellationToken)
    {
        // Lines are read with the row limit (SeparatedValues.MaxRowLength), not an unbounded ReadLine.
        using var text = SeparatedValuesParser.OpenLines(Path, _encoding);
        long line = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? json = text.ReadLine(line + 1);

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
