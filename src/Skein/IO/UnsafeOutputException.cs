namespace Skein.IO;

/// <summary>
/// An output path was refused before any work because writing it could hurt data: it is one of the inputs, a
/// symbolic link, a FIFO, device or directory, a read-only file, or its folder is missing or not writable.
/// The message names the path as the caller gave it.
/// </summary>
public sealed class UnsafeOutputException : IOException
{
    /// <summary>Creates the exception; the message reads "output 'path' reason".</summary>
    /// <param name="outputPath">The output path as the caller gave it.</param>
    /// <param name="reason">Why it was refused and what to do instead, starting with a verb ("is a directory; …").</param>
    /// <param name="inner">The file-system error behind the refusal, if any.</param>
    public UnsafeOutputException(string outputPath, string reason, Exception? inner = null)
        : base($"output '{outputPath}' {reason}", inner)
    {
        OutputPath = outputPath;
    }

    /// <summary>The output path as the caller gave it.</summary>
    public string OutputPath { get; }
}
