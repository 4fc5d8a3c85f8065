using Skein.Data;

namespace Skein.IO;

/// <summary>
/// The plain votes CSV a Snorkel user exports (<c>np.savetxt(..., fmt="%d", delimiter=",")</c>): one row per item,
/// one comma-separated integer per LF, -1 = abstain, no header. Parsed directly from bytes, so a 1M×20 file
/// reads in a fraction of a second.
/// </summary>
public static class VotesCsv
{
    /// <summary>Reads a votes CSV into a label matrix.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="cardinality">The number of classes k; when null, the largest vote + 1 (at least 2).</param>
    /// <param name="lfNames">One name per column; when null, "lf_0", "lf_1", ….</param>
    /// <exception cref="DataFormatException">
    /// The file is missing or empty, a cell is not an integer, rows differ in length, or a vote is below -1 or
    /// not below <paramref name="cardinality"/>. The message names the file, the 1-based row and the 1-based column.
    /// </exception>
    public static LabelMatrix Read(string path, int? cardinality = null, IReadOnlyList<string>? lfNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (cardinality is { } k)
        {
            LabelMatrix.ValidateCardinality(k);
        }

        using var stream = TextInput.OpenRead(path);
        var parser = new VotesParser(path, cardinality);
        parser.Parse(stream);
        if (parser.RowCount == 0)
        {
            throw new DataFormatException("the file is empty; expected one row of comma-separated votes per item.", path);
        }

        int m = parser.LfCount;
        if (lfNames is not null && lfNames.Count != m)
        {
            throw new DataFormatException($"the rows have {m} votes but {lfNames.Count} LF names were given.", path);
        }

        int cardinalityOut = cardinality ?? Math.Max(2, parser.MaxVote + 1);
        return LabelMatrix.FromRowMajor(parser.TakeVotes(), lfNames ?? LabelMatrix.DefaultNames(m), cardinalityOut);
    }

    /// <summary>Writes a label matrix as a votes CSV (atomically: a temp file moved into place).</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="matrix">The votes to write; LF names and cardinality are not stored.</param>
    public static void Write(string path, LabelMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        using var writer = CreateWriter(path);
        writer.Append(matrix);
        writer.Commit();
    }

    /// <summary>
    /// Starts a streaming write: append chunks as they are produced, then <see cref="VotesCsvWriter.Commit"/>.
    /// Nothing appears at <paramref name="path"/> until the commit.
    /// </summary>
    /// <param name="path">The file to create or replace on commit.</param>
    public static VotesCsvWriter CreateWriter(string path) => new(path);

    /// <summary>A byte-level parser: votes are ASCII integers, so decoding text first would only cost time.</summary>
    private sealed class VotesParser(string path, int? cardinality)
    {
        private sbyte[] _votes = new sbyte[1 << 16];
        private int _count;
        private long _line;
        private long _pendingBlankLine;
        private long _firstRowLine;

        public int LfCount { get; private set; } = -1;

        public int RowCount { get; private set; }

        public int MaxVote { get; private set; } = -1;

        public sbyte[] TakeVotes() => _count == _votes.Length ? _votes : _votes.AsSpan(0, _count).ToArray();

        public void Parse(Stream stream)
        {
            var buffer = new byte[1 << 20];
            int filled = 0;
            bool first = true;
            while (true)
            {
                if (filled == buffer.Length)
                {
                    // One line longer than the buffer: grow rather than split it, up to the row limit.
                    if (buffer.Length >= SeparatedValues.MaxRowLength)
                    {
                        throw new DataFormatException(
                            $"row {_line + 1} is longer than {SeparatedValues.MaxRowLength:N0} bytes, the limit (SeparatedValues.MaxRowLength).",
                            path, _line + 1);
                    }

                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, SeparatedValues.MaxRowLength));
                }

                int read = stream.Read(buffer, filled, buffer.Length - filled);
                filled += read;
                var data = buffer.AsSpan(0, filled);
                if (first && data.Length >= 3)
                {
                    first = false;
                    if (data.StartsWith("\uFEFF"u8))
                    {
                        data = data[3..];
                    }
                }

                int consumed = 0;
                while (true)
                {
                    int newline = data[consumed..].IndexOf((byte)'\n');
                    if (newline < 0)
                    {
                        break;
                    }

                    ParseLine(data.Slice(consumed, newline));
                    consumed += newline + 1;
                }

                if (read == 0)
                {
                    if (consumed < data.Length)
                    {
                        ParseLine(data[consumed..]);
                    }

                    return;
                }

                // Move the incomplete last line to the front for the next read.
                int rest = data.Length - consumed;
                data[consumed..].CopyTo(buffer);
                filled = rest;
            }
        }

        private void ParseLine(ReadOnlySpan<byte> line)
        {
            _line++;
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (line.Trim(" \t"u8).IsEmpty)
            {
                // Blank lines are fine at the end of the file only; remember the first one.
                if (_pendingBlankLine == 0)
                {
                    _pendingBlankLine = _line;
                }

                return;
            }

            if (_pendingBlankLine != 0)
            {
                throw new DataFormatException("the row is empty; every row needs one vote per LF.", path, _pendingBlankLine);
            }

            if (LfCount < 0)
            {
                LfCount = line.Count((byte)',') + 1;
                _firstRowLine = _line;
            }

            int m = LfCount;
            if (_votes.Length - _count < m)
            {
                Array.Resize(ref _votes, Math.Max(_votes.Length * 2, _count + m));
            }

            // One pass over the bytes: this loop is the whole cost of reading a large file.
            var votes = _votes.AsSpan(_count, m);
            int limit = cardinality ?? LabelMatrix.MaxCardinality;
            int column = 0;
            int i = 0;
            while (true)
            {
                int cellStart = i;
                while (i < line.Length && (line[i] == (byte)' ' || line[i] == (byte)'\t'))
                {
                    i++;
                }

                bool negative = false;
                if (i < line.Length && (line[i] == (byte)'-' || line[i] == (byte)'+'))
                {
                    negative = line[i] == (byte)'-';
                    i++;
                }

                int digitsStart = i;
                int value = 0;
                uint digit;
                while (i < line.Length && (digit = (uint)(line[i] - (byte)'0')) <= 9)
                {
                    // Saturate: anything this large is out of range anyway, and int must not overflow.
                    value = Math.Min((value * 10) + (int)digit, 100_000);
                    i++;
                }

                bool hasDigits = i > digitsStart;
                while (i < line.Length && (line[i] == (byte)' ' || line[i] == (byte)'\t'))
                {
                    i++;
                }

                if (!hasDigits || (i < line.Length && line[i] != (byte)','))
                {
                    int end = line[cellStart..].IndexOf((byte)',');
                    throw NotAnInteger(end < 0 ? line[cellStart..] : line.Slice(cellStart, end), column);
                }

                if (column == m)
                {
                    throw RaggedRow(line.Count((byte)',') + 1);
                }

                value = negative ? -value : value;
                if (value < -1 || value >= limit)
                {
                    throw OutOfRange(line[digitsStart..i].Trim(" \t"u8), negative, column);
                }

                MaxVote = Math.Max(MaxVote, value);
                votes[column++] = (sbyte)value;
                if (i >= line.Length)
                {
                    break;
                }

                i++;
            }

            if (column != m)
            {
                throw RaggedRow(column);
            }

            _count += m;
            RowCount++;
        }

        private DataFormatException RaggedRow(int votes) => new(
            $"row {_line} has {votes} votes; row {_firstRowLine} has {LfCount}.", path, _line);

        /// <summary>The message quotes the vote as written: the parser saturates large values, so the number is not the text.</summary>
        private DataFormatException OutOfRange(ReadOnlySpan<byte> digits, bool negative, int column)
        {
            var text = TextInput.Excerpt((negative ? "-" : "") + System.Text.Encoding.ASCII.GetString(digits));
            var message = negative
                ? $"vote {text} is below -1 (abstain)."
                : cardinality is null
                    ? $"vote {text} is too large; at most {LabelMatrix.MaxCardinality} classes are supported."
                    : $"vote {text} is outside [-1, {cardinality}).";
            return new DataFormatException(message, path, _line, ColumnName(column));
        }

        private static string ColumnName(int column) => (column + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

        private DataFormatException NotAnInteger(ReadOnlySpan<byte> cell, int column)
        {
            var text = System.Text.Encoding.UTF8.GetString(cell);
            var hint = _line == 1 ? " (a votes CSV has no header row)" : "";
            return new DataFormatException(
                $"'{TextInput.Excerpt(text)}' is not an integer vote{hint}.", path, _line, ColumnName(column));
        }
    }
}

/// <summary>
/// Writes a votes CSV chunk by chunk to a temporary file; <see cref="Commit"/> moves it into place, and disposing
/// without committing deletes it, so an interrupted run never leaves a partial file at the target path.
/// </summary>
public sealed class VotesCsvWriter : IDisposable
{
    private readonly string _path;
    private readonly string _tempPath;
    private readonly byte[] _buffer = new byte[1 << 16];
    private FileStream? _stream;
    private int _buffered;
    private int _lfCount = -1;
    private bool _committed;

    internal VotesCsvWriter(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = path;
        _tempPath = AtomicFile.CreateTempPath(path);
        _stream = new FileStream(_tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
    }

    /// <summary>Appends the rows of a chunk; every chunk must have the same number of LFs.</summary>
    /// <param name="chunk">The next rows.</param>
    /// <exception cref="ArgumentException">The chunk's LF count differs from the first chunk's.</exception>
    /// <exception cref="InvalidOperationException">The writer was already committed.</exception>
    public void Append(LabelMatrix chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var stream = _stream ?? throw new InvalidOperationException(_committed ? "The writer was already committed." : "The writer was disposed.");
        if (_lfCount < 0)
        {
            _lfCount = chunk.LfCount;
        }
        else if (chunk.LfCount != _lfCount)
        {
            throw new ArgumentException($"The chunk has {chunk.LfCount} LFs; earlier chunks had {_lfCount}.", nameof(chunk));
        }

        var votes = chunk.Votes;
        int m = chunk.LfCount;

        // Each vote takes at most 4 bytes ("126" + separator).
        int maxRowBytes = m * 4;
        for (int start = 0; start < votes.Length; start += m)
        {
            if (_buffer.Length - _buffered < maxRowBytes)
            {
                stream.Write(_buffer, 0, _buffered);
                _buffered = 0;
            }

            var span = _buffer.AsSpan();
            for (int j = 0; j < m; j++)
            {
                int v = votes[start + j];
                if (v < 0)
                {
                    span[_buffered++] = (byte)'-';
                    span[_buffered++] = (byte)'1';
                }
                else
                {
                    if (v >= 100)
                    {
                        span[_buffered++] = (byte)('0' + (v / 100));
                    }

                    if (v >= 10)
                    {
                        span[_buffered++] = (byte)('0' + (v / 10 % 10));
                    }

                    span[_buffered++] = (byte)('0' + (v % 10));
                }

                span[_buffered++] = j == m - 1 ? (byte)'\n' : (byte)',';
            }
        }
    }

    /// <summary>Flushes everything and moves the file into place (replacing any existing file).</summary>
    /// <exception cref="InvalidOperationException">Already committed or disposed.</exception>
    public void Commit()
    {
        var stream = _stream ?? throw new InvalidOperationException(_committed ? "The writer was already committed." : "The writer was disposed.");
        stream.Write(_buffer, 0, _buffered);
        _buffered = 0;
        stream.Dispose();
        _stream = null;
        try
        {
            AtomicFile.Replace(_tempPath, _path);
        }
        catch
        {
            AtomicFile.TryDelete(_tempPath);
            throw;
        }

        _committed = true;
    }

    /// <summary>Deletes the temporary file unless <see cref="Commit"/> succeeded.</summary>
    public void Dispose()
    {
        if (_stream is not null)
        {
            _stream.Dispose();
            _stream = null;
            AtomicFile.TryDelete(_tempPath);
        }
    }
}
