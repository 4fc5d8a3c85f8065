using System.Globalization;
using Skein.Data;

namespace Skein.IO;

/// <summary>
/// A votes CSV (the format of <see cref="VotesCsv"/>) read as an <see cref="ILabelMatrixSource"/>: every call to
/// <see cref="ReadChunks"/> streams the file again in chunks of <see cref="ChunkRows"/> rows, so EM-style label
/// models can fit a file that does not fit in memory, one pass per iteration.
/// </summary>
public sealed class VotesCsvSource : ILabelMatrixSource
{
    /// <summary>Default rows per chunk: 64k rows of 50 LFs is 3 MB of votes.</summary>
    public const int DefaultChunkRows = 65_536;

    private readonly IReadOnlyList<string> _lfNames;

    /// <summary>Opens a votes CSV; the first row fixes the LF count.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cardinality">Number of classes k; votes must lie in [-1, k).</param>
    /// <param name="chunkRows">Rows per chunk, at least 1.</param>
    /// <param name="lfNames">One name per column; null = "lf_0", "lf_1", ….</param>
    /// <exception cref="DataFormatException">The file is missing or empty, or its first row is not a row of votes.</exception>
    public VotesCsvSource(string path, int cardinality, int chunkRows = DefaultChunkRows, IReadOnlyList<string>? lfNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        LabelMatrix.ValidateCardinality(cardinality);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        Path = path;
        Cardinality = cardinality;
        ChunkRows = chunkRows;
        int m = -1;
        using (var reader = new Reader(path, cardinality))
        {
            m = reader.PeekLfCount();
        }

        if (m < 0)
        {
            throw new DataFormatException("the file is empty; expected one row of comma-separated votes per item.", path);
        }

        if (lfNames is not null && lfNames.Count != m)
        {
            throw new DataFormatException($"the rows have {m} votes but {lfNames.Count} LF names were given.", path);
        }

        _lfNames = LabelMatrix.ValidateNames(lfNames ?? LabelMatrix.DefaultNames(m));
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>Rows per chunk.</summary>
    public int ChunkRows { get; }

    /// <inheritdoc />
    public int LfCount => _lfNames.Count;

    /// <inheritdoc />
    public int Cardinality { get; }

    /// <inheritdoc />
    /// <exception cref="DataFormatException">A row is malformed (the message names the file, line and column).</exception>
    public IEnumerable<LabelMatrix> ReadChunks()
    {
        using var reader = new Reader(Path, Cardinality);
        while (true)
        {
            var votes = reader.ReadRows(LfCount, ChunkRows, out int rows);
            if (rows == 0)
            {
                yield break;
            }

            yield return LabelMatrix.FromRowMajor(votes, _lfNames, Cardinality);
        }
    }

    /// <summary>A forward-only byte-level line reader; votes are ASCII integers, so no text decoding is needed.</summary>
    private sealed class Reader(string path, int cardinality) : IDisposable
    {
        private readonly FileStream _stream = TextInput.OpenRead(path);
        private byte[] _buffer = new byte[1 << 16];
        private int _start;
        private int _end;
        private bool _eof;
        private bool _first = true;
        private long _line;
        private long _pendingBlankLine;

        public void Dispose() => _stream.Dispose();

        /// <summary>The vote count of the first non-blank row, or -1 for an empty file.</summary>
        public int PeekLfCount()
        {
            while (NextLine(out var line))
            {
                if (!IsBlank(line))
                {
                    return line.Count((byte)',') + 1;
                }
            }

            return -1;
        }

        public sbyte[] ReadRows(int m, int maxRows, out int rows)
        {
            var votes = new List<sbyte>(Math.Min(maxRows, 1 << 16) * m);
            var row = new sbyte[m];
            rows = 0;
            while (rows < maxRows && NextLine(out var line))
            {
                if (IsBlank(line))
                {
                    // Blank lines are allowed at the end of the file only, as in VotesCsv.
                    _pendingBlankLine = _pendingBlankLine == 0 ? _line : _pendingBlankLine;
                    continue;
                }

                if (_pendingBlankLine != 0)
                {
                    throw new DataFormatException("the row is empty; every row needs one vote per LF.", path, _pendingBlankLine);
                }

                ParseRow(line, row);
                votes.AddRange(row);
                rows++;
            }

            return votes.ToArray();
        }

        private static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;

        private void ParseRow(ReadOnlySpan<byte> line, sbyte[] row)
        {
            int m = row.Length;
            int column = 0;
            foreach (var range in line.Split((byte)','))
            {
                var cell = line[range].Trim(" \t\r"u8);
                if (column == m)
                {
                    throw new DataFormatException($"row {_line} has {line.Count((byte)',') + 1} votes; expected {m}.", path, _line);
                }

                if (!int.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
                {
                    if (IsInteger(cell))
                    {
                        // Too many digits for an int: still a number, so say it is out of range, quoting it as written.
                        var digits = TextInput.Excerpt(System.Text.Encoding.ASCII.GetString(cell));
                        throw new DataFormatException($"vote {digits} is outside [-1, {cardinality}).", path, _line, Column(column));
                    }

                    var text = TextInput.Excerpt(System.Text.Encoding.UTF8.GetString(cell));
                    throw new DataFormatException($"'{text}' is not an integer vote.", path, _line, Column(column));
                }

                if (value < -1 || value >= cardinality)
                {
                    throw new DataFormatException($"vote {value} is outside [-1, {cardinality}).", path, _line, Column(column));
                }

                row[column++] = (sbyte)value;
            }

            if (column != m)
            {
                throw new DataFormatException($"row {_line} has {column} votes; expected {m}.", path, _line);
            }
        }

        private static bool IsInteger(ReadOnlySpan<byte> cell)
        {
            if (!cell.IsEmpty && (cell[0] == (byte)'-' || cell[0] == (byte)'+'))
            {
                cell = cell[1..];
            }

            return !cell.IsEmpty && cell.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
        }

        private static string Column(int column) => (column + 1).ToString(CultureInfo.InvariantCulture);

        /// <summary>The next line without its '\n' (a '\r' is trimmed as blank space by the callers), or false at the end.</summary>
        private bool NextLine(out ReadOnlySpan<byte> line)
        {
            while (true)
            {
                int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    line = _buffer.AsSpan(_start, newline);
                    _start += newline + 1;
                    _line++;
                    return true;
                }

                if (_eof)
                {
                    if (_start < _end)
                    {
                        line = _buffer.AsSpan(_start, _end - _start);
                        _start = _end;
                        _line++;
                        return true;
                    }

                    line = default;
                    return false;
                }

                Fill();
            }
        }

        private void Fill()
        {
            // Move the incomplete line to the front; grow only when one line fills the whole buffer.
            int rest = _end - _start;
            if (rest == _buffer.Length)
            {
                if (_buffer.Length >= SeparatedValues.MaxRowLength)
                {
                    throw new DataFormatException(
                        $"row {_line + 1} is longer than {SeparatedValues.MaxRowLength:N0} bytes, the limit (SeparatedValues.MaxRowLength).",
                        path, _line + 1);
                }

                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, SeparatedValues.MaxRowLength));
            }
            else
            {
                _buffer.AsSpan(_start, rest).CopyTo(_buffer);
            }

            _start = 0;
            _end = rest;
            int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (_first && _end + read >= 3 && _buffer.AsSpan(0, 3).SequenceEqual("\uFEFF"u8))
            {
                _buffer.AsSpan(3, _end + read - 3).CopyTo(_buffer);
                read -= 3;
            }

            _first = false;
            _end += read;
            _eof = read == 0;
        }
    }
}
