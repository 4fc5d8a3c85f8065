using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Skein.IO;

/// <summary>
/// Shared helpers for reading text input and turning failures into located errors. The encoding policy, the same
/// for data and rules files: a byte-order mark selects UTF-8, UTF-16 (LE/BE) or UTF-32 (LE/BE); without one the
/// file must be valid UTF-8, and a file that is not is rejected with the line and byte offset of the first bad byte
/// (never decoded into U+FFFD, which would silently change keywords and values). A caller that knows the file is,
/// say, Latin-1 declares it (the readers' <c>encoding</c> parameter, the CLI's <c>--encoding</c>).
/// </summary>
internal static class TextInput
{
    /// <summary>
    /// Strict UTF-8: invalid bytes throw instead of becoming U+FFFD. The preamble is declared so that
    /// <see cref="StreamReader"/> skips a leading BOM without switching to its own (lenient) decoder.
    /// </summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: true);

    /// <summary>Opens a file for sequential reading, mapping "missing" to a <see cref="DataFormatException"/>.</summary>
    public static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFormatException("file not found.", path, inner: e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DataFormatException("the file cannot be read (permission denied, or it is a directory).", path, inner: e);
        }
    }

    /// <summary>
    /// A strict reader over a file: the declared <paramref name="encoding"/>, or else the encoding its byte-order
    /// mark names, or else UTF-8. Any BOM is skipped.
    /// </summary>
    public static StreamReader OpenText(string path, Encoding? encoding = null)
    {
        var stream = OpenRead(path);
        try
        {
            var chosen = encoding is null ? Detect(stream) : Strict(encoding);
            return new StreamReader(stream, chosen, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads a whole (small) text file with the same rules as <see cref="OpenText"/>.</summary>
    public static string ReadAllText(string path, Encoding? encoding = null)
    {
        using var reader = OpenText(path, encoding);
        try
        {
            return reader.ReadToEnd();
        }
        catch (DecoderFallbackException e)
        {
            throw InvalidUtf8(path, e, rowIsLine: true);
        }
    }

    /// <summary>The encoding a file's byte-order mark names (strict), or strict UTF-8 when it has none.</summary>
    private static Encoding Detect(FileStream stream)
    {
        if (!stream.CanSeek)
        {
            return StrictUtf8;
        }

        Span<byte> head = stackalloc byte[4];
        int read = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        stream.Position = 0;
        return FromBom(head[..read]) ?? StrictUtf8;
    }

    private static Encoding? FromBom(ReadOnlySpan<byte> head) =>
        head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0, 0]) ? new UTF32Encoding(bigEndian: false, byteOrderMark: true, throwOnInvalidCharacters: true)
        : head.StartsWith((ReadOnlySpan<byte>)[0, 0, 0xFE, 0xFF]) ? new UTF32Encoding(bigEndian: true, byteOrderMark: true, throwOnInvalidCharacters: true)
        : head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) ? new UnicodeEncoding(bigEndian: false, byteOrderMark: true, throwOnInvalidBytes: true)
        : head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) ? new UnicodeEncoding(bigEndian: true, byteOrderMark: true, throwOnInvalidBytes: true)
        : head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? StrictUtf8
        : null;

    /// <summary>A declared encoding, made to throw on invalid input where it can fail (UTF-8/16/32).</summary>
    private static Encoding Strict(Encoding encoding) => encoding.CodePage switch
    {
        65001 => StrictUtf8,
        1200 => new UnicodeEncoding(bigEndian: false, byteOrderMark: true, throwOnInvalidBytes: true),
        1201 => new UnicodeEncoding(bigEndian: true, byteOrderMark: true, throwOnInvalidBytes: true),
        12000 => new UTF32Encoding(bigEndian: false, byteOrderMark: true, throwOnInvalidCharacters: true),
        12001 => new UTF32Encoding(bigEndian: true, byteOrderMark: true, throwOnInvalidCharacters: true),
        _ => encoding,
    };

    /// <summary>
    /// Builds the error for undecodable input. Decoding runs ahead of parsing in buffer-sized blocks, so the
    /// exception itself does not say where the bad byte is; rescan the file (error path only) to find its line.
    /// </summary>
    public static DataFormatException InvalidUtf8(string path, DecoderFallbackException e, bool rowIsLine)
    {
        if (HasUtf16Or32Bom(path))
        {
            return new DataFormatException(
                "the file starts with a UTF-16/UTF-32 byte-order mark but is not valid in that encoding.", path, inner: e);
        }

        var (line, offset) = FindFirstInvalidUtf8(path);
        if (line is null)
        {
            return new DataFormatException("the file is not valid UTF-8.", path, inner: e);
        }

        var message = $"invalid UTF-8 byte at line {line} (byte offset {offset}); save the file as UTF-8, or declare its " +
            "encoding (e.g. Latin-1 / Windows-1252: the readers' encoding parameter, the CLI's --encoding).";
        return new DataFormatException(message, path, rowIsLine ? line : null, inner: e);
    }

    private static bool HasUtf16Or32Bom(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            Span<byte> head = stackalloc byte[4];
            int read = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
            return FromBom(head[..read]) is { } e && e is not UTF8Encoding;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Parses JSON from raw bytes after checking they are UTF-8: <see cref="JsonDocument"/> checks string contents only
    /// when a string is read, and then throws <see cref="InvalidOperationException"/>, not a format error.
    /// </summary>
    public static JsonDocument ParseJson(Stream stream, string? path, JsonDocumentOptions options = default)
    {
        byte[] bytes;
        if (stream is MemoryStream memory && memory.TryGetBuffer(out var segment))
        {
            bytes = segment.AsSpan((int)memory.Position).ToArray();
        }
        else
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }

        var span = bytes.AsSpan();
        int start = span.StartsWith("\uFEFF"u8) ? 3 : 0;
        if (!Utf8.IsValid(span[start..]))
        {
            int offset = start + FirstInvalidUtf8(span[start..]);
            long line = 1 + span[..offset].Count((byte)'\n');
            throw new DataFormatException($"invalid UTF-8 byte at line {line} (byte offset {offset}); JSON files must be UTF-8.", path, line);
        }

        return JsonDocument.Parse(bytes.AsMemory(start), options);
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[4096];
        int offset = 0;
        while (true)
        {
            var status = Utf8.ToUtf16(bytes[offset..], chars, out int consumed, out _, replaceInvalidSequences: false);
            offset += consumed;
            if (status != OperationStatus.DestinationTooSmall)
            {
                return offset;
            }
        }
    }

    /// <summary>1-based line and 0-based byte offset of the first invalid UTF-8 sequence, or nulls if none is found.</summary>
    internal static (long? Line, long? Offset) FindFirstInvalidUtf8(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var bytes = ArrayPool<byte>.Shared.Rent(1 << 16);
        var chars = ArrayPool<char>.Shared.Rent(1 << 16);
        try
        {
            long line = 1;
            long offset = 0;
            int carried = 0;
            while (true)
            {
                int read = stream.Read(bytes, carried, (1 << 16) - carried);
                int available = carried + read;
                bool final = read == 0;
                var status = Utf8.ToUtf16(bytes.AsSpan(0, available), chars, out int consumed, out _,
                    replaceInvalidSequences: false, isFinalBlock: final);
                line += bytes.AsSpan(0, consumed).Count((byte)'\n');
                offset += consumed;
                if (status == OperationStatus.InvalidData)
                {
                    return (line, offset);
                }

                if (final)
                {
                    return (null, null);
                }

                // Keep an incomplete trailing sequence for the next block.
                carried = available - consumed;
                bytes.AsSpan(consumed, carried).CopyTo(bytes);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Shortens a cell for an error message so a huge field does not flood the console.</summary>
    public static string Excerpt(ReadOnlySpan<char> text) =>
        text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "…");
}
