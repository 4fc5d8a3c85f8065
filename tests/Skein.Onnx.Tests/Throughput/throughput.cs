#:project ../../../src/Skein.Onnx/Skein.Onnx.csproj
#:property TreatWarningsAsErrors=false
#:property GenerateDocumentationFile=false

// Embedder throughput on YouTube comments, and the zero-shot LF's coverage/accuracy on them. Not part of the
// test run (the test project does not compile this folder). Usage, from the repository root:
//   dotnet run -c Release tests/Skein.Onnx.Tests/Throughput/throughput.cs -- /path/to/youtube_spam [n] [reps] [batches]
// e.g. "... 1000 3 8,16,32" runs only threads {1, 2} × those batch sizes; add "nospin" to turn spinning off.
using System.Diagnostics;
using Skein.IO;
using Skein.Labeling;
using Skein.Onnx;

var dir = args.Length > 0 ? args[0] : "/work/shared/data/youtube_spam";
int n = args.Length > 1 ? int.Parse(args[1]) : 1000;
int reps = args.Length > 2 ? int.Parse(args[2]) : 3;
int[] batches = args.Length > 3 ? [.. args[3].Split(',').Select(int.Parse)] : [32, 64];
bool gridSpin = args.Length <= 4 || args[4] != "nospin"; // 5th argument "nospin": the grid without spinning
bool full = args.Length <= 3; // with an explicit batch list, only the threads × batch grid

var texts = new List<string>();
var labels = new List<int>();
foreach (var file in Directory.GetFiles(dir, "*.csv").Order(StringComparer.Ordinal))
{
    using var reader = TabularReader.Open(file);
    foreach (var record in reader.ReadRecords())
    {
        texts.Add(record["CONTENT"] ?? "");
        labels.Add(int.Parse(record["CLASS"] ?? "0"));
    }
}

var sample = texts.Take(n).ToArray();
Console.WriteLine($"{sample.Length} comments from {dir}; {Environment.ProcessorCount} cores visible");

var configs = new List<(int Threads, int Batch, int Window, bool Spin)>();
foreach (int threads in new[] { 1, 2 })
{
    foreach (int batch in batches)
    {
        configs.Add((threads, batch, 1024, gridSpin));
    }
}

if (full)
{
    configs.Add((1, 32, 1, true));
    configs.Add((2, 16, 1024, false));
    configs.Add((2, 32, 1024, false));
}
var process = Process.GetCurrentProcess();
foreach (var (threads, batch, window, spin) in configs)
{
    {
        {
            var sw = Stopwatch.StartNew();
            using var embedder = new SentenceEmbedder(new SentenceEmbedderOptions
            {
                IntraOpNumThreads = threads, BatchSize = batch, SortWindow = window, AllowSpinning = spin,
            });
            double load = sw.Elapsed.TotalSeconds;
            if (threads == 1 && batch == 32 && window > 1)
            {
                var lengths = sample.Select(t => embedder.TokenIds(t).Length).ToArray();
                Console.WriteLine($"model load {load:F2} s; word pieces per comment: mean {lengths.Average():F1}, max {lengths.Max()}");
            }

            embedder.Encode(sample.Take(64).ToArray()); // warm-up: first-run allocations and kernel selection
            var rates = new List<double>();
            var cpuRates = new List<double>();
            for (int r = 0; r < reps; r++)
            {
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                sw.Restart();
                embedder.Encode(sample);
                rates.Add(sample.Length / sw.Elapsed.TotalSeconds);
                process.Refresh();
                cpuRates.Add(sample.Length / (process.TotalProcessorTime - cpu).TotalSeconds);
            }

            rates.Sort();
            cpuRates.Sort();
            // Per CPU-second: less sensitive to other processes on the box than wall-clock rates.
            Console.WriteLine($"threads {threads}  batch {batch,2}  sort {(window > 1 ? "on " : "off")}  spin {(spin ? "on " : "off")}  "
                + $"median {rates[rates.Count / 2],6:F0} sent/s  (min {rates[0]:F0}, max {rates[^1]:F0});  "
                + $"{cpuRates[cpuRates.Count / 2]:F0} sent per CPU-s; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        }
    }
}

if (!full)
{
    return;
}

// Cache: a cold pass fills it, a rerun answers from disk.
var cacheDir = Path.Combine(Path.GetTempPath(), "skein-bench-cache-" + Guid.NewGuid().ToString("N"));
try
{
    using var inner = new SentenceEmbedder(new SentenceEmbedderOptions { IntraOpNumThreads = 2 });
    var sw = Stopwatch.StartNew();
    new CachedSentenceEmbedder(inner, cacheDir).Encode(sample);
    double cold = sw.Elapsed.TotalSeconds;
    sw.Restart();
    var warm = new CachedSentenceEmbedder(inner, cacheDir);
    warm.Encode(sample);
    Console.WriteLine($"cache: cold {cold:F2} s, rerun (new instance, loads the file) {sw.Elapsed.TotalMilliseconds:F0} ms, "
        + $"{warm.Hits} hits, file {new FileInfo(warm.Cache.FilePath).Length / 1024} KiB");

    // Zero-shot LF on every comment in the folder (1 = spam, 0 = ham).
    var cached = new CachedSentenceEmbedder(inner, cacheDir);
    var all = cached.Encode(texts);
    ClassPrototype[] classes =
    [
        ClassPrototype.Of(1, "check out my channel, subscribe!", "visit my website to win free money",
            "please like and share my video"),
        ClassPrototype.Of(0, "this song is beautiful", "I love her voice in this music video", "this video is so funny"),
    ];
    foreach (var (margin, min) in new[] { (0.0, -1.0), (0.05, 0.2), (0.1, 0.2), (0.15, 0.25) })
    {
        var tuned = EmbeddingPrototypeLabelingFunction.Create("zero_shot", inner, classes,
            new PrototypeOptions { Margin = margin, MinSimilarity = min });
        var rows = tuned.OverRows(all);
        int voted = 0, correct = 0;
        for (int i = 0; i < all.Length; i++)
        {
            int v = rows.Vote(i);
            if (v != LabelingFunction.Abstain)
            {
                voted++;
                correct += v == labels[i] ? 1 : 0;
            }
        }

        Console.WriteLine($"zero-shot LF margin {margin:F2} min {min:F2}: coverage {(double)voted / all.Length:P1}, "
            + $"accuracy {(double)correct / Math.Max(1, voted):P1} on {all.Length} comments");
    }
}
finally
{
    Directory.Delete(cacheDir, recursive: true);
}
