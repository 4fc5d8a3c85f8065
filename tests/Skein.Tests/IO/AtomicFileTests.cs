using Skein.IO;

namespace Skein.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Write_CreatesFileWithContentAndNoLeftovers()
    {
        var path = _dir.File("out.bin");
        AtomicFile.Write(path, s => s.Write([1, 2, 3]));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_dir.Root));
    }

    [Fact]
    public void Write_WhenWriterThrows_LeavesNoFile()
    {
        var path = _dir.File("out.bin");
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[1000]);
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal("boom", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Root));
    }

    [Fact]
    public void Write_WhenWriterThrows_KeepsPreviousContent()
    {
        var path = _dir.WriteText("out.txt", "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.WriteText(path, w =>
        {
            w.Write("new partial");
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFileSystemEntries(_dir.Root));
    }

    [Fact]
    public void WriteText_ReplacesExisting_Utf8NoBom_LfNewlines()
    {
        var path = _dir.WriteText("out.txt", "old content that is longer");
        AtomicFile.WriteText(path, w =>
        {
            w.WriteLine("café");
            w.WriteLine("b");
        });
        var bytes = File.ReadAllBytes(path);
        Assert.Equal("café\nb\n"u8.ToArray(), bytes);
    }
}
