using System.Globalization;
using System.Text;
using Skein.IO;
using Skein.Training;

namespace Skein.Cli.Commands;

/// <summary>
/// Reads a text column and a label column for <c>skein w2s</c>. Columns are header names or, for headerless files
/// (the original Sentiment140 CSVs), 0-based indices; a CSV/TSV that is not valid UTF-8 is read as Latin-1 with one
/// warning, because the Sentiment140 files are Latin-1. Kept apart from <see cref="TabularReader"/> so the other
/// commands stay strictly UTF-8 and header-based.
/// </summary>
internal static class W2sInput
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static LabeledTexts Read(string path, string textColumn, string labelColumn, CliContext context)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException("file not found.", path);
        }

        var extension = System.IO.Path.GetExtension(path).ToUpperInvariant();
        return extension is ".CSV" or ".TSV"
            ? ReadSeparated(path, extension == ".TSV" ? '\t' : ',', textColumn, labelColumn, context)
            : ReadWithTabularReader(path, textColumn, labelColumn);
    }

    /// <summary>JSON Lines (and anything else <see cref="TabularReader"/> accepts or refuses): named columns, strict UTF-8.</summary>
    private static LabeledTexts ReadWithTabularReader(string path, string textColumn, string labelColumn)
    {
        using var reader = TabularReader.Open(path);
        reader.RequireColumn(textColumn);
        reader.RequireColumn(labelColumn);
        var texts = new List<string>();
        var labels = new List<string>();
        var rows = new List<long>();
        foreach (var record in reader.ReadRecords())
        {
            Add(path, record.Row, record[textColumn], record[labelColumn], textColumn, labelColumn, texts, labels, rows);
        }

        return Finish(path, texts, labels, rows, textColumn, labelColumn);
    }

    private static LabeledTexts ReadSeparated(string path, char separator, string textColumn, string labelColumn, CliContext context)
    {
        var encoding = IsValidUtf8(path) ? StrictUtf8 : Encoding.Latin1;
        if (encoding == Encoding.Latin1)
        {
            // A warning, not progress: shown even with --quiet.
            context.Error.WriteLine($"warning: {path} is not valid UTF-8; reading it as Latin-1 (ISO-8859-1), as the original Sentiment140 files are.");
        }

        // The library's CSV/TSV policy (quotes, limits, unclosed-quote errors); only the Latin-1 fallback is w2s's own.
        using var rowsRead = SeparatedValues.ReadRows(path, separator, encoding == Encoding.Latin1 ? encoding : null).GetEnumerator();
        if (!rowsRead.MoveNext())
        {
            throw new DataFormatException("the file is empty.", path);
        }

        var header = rowsRead.Current.Fields.ToArray();
        var (textIndex, labelIndex, headerless) = Resolve(path, header, textColumn, labelColumn);
        if (!headerless)
        {
            SeparatedValues.RequireUniqueNames(path, header);
        }

        string textName = headerless ? $"#{textIndex}" : textColumn, labelName = headerless ? $"#{labelIndex}" : labelColumn;
        var texts = new List<string>();
        var labels = new List<string>();
        var rows = new List<long>();
        int width = header.Length;
        if (headerless)
        {
            Add(path, 1, header[textIndex], header[labelIndex], textName, labelName, texts, labels, rows);
        }

        while (rowsRead.MoveNext())
        {
            var row = rowsRead.Current;
            long number = headerless ? row.Number : row.Number - 1;
            if (row.Fields.Count != width)
            {
                throw new DataFormatException($"the row has {row.Fields.Count} fields but the first row has {width}.", path, number);
            }

            Add(path, number, row.Fields[textIndex], row.Fields[labelIndex], textName, labelName, texts, labels, rows);
        }

        return Finish(path, texts, labels, rows, textName, labelName);
    }

    /// <summary>
    /// Header names win. An integer that is not a header name means the file has no header row: every integer column
    /// is then a 0-based index and the first row is data.
    /// </summary>
    private static (int Text, int Label, bool Headerless) Resolve(string path, string[] header, string textColumn, string labelColumn)
    {
        static int? AsIndex(string spec) =>
            int.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : null;

        bool headerless = (!header.Contains(textColumn) && AsIndex(textColumn) is not null)
            || (!header.Contains(labelColumn) && AsIndex(labelColumn) is not null);
        for (int i = 0; !headerless && i < header.Length; i++)
        {
            // Taking the first of two same-named columns would silently train on the wrong one (same words as TabularReader).
            int first = Array.IndexOf(header, header[i]);
            if (first < i)
            {
                throw new DataFormatException($"the header names column '{TextExcerpt(header[i])}' twice (columns {first + 1} and {i + 1}).", path, column: header[i]);
            }
        }

        int Find(string spec)
        {
            if (headerless)
            {
                if (AsIndex(spec) is { } index)
                {
                    return index < header.Length
                        ? index
                        : throw new DataFormatException($"column index {index} is out of range: the rows have {header.Length} fields (0 to {header.Length - 1}).",
                            path, column: spec);
                }

                throw new DataFormatException(
                    $"column '{spec}' is a name, but another column was given as a 0-based index that is not a header name, so the file is read " +
                    "as headerless; give both columns as names or both as indices.", path, column: spec);
            }

            int at = Array.IndexOf(header, spec);
            return at >= 0
                ? at
                : throw new DataFormatException(
                    $"missing required column '{spec}'; the columns are: {string.Join(", ", header.Select(c => $"'{TextExcerpt(c)}'"))} " +
                    "(for a file without a header row, give 0-based column indices).", path, column: spec);
        }

        return (Find(textColumn), Find(labelColumn), headerless);
    }

    private static void Add(string path, long row, string? text, string? label, string textColumn, string labelColumn,
        List<string> texts, List<string> labels, List<long> rows)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new DataFormatException("the text is empty; every row needs a text.", path, row, textColumn);
        }

        var trimmed = label?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw new DataFormatException("the label is empty; every row needs a gold label.", path, row, labelColumn);
        }

        texts.Add(text);
        labels.Add(trimmed);
        rows.Add(row);
    }

    private static LabeledTexts Finish(string path, List<string> texts, List<string> labels, List<long> rows, string textColumn, string labelColumn) =>
        texts.Count == 0
            ? throw new DataFormatException("the file has no data rows.", path)
            : new LabeledTexts(path, [.. texts], [.. labels], [.. rows], textColumn, labelColumn);

    private static bool IsValidUtf8(string path)
    {
        try
        {
            using var text = new StreamReader(path, StrictUtf8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            var buffer = new char[1 << 16];
            while (text.Read(buffer, 0, buffer.Length) > 0)
            {
            }

            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static string TextExcerpt(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");
}
