using System.Text;

namespace Skein.IO;

/// <summary>
/// Writes files so that readers never see a half-written result: the content goes to a temporary file in the
/// same directory (so the final move is a rename on the same volume) and replaces the target only once complete.
/// An existing target keeps its permission bits. Temporary files still being written are tracked, so
/// <see cref="DeleteTemporaryFiles"/> (called by the CLI on SIGINT/SIGTERM) can remove them before the process ends.
/// </summary>
public static class AtomicFile
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<string> Live = new(StringComparer.Ordinal);
    private static bool _abandoned;

    /// <summary>UTF-8 without a byte-order mark: what every Skein text output uses.</summary>
    internal static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Calls <paramref name="write"/> with a stream on a temporary file, then moves the file onto
    /// <paramref name="path"/> (replacing it). If <paramref name="write"/> throws, the temporary file is deleted,
    /// the target is left untouched, and the exception propagates.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="write">Writes the whole content; must not close the stream.</param>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var temp = CreateTempPath(path);
        try
        {
            using (var stream = OpenTemp(temp, path))
            {
                write(stream);
                stream.Flush();
            }

            Replace(temp, path);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Deletes every temporary file this process is still writing and makes later writes fail, so an interrupted
    /// run leaves nothing behind. Meant for a signal handler just before the process ends.
    /// </summary>
    /// <returns>How many temporary files were deleted.</returns>
    public static int DeleteTemporaryFiles()
    {
        string[] paths;
        lock (Gate)
        {
            _abandoned = true;
            paths = [.. Live];
            Live.Clear();
        }

        int deleted = 0;
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                TryDelete(path);
                deleted += File.Exists(path) ? 0 : 1;
            }
        }

        return deleted;
    }

    /// <summary>
    /// Like <see cref="Write(string, Action{Stream})"/>, for text: UTF-8 without a byte-order mark and "\n" newlines
    /// on every platform, so outputs are byte-identical across machines.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="write">Writes the whole content.</param>
    public static void WriteText(string path, Action<TextWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, Utf8NoBom, 1 << 16, leaveOpen: true) { NewLine = "\n" };
            write(writer);
        });
    }

    /// <summary>
    /// A fresh, unused temporary path next to <paramref name="path"/> (hidden, with a random suffix), tracked until
    /// <see cref="Replace"/> or <see cref="TryDelete"/> so <see cref="DeleteTemporaryFiles"/> can remove it.
    /// </summary>
    internal static string CreateTempPath(string path, string extension = ".tmp")
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}{extension}");
        lock (Gate)
        {
            if (_abandoned)
            {
                throw new OperationCanceledException("the run was interrupted; no more output is written.");
            }

            Live.Add(temp);
        }

        return temp;
    }

    /// <summary>Creates the temporary file; a missing or read-only folder is reported under the target's name, not the hidden one.</summary>
    private static FileStream OpenTemp(string temp, string path)
    {
        try
        {
            return new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new UnsafeOutputException(path, "is in a folder that does not exist; create it first.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnsafeOutputException(path, $"is in a folder where no file can be created ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Moves a finished temporary file onto <paramref name="path"/>. An existing target's permission bits are copied
    /// first, so replacing a file does not change its mode (<see cref="OutputGuard"/> refuses targets whose owner would change).
    /// </summary>
    internal static void Replace(string temp, string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path))
        {
            File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
        }

        File.Move(temp, path, overwrite: true);
        lock (Gate)
        {
            Live.Remove(temp);
        }
    }

    /// <summary>Best-effort delete used on failure paths, where the original exception matters more.</summary>
    internal static void TryDelete(string path)
    {
        lock (Gate)
        {
            Live.Remove(path);
        }

        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Keep the original exception; a stray temp file is the lesser problem.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }
}
