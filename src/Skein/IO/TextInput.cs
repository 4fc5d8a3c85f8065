using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Skein.IO;

/// <summary>Shared helpers for reading text input strictly as UTF-8 and turning failures into located errors.</summary>
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
    }

    /// <summary>A strict UTF-8 reader over a file (BOM skipped).</summary>
    public static StreamReader OpenText(string path) =>
        new(OpenRead(path), StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);

    /// <summary>
    /// Builds the error for undecodable input. Decoding runs ahead of parsing in buffer-sized blocks, so the
    /// exception itself does not say where the bad byte is; rescan the file (error path only) to find its line.
    /// </summary>
    public static DataFormatException InvalidUtf8(string path, DecoderFallbackException e, bool rowIsLine)
    {
        var (line, offset) = FindFirstInvalidUtf8(path);
        if (line is null)
        {
            return new DataFormatException("the file is not valid UTF-8.", path, inner: e);
        }

        var message = $"invalid UTF-8 byte at line {line} (byte offset {offset}); the file must be UTF-8 encoded.";
        return new DataFormatException(message, path, rowIsLine ? line : null, inner: e);
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
