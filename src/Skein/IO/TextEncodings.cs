using System.Text;

namespace Skein.IO;

/// <summary>
/// The encodings a user can declare for an input file (the readers' <c>encoding</c> parameter, the CLI's
/// <c>--encoding</c>). Without a declaration readers detect a byte-order mark and otherwise require UTF-8.
/// </summary>
public static class TextEncodings
{
    /// <summary>The names <see cref="FromName"/> accepts (case-insensitive; '-' and '_' optional).</summary>
    public static IReadOnlyList<string> Names { get; } = ["utf-8", "utf-16le", "utf-16be", "latin1 (iso-8859-1)", "windows-1252 (cp1252)"];

    /// <summary>Maps a user-facing name to an encoding; "auto" (or empty) gives null, meaning "detect".</summary>
    /// <param name="name">e.g. <c>utf-8</c>, <c>utf-16le</c>, <c>latin1</c>, <c>windows-1252</c>, <c>auto</c>.</param>
    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static Encoding? FromName(string? name)
    {
        var key = (name ?? "").Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToUpperInvariant();
        return key switch
        {
            "" or "AUTO" => null,
            "UTF8" => new UTF8Encoding(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: true),
            "UTF16" or "UTF16LE" => new UnicodeEncoding(bigEndian: false, byteOrderMark: true, throwOnInvalidBytes: true),
            "UTF16BE" => new UnicodeEncoding(bigEndian: true, byteOrderMark: true, throwOnInvalidBytes: true),
            "LATIN1" or "ISO88591" => Encoding.Latin1,
            "WINDOWS1252" or "CP1252" => CodePagesEncodingProvider.Instance.GetEncoding(1252)!,
            _ => throw new ArgumentException(
                $"Unknown encoding '{name}'; use one of: auto, {string.Join(", ", Names)}.", nameof(name)),
        };
    }
}
