using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Skein.Cli.Tests;

/// <summary>
/// The hostile-input table (issue 11): each case is a command line over a folder of small inputs, the exit code and a
/// message fragment it must give, and two checks after every run: every entry of the folder is unchanged (kind, mode,
/// link target, SHA-256 of the content) and nothing was added (no output, no temporary file). Outputs are refused
/// before any work, so these cases cost no training. Unix only: links, FIFOs, device nodes and modes are the point.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HostileInputTests : IDisposable
{
    private const string Rules = """
        {"version": 1, "classes": ["HAM", "SPAM"], "textColumn": "text",
         "rules": [
           {"name": "kw_free", "kind": "keyword", "class": "SPAM", "words": ["free", "prize"]},
           {"name": "kw_see", "kind": "keyword", "class": "HAM", "words": ["see", "thanks"]}
         ]}
        """;

    private static readonly bool IsRoot = Environment.UserName == "root";

    private static readonly Lazy<byte[]> Model = new(TrainModel);

    private readonly ScratchDir _dir = new();

    public HostileInputTests()
    {
        var texts = new StringBuilder("text,label\n");
        var probs = new StringBuilder("p0,p1\n");
        for (int i = 0; i < 12; i++)
        {
            bool spam = i % 2 == 0;
            texts.Append(spam ? $"free prize number {i},1\n" : $"see you later {i},0\n");
            probs.Append(spam ? "0.2,0.8\n" : "0.9,0.1\n");
        }

        _dir.File("data.csv", texts.ToString());
        _dir.File("probs.csv", probs.ToString());
        _dir.File("rules.json", Rules);
        _dir.File("votes.csv", "1,0,-1\n0,0,1\n1,1,-1\n0,-1,0\n1,1,1\n");
        _dir.File("other.csv", "keep me\n");
        _dir.File("dup.csv", "text,label,text\nfree prize,1,x\nsee you,0,y\nfree cash,1,z\nsee me,0,w\n");
        _dir.File("model.json", Model.Value);
        _dir.File("ro.csv", "read-only\n");
        File.SetUnixFileMode(_dir.Combine("ro.csv"), UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Directory.CreateDirectory(_dir.Combine("sub"));
        Shell("ln", _dir.Combine("votes.csv"), _dir.Combine("hard.csv"));
        File.CreateSymbolicLink(_dir.Combine("sym.csv"), "votes.csv");
        File.CreateSymbolicLink(_dir.Combine("link-other.csv"), "other.csv");
        Shell("mkfifo", _dir.Combine("fifo"));
        if (IsRoot)
        {
            // A private twin of /dev/null (major 1, minor 3), so a regression could never replace the real one.
            Shell("mknod", _dir.Combine("null"), "c", "1", "3");
        }
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>Command line (an argument starting with @ is a path in the folder), exit code, message fragment (@ likewise).</summary>
    public static TheoryData<string, int, string> Cases => new()
    {
        // Output = an input, per command that writes.
        { "apply -d @data.csv -r @rules.json -o @data.csv", 1, "output '@data.csv' is the same file as the input '@data.csv'" },
        { "apply -d @data.csv -r @rules.json -o @rules.json", 1, "same file as the input '@rules.json'" },
        { "fit -v @votes.csv -k 2 -m mv -o @votes.csv", 1, "same file as the input '@votes.csv'" },
        { "fit -v @votes.csv -k 2 -m mv -g @probs.csv -o @probs.csv", 1, "same file as the input '@probs.csv'" },
        { "train -d @data.csv -t text -l @probs.csv --features tfidf --model softmax -o @probs.csv", 1, "same file as the input '@probs.csv'" },
        { "train -d @data.csv -t text -l @probs.csv --features tfidf --model softmax -o @data.csv", 1, "same file as the input '@data.csv'" },
        { "predict -d @data.csv -m @model.json -o @model.json", 1, "same file as the input '@model.json'" },
        { "predict -d @data.csv -m @model.json -o @data.csv", 1, "same file as the input '@data.csv'" },
        { "find-label-errors -d @data.csv -l @probs.csv -o @probs.csv", 1, "same file as the input '@probs.csv'" },
        { "analyze -v @votes.csv --report @votes.csv", 1, "same file as the input '@votes.csv'" },
        { "analyze -d @data.csv -r @rules.json --report @rules.json", 1, "same file as the input '@rules.json'" },

        // The same file under another name, named in the message as the user typed it.
        { "fit -v @votes.csv -k 2 -m mv -o @./votes.csv", 1, "output '@./votes.csv' is the same file as the input '@votes.csv'" },
        { "fit -v @votes.csv -k 2 -m mv -o @hard.csv", 1, "output '@hard.csv' is the same file as the input '@votes.csv'" },
        { "fit -v @hard.csv -k 2 -m mv -o @votes.csv", 1, "same file as the input '@hard.csv'" },
        { "fit -v @votes.csv -k 2 -m mv -o @sym.csv", 1, "output '@sym.csv' is the same file as the input '@votes.csv'" },
        { "apply -d @data.csv -r @rules.json -o @sub/../data.csv", 1, "same file as the input '@data.csv'" },

        // Targets that must not be replaced.
        { "fit -v @votes.csv -k 2 -m mv -o @link-other.csv", 1, "is a symbolic link" },
        { "fit -v @votes.csv -k 2 -m mv -o @fifo", 1, "is a FIFO" },
        { "apply -d @data.csv -r @rules.json -o @fifo", 1, "is a FIFO" },
        { "fit -v @votes.csv -k 2 -m mv -o @sub", 1, "is a directory" },
        { "fit -v @votes.csv -k 2 -m mv -o @ro.csv", 1, "output '@ro.csv' is read-only" },
        { "train -d @data.csv -t text -l @probs.csv --features tfidf --model softmax -o @ro.csv", 1, "is read-only" },
        { "fit -v @votes.csv -k 2 -m mv -o @missing/probs.csv", 1, "is in the folder '@missing', which does not exist" },
        { "train -d @data.csv -t text -l @probs.csv --features tfidf --model softmax -o @missing/m.json", 1, "which does not exist" },
        { "analyze -v @votes.csv --report @missing/r.html", 1, "which does not exist" },
        { "find-label-errors -d @data.csv -l @probs.csv -o @missing/e.csv", 1, "which does not exist" },

        // Options reported in CLI terms, before any work.
        { "fit -v @votes.csv -k 2 -m metal --seed -1", 2, "--seed must be an integer in [0, 2147483647], not '-1'" },
        { "fit -v @votes.csv -k 2 -m metal --seed 99999999999999999999", 2, "--seed must be an integer" },
        { "train -d @data.csv -t text -l @probs.csv --features tfidf --model softmax -o @m.json --seed -7", 2, "--seed must be" },
        { "find-label-errors -d @data.csv -l @probs.csv -o @e.csv --seed 1e3", 2, "--seed must be" },
        { "demo -o @demo --seed -2", 2, "--seed must be" },
        { "fit -v @votes.csv -k 1 -m mv", 2, "--cardinality must be in [2, 127]" },
        { "fit -v @votes.csv -k 2 -m wmv --class-balance 0.5,0.6", 2, "--class-balance sums to" },
        { "fit -v @votes.csv -k 2 -m mv --frobnicate", 2, "--frobnicate" },
        { "frobnicate", 2, "frobnicate" },
        { "fit -v @votes.csv -k x -m mv", 2, "--cardinality must be an integer, not 'x'." },
        { "train -d @data.csv -t text -l @probs.csv --features tfidf --model softmax -o @m.json --valid-fraction abc", 2,
            "--valid-fraction must be a number, not 'abc'." },

        // Data errors name the file.
        { "w2s -d @dup.csv -t text --label-column label --test @dup.csv --weak softmax-tfidf --strong softmax-tfidf --loss xent", 1,
            "@dup.csv, column 'text': the header names column 'text' twice" },
        { "fit -v @nothing.csv -k 2 -m mv", 1, "nothing.csv" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Refused_before_any_work_and_nothing_changes(string commandLine, int exitCode, string fragment)
    {
        var before = Snapshot();
        var run = CliRun.Invoke([.. commandLine.Split(' ').Select(At)]);

        Assert.True(run.ExitCode == exitCode, run.ToString());
        Assert.Contains(At(fragment), run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
    }

    [Theory]
    [InlineData("apply")]
    [InlineData("analyze")]
    [InlineData("wrench")]
    [InlineData("fit")]
    [InlineData("train")]
    [InlineData("predict")]
    [InlineData("find-label-errors")]
    [InlineData("demo")]
    [InlineData("w2s")]
    public void Help_of_every_command_runs_without_its_required_options(string command)
    {
        var run = CliRun.Invoke(command, "--help");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("--verbose", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_node_is_never_replaced()
    {
        var device = IsRoot ? _dir.Combine("null") : "/dev/null";
        var before = Snapshot();
        var run = CliRun.Invoke("fit", "-v", _dir.Combine("votes.csv"), "-k", "2", "-m", "mv", "-o", device);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"output '{device}' is a character device", run.Error, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
        Assert.Equal("character special file", Shell("stat", "-c", "%F", device).Trim());
    }

    [Fact]
    public void A_folder_without_write_permission_is_refused_up_front()
    {
        if (IsRoot)
        {
            return; // root writes through directory permissions; nothing to refuse
        }

        var locked = _dir.Combine("locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            var run = CliRun.Invoke("fit", "-v", _dir.Combine("votes.csv"), "-k", "2", "-m", "mv", "-o", Path.Combine(locked, "p.csv"));
            Assert.True(run.ExitCode == 1, run.ToString());
            Assert.Contains("where no file can be created", run.Error, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(locked));
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void A_writable_target_is_replaced_keeping_its_mode()
    {
        var target = _dir.File("probs-out.csv", "old\n");
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(target, mode);

        var run = CliRun.Invoke("fit", "-v", _dir.Combine("votes.csv"), "-k", "2", "-m", "mv", "-o", target, "-q");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("p0,p1\n", File.ReadAllText(target), StringComparison.Ordinal);
        Assert.Equal(mode, File.GetUnixFileMode(target));
        Assert.DoesNotContain(_dir.Entries(), e => e.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Sigterm_and_sigint_delete_the_temporary_output()
    {
        foreach (var signal in new[] { "TERM", "INT" })
        {
            // apply opens its temporary votes file, then blocks opening the data FIFO: a run interrupted mid-write.
            var fifo = _dir.Combine("in-" + signal + ".csv");
            Shell("mkfifo", fifo);
            var cli = typeof(SkeinApp).Assembly.Location;
            // A shell runs background jobs with SIGINT ignored, and an ignored signal is inherited: env execs dotnet
            // with both signals at their defaults, as a user's foreground run has them.
            var start = new ProcessStartInfo("env") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "--default-signal=INT,TERM", "dotnet", cli, "apply", "-d", fifo, "-r", _dir.Combine("rules.json"), "-o", _dir.Combine("out.csv") })
            {
                start.ArgumentList.Add(a);
            }

            using var process = Process.Start(start)!;
            var clock = Stopwatch.StartNew();
            // The output's own temporary file (.tmp), not the guard's folder probe (.probe), which is deleted at once.
            while (!_dir.Entries().Any(e => e.StartsWith(".out.csv.", StringComparison.Ordinal) && e.EndsWith(".tmp", StringComparison.Ordinal)))
            {
                if (process.HasExited)
                {
                    Assert.Fail("apply ended before it opened its output: " + process.StandardError.ReadToEnd());
                }

                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "no temporary output appeared");
                Thread.Sleep(20);
            }

            Shell("kill", "-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(process.WaitForExit(30_000), "apply did not end on SIG" + signal);
            Assert.NotEqual(0, process.ExitCode);
            Assert.Contains("interrupted (SIG" + signal + "); 1 unfinished output was deleted", process.StandardError.ReadToEnd(), StringComparison.Ordinal);
            Assert.DoesNotContain(_dir.Entries(), e => e.StartsWith(".out.csv.", StringComparison.Ordinal) || e == "out.csv");
        }
    }

    [Fact]
    public void An_internal_error_is_one_line_with_a_hint_and_the_trace_only_when_verbose()
    {
        Exception bug;
        try
        {
            throw new InvalidOperationException("the sky fell\non two lines");
        }
        catch (InvalidOperationException e)
        {
            bug = e;
        }

        using var quiet = new StringWriter();
        Assert.Equal(3, ErrorReport.Write(bug, quiet, verbose: false));
        var lines = quiet.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("internal error: InvalidOperationException: the sky fell on two lines", lines[0]);
        Assert.Contains("--verbose", lines[1], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);

        using var verbose = new StringWriter();
        Assert.Equal(3, ErrorReport.Write(new AggregateException(bug), verbose, verbose: true));
        Assert.Contains("   at ", verbose.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(typeof(ArgumentNullException), 3)]
    [InlineData(typeof(ArgumentOutOfRangeException), 3)]
    [InlineData(typeof(NullReferenceException), 3)]
    [InlineData(typeof(IndexOutOfRangeException), 3)]
    [InlineData(typeof(OverflowException), 3)]
    [InlineData(typeof(ArgumentException), 1)]
    [InlineData(typeof(FileNotFoundException), 1)]
    [InlineData(typeof(UnauthorizedAccessException), 1)]
    public void Exit_code_by_exception_type(Type type, int exitCode) =>
        Assert.Equal(exitCode, ErrorReport.ExitCodeFor((Exception)Activator.CreateInstance(type)!));

    [Fact]
    public void Library_options_errors_are_internal_not_data_errors() =>
        Assert.Equal(3, ErrorReport.ExitCodeFor(new ArgumentException("MatrixCompletionOptions.Seed = -1; …", "options")));

    [Fact]
    public void Verbose_is_accepted_by_every_command_and_prints_the_trace_of_a_data_error()
    {
        var run = CliRun.Invoke("fit", "-v", _dir.Combine("nothing.csv"), "-k", "2", "-m", "mv", "--verbose");
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wide_votes_file_renders_as_a_table_quickly()
    {
        const int lfs = 3_000;
        var row = string.Join(',', Enumerable.Range(0, lfs).Select(j => (j % 3) - 1));
        var votes = _dir.File("wide.csv", string.Join('\n', Enumerable.Repeat(row, 4)) + "\n");
        var clock = Stopwatch.StartNew();
        var run = CliRun.Invoke("analyze", "-v", votes, "-q");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.Elapsed.TotalSeconds:F1} s");
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lfs + 6, lines.Length); // title, 3 rules, header, one line per LF, totals
        Assert.Contains(lines, l => l.StartsWith("│ 2999 │ lf_2999 │", StringComparison.Ordinal));
        Assert.Single(lines[1..^1].Select(l => l.Length).Distinct()); // rules, header and rows line up
    }

    // "@name" → the path of name in the scratch folder (as typed: no normalisation, so "@./x" keeps its "./").
    private string At(string text) => text.Replace("@", _dir.Path + "/", StringComparison.Ordinal);

    /// <summary>Every entry of the folder: name, kind, mode, link target, and the SHA-256 of regular files.</summary>
    private string Snapshot()
    {
        var paths = Directory.GetFileSystemEntries(_dir.Path).Order(StringComparer.Ordinal).ToArray();
        var kinds = Shell("stat", ["-c", "%F %a", .. paths]).Split('\n');
        var lines = new List<string>();
        for (int i = 0; i < paths.Length; i++)
        {
            var info = new FileInfo(paths[i]);
            var hash = info.LinkTarget is null && kinds[i].StartsWith("regular", StringComparison.Ordinal)
                ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(paths[i])))
                : string.Empty;
            lines.Add($"{Path.GetFileName(paths[i])} {kinds[i]} {info.LinkTarget} {hash}");
        }

        return string.Join('\n', lines);
    }

    private static string Shell(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: {process.StandardError.ReadToEnd()}");
        return output;
    }

    private static byte[] TrainModel()
    {
        using var dir = new ScratchDir();
        var data = dir.File("d.csv", "text\nfree prize now\nsee you later\nfree cash\nthanks see you\n");
        var probs = dir.File("p.csv", "p0,p1\n0.1,0.9\n0.9,0.1\n0.2,0.8\n0.8,0.2\n");
        var run = CliRun.Invoke("train", "-d", data, "-t", "text", "-l", probs, "--features", "tfidf", "--model", "softmax",
            "-o", dir.Combine("m.json"), "-q");
        Assert.True(run.ExitCode == 0, run.ToString());
        return File.ReadAllBytes(dir.Combine("m.json"));
    }
}
