using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Skein.IO;

/// <summary>The kind of file system object a path names (after following symbolic links).</summary>
internal enum FileKind
{
    Regular,
    Directory,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
    Other,
}

/// <summary>
/// What <c>statx(2)</c> says about a path on Linux: device and inode (so hard links and symbolic links to one file
/// compare equal), the file kind, and the owner. Elsewhere <see cref="TryGet"/> returns null and callers fall back
/// to comparing full paths.
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, FileKind Kind, uint Owner)
{
    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>The identity of the file <paramref name="fullPath"/> resolves to, or null if it does not exist or this is not Linux.</summary>
    public static FileIdentity? TryGet(string fullPath)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // struct statx is 256 bytes with the same layout on every Linux architecture.
        var buffer = new byte[256];
        try
        {
            if (NativeMethods.Statx(AtFdCwd, fullPath, 0, StatxBasicStats, buffer) != 0)
            {
                return null;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // a libc without statx (glibc < 2.28): identity by path only
        }

        var span = buffer.AsSpan();
        uint owner = BinaryPrimitives.ReadUInt32LittleEndian(span[20..]);
        ushort mode = BinaryPrimitives.ReadUInt16LittleEndian(span[28..]);
        ulong inode = BinaryPrimitives.ReadUInt64LittleEndian(span[32..]);
        ulong device = ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(span[136..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(span[140..]);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Other,
        };
        return new FileIdentity(device, inode, kind, owner);
    }

    /// <summary>The effective user id of this process on Linux, or null elsewhere.</summary>
    public static uint? EffectiveUser()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return NativeMethods.Geteuid();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>True when both are the same file: same device and inode.</summary>
    public bool SameFileAs(FileIdentity other) => Device == other.Device && Inode == other.Inode;

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);

        [DllImport("libc", EntryPoint = "geteuid")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern uint Geteuid();
    }
}
