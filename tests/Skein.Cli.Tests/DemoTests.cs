using System.Text.Json;
using Skein.Cli.Report;

namespace Skein.Cli.Tests;

/// <summary>Runs the real demo once per test process; the embedding cache under the temp directory makes reruns fast.</summary>
internal static class DemoRunOnce
{
    private static readonly Lazy<(CliRun Run, string OutDir)> Lazy = new(() =>
    {
        var outDir = Path.Combine(Path.GetTempPath(), "skein-demo-tests");
        if (File.Exists(Path.Combine(outDir, "report.html")))
        {
            File.Delete(Path.Combine(outDir, "report.html"));
        }
        return (CliRun.Invoke("demo", "--out", outDir, "--json"), outDir);
    });

    public static CliRun Run => Lazy.Value.Run;

    public static string ReportPath => Path.Combine(Lazy.Value.OutDir, "report.html");

    public static string EmbeddingCache => Path.Combine(Lazy.Value.OutDir, ".cache", "embeddings");
}

public class DemoTests
{
    [Fact]
    public void Demo_prints_the_json_shape_and_writes_a_report_with_every_id()
    {
        var run = DemoRunOnce.Run;
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        foreach (var key in new[] { "label_model", "end_model" })
        {
            var model = json.RootElement.GetProperty(key);
            Assert.False(string.IsNullOrEmpty(model.GetProperty("name").GetString()));
            double accuracy = model.GetProperty("accuracy").GetDouble();
            Assert.InRange(accuracy, 0.8, 1.0);
        }

        Assert.Equal(2, json.RootElement.EnumerateObject().Count());
        Assert.Contains("embedded 1,586 comments", run.Error, StringComparison.Ordinal);
        var html = File.ReadAllText(DemoRunOnce.ReportPath);
        foreach (var id in ModelSections.DemoIds)
        {
            Assert.Contains($"id=\"{id}\"", html, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_library_only_example_chooses_the_same_models_with_the_same_accuracies()
    {
        var demo = DemoRunOnce.Run;
        Assert.True(demo.ExitCode == 0, demo.ToString());
        // The example (examples/Skein.Examples, `demo`) reads the bundled comments itself and calls AutoPipeline; with the
        // demo's embedding cache it skips the MiniLM pass but still fits every label model and end model.
        var output = Path.GetRelativePath(RepoPaths.Get("tests", "Skein.Cli.Tests"), AppContext.BaseDirectory);
        var example = RepoPaths.Get("examples", "Skein.Examples", output, "Skein.Examples.dll");
        Assert.True(File.Exists(example), example);
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { example, "demo", "--json", "--seed", "1", "--cache", DemoRunOnce.EmbeddingCache })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stderrTask = process.StandardError.ReadToEndAsync();
        string stdout = await process.StandardOutput.ReadToEndAsync();
        string stderr = await stderrTask;
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, stderr);
        using var fromDemo = JsonDocument.Parse(demo.Output);
        using var fromExample = JsonDocument.Parse(stdout);
        foreach (var key in new[] { "label_model", "end_model" })
        {
            Assert.Equal(fromDemo.RootElement.GetProperty(key).GetProperty("name").GetString(), fromExample.RootElement.GetProperty(key).GetProperty("name").GetString());
            Assert.Equal(fromDemo.RootElement.GetProperty(key).GetProperty("accuracy").GetDouble(), fromExample.RootElement.GetProperty(key).GetProperty("accuracy").GetDouble());
        }

        Assert.Equal(demo.Output.Trim(), stdout.Trim());
    }

    [Fact]
    public void Demo_test_file_with_other_columns_is_a_data_error_naming_file_and_column()
    {
        using var dir = new ScratchDir();
        var bad = dir.File("comments.csv", "COMMENT_ID,AUTHOR,DATE,TEXT,CLASS\n1,a,2014,hello,0\n");
        var run = CliRun.Invoke("demo", "--out", dir.Combine("out"), "--test", bad);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("comments.csv", run.Error, StringComparison.Ordinal);
        Assert.Contains("CONTENT", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.Combine("out/report.html")));
    }

    [Fact]
    public void Demo_test_file_with_a_bad_class_is_a_data_error()
    {
        using var dir = new ScratchDir();
        var bad = dir.File("comments.csv", "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n1,a,2014,hello there,spam\n");
        var run = CliRun.Invoke("demo", "--out", dir.Combine("out"), "--test", bad);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("CLASS", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_missing_test_file_is_a_data_error()
    {
        using var dir = new ScratchDir();
        var run = CliRun.Invoke("demo", "--out", dir.Combine("out"), "--test", dir.Combine("nope.csv"));
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("nope.csv", run.Error, StringComparison.Ordinal);
    }
}
