using System.Runtime.Versioning;
using Skein.IO;

namespace Skein.Tests.IO;

/// <summary>
/// <see cref="OutputGuard"/> from C#: the same refusals the CLI relies on (tests/Skein.Cli.Tests/HostileInputTests
/// covers them per command), and <see cref="AtomicFile"/>'s handling of an existing target.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class OutputGuardTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_new_file_in_an_existing_folder_is_accepted_and_the_probe_leaves_nothing()
    {
        var input = _dir.WriteText("in.csv", "1\n");
        OutputGuard.Check(_dir.File("out.csv"), input);
        Assert.Equal(["in.csv"], Directory.GetFileSystemEntries(_dir.Root).Select(Path.GetFileName));
    }

    [Fact]
    public void The_input_under_another_spelling_is_refused_naming_the_path_as_given()
    {
        var input = _dir.WriteText("in.csv", "1\n");
        var other = Path.Combine(_dir.Root, ".", "sub", "..", "in.csv");
        Directory.CreateDirectory(_dir.File("sub"));
        var e = Assert.Throws<UnsafeOutputException>(() => OutputGuard.Check(other, input));
        Assert.Equal(other, e.OutputPath);
        Assert.StartsWith($"output '{other}' is the same file as the input '{input}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symbolic_link_to_the_input_is_the_same_file_and_one_elsewhere_is_refused_as_a_link()
    {
        var input = _dir.WriteText("in.csv", "1\n");
        _dir.WriteText("other.csv", "2\n");
        File.CreateSymbolicLink(_dir.File("to-in.csv"), "in.csv");
        File.CreateSymbolicLink(_dir.File("to-other.csv"), "other.csv");
        File.CreateSymbolicLink(_dir.File("dangling.csv"), "nowhere.csv");

        Assert.Contains("same file as the input", Assert.Throws<UnsafeOutputException>(() => OutputGuard.Check(_dir.File("to-in.csv"), input)).Message,
            StringComparison.Ordinal);
        Assert.Contains("is a symbolic link (to 'other.csv')",
            Assert.Throws<UnsafeOutputException>(() => OutputGuard.Check(_dir.File("to-other.csv"), input)).Message, StringComparison.Ordinal);
        Assert.Contains("is a symbolic link (to 'nowhere.csv')",
            Assert.Throws<UnsafeOutputException>(() => OutputGuard.Check(_dir.File("dangling.csv"), input)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nulls_and_missing_inputs_are_compared_by_path_only()
    {
        OutputGuard.Check(_dir.File("out.csv"), null, _dir.File("missing.csv"));
        Assert.Throws<UnsafeOutputException>(() => OutputGuard.Check(_dir.File("missing.csv"), _dir.File("missing.csv")));
    }

    [Fact]
    public void A_read_only_file_and_a_missing_folder_are_refused()
    {
        var ro = _dir.WriteText("ro.csv", "x\n");
        File.SetUnixFileMode(ro, UnixFileMode.UserRead);
        Assert.Contains("is read-only", Assert.Throws<UnsafeOutputException>(() => OutputGuard.Check(ro)).Message, StringComparison.Ordinal);
        Assert.Contains("which does not exist",
            Assert.Throws<UnsafeOutputException>(() => OutputGuard.Check(Path.Combine(_dir.Root, "no", "x.csv"))).Message, StringComparison.Ordinal);
        Assert.Contains("is a directory", Assert.Throws<UnsafeOutputException>(() => OutputGuard.Check(_dir.Root)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AtomicFile_names_the_target_not_the_temporary_file_when_the_folder_is_missing()
    {
        var target = Path.Combine(_dir.Root, "no", "x.csv");
        var e = Assert.Throws<UnsafeOutputException>(() => AtomicFile.WriteText(target, w => w.Write("x")));
        Assert.Equal(target, e.OutputPath);
        Assert.DoesNotContain(".tmp", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AtomicFile_keeps_the_permission_bits_of_the_file_it_replaces()
    {
        var target = _dir.WriteText("out.csv", "old\n");
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead;
        File.SetUnixFileMode(target, mode);
        AtomicFile.WriteText(target, w => w.Write("new\n"));
        Assert.Equal("new\n", File.ReadAllText(target));
        Assert.Equal(mode, File.GetUnixFileMode(target));
    }
}
