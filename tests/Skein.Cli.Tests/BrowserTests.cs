using System.Diagnostics;
using Skein.Cli.Report;

namespace Skein.Cli.Tests;

/// <summary>Opens the real demo report in headless Chromium, as a user would, and checks the rendered DOM.</summary>
public class BrowserTests
{
    [Fact]
    public void Demo_report_renders_every_chart_and_table_in_chromium()
    {
        var chromium = FindChromium();
        if (chromium is null)
        {
            Assert.True(Environment.GetEnvironmentVariable("SKEIN_REQUIRE_BROWSER") != "1",
                "SKEIN_REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium).");
            Console.WriteLine("skipped: chromium not found; install Debian's chromium package to render the report.");
            return;
        }

        var run = DemoRunOnce.Run;
        Assert.True(run.ExitCode == 0, run.ToString());
        var profile = Path.Combine(Path.GetTempPath(), "skein-chromium-" + Guid.NewGuid().ToString("N"));
        try
        {
            var dom = RunChromium(chromium, profile, "--dump-dom", new Uri(DemoRunOnce.ReportPath).AbsoluteUri);
            foreach (var id in ModelSections.DemoIds)
            {
                Assert.Contains($"id=\"{id}\"", dom, StringComparison.Ordinal);
            }

            // Every chart is a figure with an SVG inside, and tables have rows.
            Assert.True(CountOf(dom, "<figure class=\"chart") >= 6, dom[..Math.Min(2000, dom.Length)]);
            Assert.True(CountOf(dom, "<svg") >= 6);
            Assert.True(CountOf(dom, "<tr>") >= 8);
        }
        finally
        {
            if (Directory.Exists(profile))
            {
                Directory.Delete(profile, recursive: true);
            }
        }
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string? FindChromium() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .SelectMany(dir => new[] { "chromium", "chromium-browser", "google-chrome" }.Select(name => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);

    private static string RunChromium(string chromium, string profile, params string[] args)
    {
        var start = new ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}",
        }.Concat(args))
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "chromium did not finish in 2 minutes");
        Assert.True(process.ExitCode == 0, $"chromium exit {process.ExitCode}: {stderr.Result}");
        return stdout;
    }
}
