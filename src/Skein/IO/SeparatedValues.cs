using System.Text;

namespace Skein.IO;

/// <summary>
/// The one CSV/TSV reading policy every Skein reader follows (RFC 4180 plus what real files contain):
/// <list type="bullet">
/// <item>A quote opens a quoted field only as the field's first character; anywhere else it is a literal character,
/// so <c>he said "hi</c> is one field and the next line is the next row (as Python's <c>csv</c> reads it).</item>
/// <item>Inside a quoted field <c>""</c> is one quote. In CSV a quoted field may span lines (RFC 4180); text after its
/// closing quote is kept literally up to the next separator (<c>"a"b</c> reads <c>ab</c>). A quoted field still open
/// at the end of the file is an error naming the line and character where it opened.</item>
/// <item>In TSV a row is one line (IANA text/tab-separated-values): a field that starts with a quote is unquoted only
/// when it is a well-formed quoted field that closes on its own line; otherwise its quotes are literal text. Real TSV
/// files (the UCI SMS collection, for one) start messages with an unbalanced quote.</item>
/// <item>Line ends are LF, CRLF or CR. Fields are limited to <see cref="MaxFieldLength"/> characters and rows to
/// <see cref="MaxRowLength"/>; past either limit the reader fails with a <see cref="DataFormatException"/>
/// naming the row and column rather than running out of memory.</item>
/// </list>
/// </summary>
public static class SeparatedValues
{
    /// <summary>The longest field a reader accepts: 64 Mi characters (128 MiB in memory).</summary>
    public const int MaxFieldLength = 64 << 20;

    /// <summary>The longest row a reader accepts, all fields and separators together: 256 Mi characters.</summary>
    public const int MaxRowLength = 256 << 20;

    /// <summary>
    /// Streams the rows of a CSV or TSV file by this policy, without treating any row as a header; blank lines are
    /// skipped. For header-based reading use <see cref="TabularReader"/>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="separator">',' for CSV or '\t' for TSV (TSV rows never span lines).</param>
    /// <param name="encoding">The file's encoding; null = detect from a byte-order mark, else strict UTF-8.</param>
    /// <exception cref="DataFormatException">Missing file, undecodable bytes, an unclosed quote, or a field or row
    /// past the limits (raised during enumeration, naming the file, row and column).</exception>
    public static IEnumerable<SeparatedRow> ReadRows(string path, char separator, Encoding? encoding = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var parser = SeparatedValuesParser.Open(path, separator, encoding);
        var fields = new List<string>();
        long number = 0;
        while (parser.ReadRow(fields, number + 1))
        {
            number++;
            if (!parser.IsBlank)
            {
                yield return new SeparatedRow(number, parser.RowLine, [.. fields]);
            }
        }
    }

    /// <summary>Rejects a header that names a column twice (a reader would otherwise silently use one of them).</summary>
    /// <param name="path">The file, for the message.</param>
    /// <param name="names">The header's names.</param>
    /// <exception cref="DataFormatException">A name appears twice.</exception>
    public static void RequireUniqueNames(string path, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        _ = TabularReader.HeaderColumns(path, names);
    }
}

/// <summary>One row of a CSV/TSV file as read by <see cref="SeparatedValues.ReadRows"/>.</summary>
/// <param name="Number">1-based row number, counting every row (blank ones included) from the first.</param>
/// <param name="Line">1-based line where the row starts (rows can span lines in CSV).</param>
/// <param name="Fields">The row's fields, unquoted.</param>
public sealed record SeparatedRow(long Number, long Line, IReadOnlyList<string> Fields);
