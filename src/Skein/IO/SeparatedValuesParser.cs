using System.Buffers;
using System.Globalization;

namespace Skein.IO;

/// <summary>
/// A streaming CSV/TSV row parser implementing the <see cref="SeparatedValues"/> policy. Hand-written rather than
/// Sep because Sep toggles quoting on any quote character, which silently merges lines when a field merely
/// contains one, and fails with <see cref="NotSupportedException"/> past 16 MiB fields.
/// </summary>
internal sealed class SeparatedValuesParser : IDisposable
{
    private static readonly SearchValues<char> QuotedStops = SearchValues.Create("\"\n\r");
    private static readonly SearchValues<char> LineStops = SearchValues.Create("\n\r");

    private readonly TextReader _reader;
    private readonly char _separator;
    private readonly bool _tsv;
    private readonly string _path;
    private readonly int _maxField;
    private readonly int _maxRow;
    private readonly SearchValues<char> _unquotedStops;
    private readonly char[] _buffer = new char[1 << 16];
    private int _pos;
    private int _len;
    private bool _eof;
    private long _base;
    private long _line = 1;
    private long _lineStart;
    private char[] _field = new char[256];
    private int _fieldLength;
    private long _rowLength;
    private long? _errorRow;
    private int _fieldNumber;

    /// <summary>Creates a parser; <paramref name="maxField"/> and <paramref name="maxRow"/> exist so tests can use small limits.</summary>
    public SeparatedValuesParser(TextReader reader, char separator, string path,
        int maxField = SeparatedValues.MaxFieldLength, int maxRow = SeparatedValues.MaxRowLength)
    {
        _reader = reader;
        _separator = separator;
        _tsv = separator == '\t';
        _path = path;
        _maxField = maxField;
        _maxRow = maxRow;
        _unquotedStops = SearchValues.Create([separator, '\n', '\r']);
    }

    /// <summary>Names used for the column in error messages (the header), or null for 1-based numbers.</summary>
    public IReadOnlyList<string>? ColumnNames { get; set; }

    /// <summary>The 1-based physical line where the last row read starts.</summary>
    public long RowLine { get; private set; }

    /// <summary>Whether the last row read was an empty line (one empty, unquoted field).</summary>
    public bool IsBlank { get; private set; }

    /// <summary>Whether a decoding error reports its line as the row (line-based formats).</summary>
    public bool RowIsLine { get; init; }

    /// <summary>Opens a file with the shared encoding rules and wraps it in a parser.</summary>
    public static SeparatedValuesParser Open(string path, char separator, System.Text.Encoding? encoding = null) =>
        new(TextInput.OpenText(path, encoding), separator, path);

    /// <summary>Opens a line-based file (JSON Lines, gold labels) for <see cref="ReadLine"/>.</summary>
    public static SeparatedValuesParser OpenLines(string path, System.Text.Encoding? encoding = null) =>
        new(TextInput.OpenText(path, encoding), '\n', path) { RowIsLine = true };

    /// <summary>Reads the next row into <paramref name="fields"/>; false at the end of the input.</summary>
    /// <param name="fields">Cleared, then filled with the row's fields.</param>
    /// <param name="errorRow">The row number to report in errors raised while reading this row.</param>
    public bool ReadRow(List<string> fields, long? errorRow)
    {
        fields.Clear();
        IsBlank = false;
        if (!EnsureData())
        {
            return false;
        }

        RowLine = _line;
        _rowLength = 0;
        _errorRow = errorRow;
        if (_tsv)
        {
            ReadTsvRow(fields);
        }
        else
        {
            ReadCsvRow(fields);
        }

        return true;
    }

    /// <summary>
    /// The next physical line without its line end, or null at the end of the input: a <see cref="TextReader.ReadLine"/>
    /// bounded by the row limit, for line-based formats (JSON Lines, gold labels).
    /// </summary>
    /// <param name="errorRow">The row number to report if the line is too long.</param>
    public string? ReadLine(long? errorRow)
    {
        IsBlank = false;
        if (!EnsureData())
        {
            return null;
        }

        RowLine = _line;
        _errorRow = errorRow;
        ReadPhysicalLine();
        return new string(_field, 0, _fieldLength);
    }

    /// <inheritdoc/>
    public void Dispose() => _reader.Dispose();

    private void ReadCsvRow(List<string> fields)
    {
        bool anyQuoted = false;
        while (true)
        {
            _fieldLength = 0;
            _fieldNumber = fields.Count + 1;
            if (Peek() == '"')
            {
                anyQuoted = true;
                long openLine = _line, openCharacter = Character();
                _pos++;
                ReadQuoted(openLine, openCharacter);
            }

            // An unquoted field, or the literal tail after a closing quote (kept as Python's csv keeps it).
            ReadUnquoted();
            fields.Add(new string(_field, 0, _fieldLength));
            if (!EnsureData())
            {
                break;
            }

            if (_buffer[_pos] == _separator)
            {
                _pos++;
                AddToRow(1);
                continue;
            }

            ConsumeNewline();
            break;
        }

        IsBlank = !anyQuoted && fields.Count == 1 && fields[0].Length == 0;
    }

    private void ReadUnquoted()
    {
        while (EnsureData())
        {
            var span = _buffer.AsSpan(_pos, _len - _pos);
            int i = span.IndexOfAny(_unquotedStops);
            if (i < 0)
            {
                Append(span);
                _pos = _len;
                continue;
            }

            Append(span[..i]);
            _pos += i;
            return;
        }
    }

    private void ReadQuoted(long openLine, long openCharacter)
    {
        while (true)
        {
            if (!EnsureData())
            {
                throw Error(
                    $"unclosed quote: the quote that opens field {_fieldNumber} at line {openLine}, character {openCharacter} is never closed " +
                    "(the file ends inside it); a field that starts with a quote must end with one, and a quote inside it is written \"\".",
                    lineInMessage: true);
            }

            var span = _buffer.AsSpan(_pos, _len - _pos);
            int i = span.IndexOfAny(QuotedStops);
            if (i < 0)
            {
                Append(span);
                _pos = _len;
                continue;
            }

            Append(span[..i]);
            _pos += i;
            char c = _buffer[_pos++];
            if (c == '"')
            {
                if (Peek() == '"')
                {
                    _pos++;
                    Append("\"");
                    continue;
                }

                return;
            }

            // A line break inside a quoted field is part of the value (RFC 4180).
            Append(c == '\r' ? "\r" : "\n");
            if (c == '\r' && Peek() == '\n')
            {
                _pos++;
                Append("\n");
            }

            NewLine();
        }
    }

    /// <summary>Reads one physical line, then splits it: in TSV a row never spans lines.</summary>
    private void ReadTsvRow(List<string> fields)
    {
        ReadPhysicalLine();
        SplitTsvLine(fields);
    }

    /// <summary>Reads up to the next line end into the field buffer, consuming the line end.</summary>
    private void ReadPhysicalLine()
    {
        _fieldLength = 0;
        _fieldNumber = 1;
        while (EnsureData())
        {
            var span = _buffer.AsSpan(_pos, _len - _pos);
            int i = span.IndexOfAny(LineStops);
            var part = i < 0 ? span : span[..i];
            if ((long)_fieldLength + part.Length > _maxRow)
            {
                throw Error($"the row is longer than {_maxRow.ToString("N0", CultureInfo.InvariantCulture)} characters, the limit (SeparatedValues.MaxRowLength).", column: false);
            }

            Append(part, _maxRow);
            _pos += part.Length;
            if (i >= 0)
            {
                ConsumeNewline();
                break;
            }
        }
    }

    private void SplitTsvLine(List<string> fields)
    {
        var line = _field.AsSpan(0, _fieldLength);
        IsBlank = line.IsEmpty;
        int start = 0;
        int number = 1;
        while (true)
        {
            _fieldNumber = number++;
            var rest = line[start..];
            int end = rest.IndexOf(_separator);
            if (!rest.IsEmpty && rest[0] == '"' && TryUnquote(rest, out var value, out int consumed))
            {
                CheckFieldLength(value.Length);
                fields.Add(value);
                start += consumed;
            }
            else
            {
                var raw = end < 0 ? rest : rest[..end];
                CheckFieldLength(raw.Length);
                fields.Add(raw.ToString());
                start += raw.Length;
            }

            if (start >= line.Length)
            {
                break;
            }

            start++;
        }
    }

    /// <summary>A well-formed quoted field: closes with a quote followed by a tab or the line end, inner quotes doubled.</summary>
    private bool TryUnquote(ReadOnlySpan<char> text, out string value, out int consumed)
    {
        int i = 1;
        var builder = new System.Text.StringBuilder();
        while (true)
        {
            int quote = text[i..].IndexOf('"');
            if (quote < 0)
            {
                break;
            }

            builder.Append(text.Slice(i, quote));
            i += quote + 1;
            if (i < text.Length && text[i] == '"')
            {
                builder.Append('"');
                i++;
                continue;
            }

            if (i == text.Length || text[i] == _separator)
            {
                value = builder.ToString();
                consumed = i;
                return true;
            }

            break;
        }

        value = "";
        consumed = 0;
        return false;
    }

    private void CheckFieldLength(int length)
    {
        if (length > _maxField)
        {
            throw Error($"the field is longer than {_maxField.ToString("N0", CultureInfo.InvariantCulture)} characters, the limit (SeparatedValues.MaxFieldLength).");
        }
    }

    private int Peek() => EnsureData() ? _buffer[_pos] : -1;

    private bool EnsureData()
    {
        if (_pos < _len)
        {
            return true;
        }

        if (_eof)
        {
            return false;
        }

        _base += _len;
        _pos = 0;
        try
        {
            _len = _reader.Read(_buffer, 0, _buffer.Length);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw TextInput.InvalidUtf8(_path, e, RowIsLine);
        }

        _eof = _len == 0;
        return !_eof;
    }

    private void ConsumeNewline()
    {
        char c = _buffer[_pos++];
        if (c == '\r' && Peek() == '\n')
        {
            _pos++;
        }

        NewLine();
    }

    private void NewLine()
    {
        _line++;
        _lineStart = _base + _pos;
    }

    private long Character() => _base + _pos - _lineStart + 1;

    private void AddToRow(long count)
    {
        _rowLength += count;
        if (_rowLength > _maxRow)
        {
            throw Error($"the row is longer than {_maxRow.ToString("N0", CultureInfo.InvariantCulture)} characters, the limit (SeparatedValues.MaxRowLength).", column: false);
        }
    }

    private void Append(ReadOnlySpan<char> text) => Append(text, _maxField);

    private void Append(ReadOnlySpan<char> text, int limit)
    {
        if (text.IsEmpty)
        {
            return;
        }

        long needed = (long)_fieldLength + text.Length;
        if (needed > limit)
        {
            CheckFieldLength(int.MaxValue);
        }

        if (!_tsv)
        {
            AddToRow(text.Length);
        }

        if (needed > _field.Length)
        {
            Array.Resize(ref _field, (int)Math.Min(Math.Max(needed, (long)_field.Length * 2), limit));
        }

        text.CopyTo(_field.AsSpan(_fieldLength));
        _fieldLength = (int)needed;
    }

    private DataFormatException Error(string message, bool column = true, bool lineInMessage = false)
    {
        string? name = null;
        if (column)
        {
            var names = ColumnNames;
            name = names is not null && _fieldNumber <= names.Count
                ? names[_fieldNumber - 1]
                : _fieldNumber.ToString(CultureInfo.InvariantCulture);
        }

        return new DataFormatException(lineInMessage ? message : $"{message} The row starts at line {RowLine}.", _path, _errorRow, name);
    }
}
