namespace Skein.IO;

/// <summary>
/// Checks an output path before any work is done, so a run never destroys its own inputs or a special file and
/// never fails only at the end of a long computation. Outputs are written by <see cref="AtomicFile"/>: a temporary
/// file in the same folder renamed over the target. That rename is why a symbolic link, FIFO or device node would be
/// replaced rather than written through, and why the folder must be writable.
/// </summary>
/// <remarks>
/// Refused, with an <see cref="UnsafeOutputException"/> naming the path as given:
/// the same file as an input (same full path, or on Linux the same device and inode, so hard links and symbolic
/// links count); a symbolic link (never replaced silently; give the file it points to); an existing directory,
/// FIFO, socket or device node; an existing file without the owner's write permission, or (on Linux) owned by
/// another user, since replacing it would change its mode or owner; a folder that does not exist or where a file
/// cannot be created. An existing writable file is replaced keeping its permission bits.
/// </remarks>
public static class OutputGuard
{
    /// <summary>Throws <see cref="UnsafeOutputException"/> if writing <paramref name="output"/> is refused.</summary>
    /// <param name="output">The output path as the user gave it (relative paths resolve against the current folder).</param>
    /// <param name="inputs">Every path the same run reads; nulls are skipped, and inputs that do not exist are compared by path only.</param>
    /// <exception cref="UnsafeOutputException">The output is refused; the message says why and what to do.</exception>
    public static void Check(string output, IEnumerable<string?> inputs)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        ArgumentNullException.ThrowIfNull(inputs);
        string full;
        try
        {
            full = Path.GetFullPath(output);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new UnsafeOutputException(output, $"is not a usable path ({e.Message}).", e);
        }

        var outputId = FileIdentity.TryGet(full);
        foreach (var input in inputs)
        {
            if (string.IsNullOrEmpty(input))
            {
                continue;
            }

            var inputFull = Path.GetFullPath(input);
            bool same = string.Equals(inputFull, full, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase)
                || (outputId is { } o && FileIdentity.TryGet(inputFull) is { } i && o.SameFileAs(i) && o.Kind != FileKind.Directory);
            if (same)
            {
                throw new UnsafeOutputException(output, $"is the same file as the input '{input}'; writing it would destroy the input. Choose another output path.");
            }
        }

        var info = new FileInfo(full);
        if (info.LinkTarget is { } target)
        {
            throw new UnsafeOutputException(output,
                $"is a symbolic link (to '{target}'); Skein does not replace links. Give the path of the file it points to, or another path.");
        }

        if (Directory.Exists(full))
        {
            throw new UnsafeOutputException(output, "is a directory; give a file path.");
        }

        if (info.Exists)
        {
            CheckExisting(output, full, outputId);
        }

        CheckFolder(output, full);
    }

    /// <summary>Like <see cref="Check(string, IEnumerable{string})"/> with the inputs as arguments.</summary>
    /// <param name="output">The output path as the user gave it.</param>
    /// <param name="inputs">Every path the same run reads; nulls are skipped.</param>
    /// <exception cref="UnsafeOutputException">The output is refused.</exception>
    public static void Check(string output, params string?[] inputs) => Check(output, (IEnumerable<string?>)inputs);

    private static void CheckExisting(string output, string full, FileIdentity? id)
    {
        if (id is { Kind: not FileKind.Regular } special)
        {
            var what = special.Kind switch
            {
                FileKind.Fifo => "a FIFO (named pipe)",
                FileKind.CharacterDevice => "a character device",
                FileKind.BlockDevice => "a block device",
                FileKind.Socket => "a socket",
                _ => "not a regular file",
            };
            throw new UnsafeOutputException(output,
                $"is {what}; outputs are written to a temporary file and renamed into place, which would replace it. Give a regular file path.");
        }

        if (OperatingSystem.IsWindows())
        {
            if (File.GetAttributes(full).HasFlag(FileAttributes.ReadOnly))
            {
                throw new UnsafeOutputException(output, "is read-only; make it writable or choose another output path.");
            }

            return;
        }

        // Checked on the mode bits rather than by trying to open it, so that root is refused too.
        if ((File.GetUnixFileMode(full) & UnixFileMode.UserWrite) == 0)
        {
            throw new UnsafeOutputException(output, "is read-only; make it writable (chmod u+w) or choose another output path.");
        }

        if (id is { } owned && FileIdentity.EffectiveUser() is { } me && me != 0 && owned.Owner != me)
        {
            throw new UnsafeOutputException(output, "belongs to another user; replacing it would change its owner. Choose another output path.");
        }
    }

    private static void CheckFolder(string output, string full)
    {
        var folder = Path.GetDirectoryName(full);
        var folderAsGiven = Path.GetDirectoryName(output);
        var folderName = string.IsNullOrEmpty(folderAsGiven) ? "." : folderAsGiven;
        if (folder is null || !Directory.Exists(folder))
        {
            throw new UnsafeOutputException(output, $"is in the folder '{folderName}', which does not exist; create it first.");
        }

        // The only portable test of "can a file be created here" (permissions, ACLs, read-only mounts) is to create one.
        var probe = AtomicFile.CreateTempPath(full, ".probe");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UnsafeOutputException(output, $"is in the folder '{folderName}', where no file can be created ({e.Message}).", e);
        }
        finally
        {
            AtomicFile.TryDelete(probe);
        }
    }
}
