using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Skein.Onnx;
using Skein.Transformers;

namespace Skein.Benchmarks;

/// <summary>
/// Managed BERT encoder (Skein.Transformers) against ONNX Runtime on the bundled MiniLM: forward-only sentences/s,
/// and a training step (forward + backward into the gradients, no optimiser) for a full and a top-2-layer
/// fine-tune, on the first N YouTube comments of the repository's WRENCH fixture, in batches of 16 sorted by length.
/// </summary>
internal static class EncoderCommand
{
    public static int Run(string[] args)
    {
        int rows = Options.Int(args, "--rows", 512);
        int repeat = Options.Int(args, "--repeat", 3);
        var threads = Options.Threads(args);
        const int BatchSize = 16;
        var texts = Comments(Options.Get(args, "--youtube") ?? FindFixture(), rows);
        if (args.Contains("--matmul"))
        {
            return MatMul(threads, repeat);
        }

        if (args.Contains("--profile"))
        {
            return Profile(texts, threads[0], repeat);
        }

        Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} logical cores, .NET {Environment.Version}, "
            + $"{texts.Length} YouTube comments, batches of {BatchSize} sorted by length, modes interleaved, best of {repeat} rounds after a warm-up, "
            + $"load average {LoadAverage()}");
        Console.WriteLine("| what | threads | seconds | sentences/s | vs ORT forward |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (int t in threads)
        {
            using var onnx = new SentenceEmbedder(new SentenceEmbedderOptions { IntraOpNumThreads = t, BatchSize = BatchSize });
            // Spinning intra-op threads lose much of their speed on a crowded machine (docs/embeddings.md).
            using var onnxQuiet = new SentenceEmbedder(new SentenceEmbedderOptions { IntraOpNumThreads = t, BatchSize = BatchSize, AllowSpinning = false });
            var encoder = BertEncoder.LoadBundled(new BertEncoderOptions { Threads = t });
            var top2 = BertEncoder.LoadBundled(new BertEncoderOptions { Threads = t, FrozenLayers = encoder.Config.Layers - 2 });
            var batches = Batches(encoder, texts, BatchSize);
            var sw = Stopwatch.StartNew();
            Train(top2, batches);
            double firstEpoch = sw.Elapsed.TotalSeconds;

            // The machine is shared: the modes take turns, round after round, and each keeps its best round, so a
            // burst of load elsewhere does not land on one mode only.
            (string Name, Action Run)[] modes =
            [
                ("ONNX Runtime forward", () => onnx.Encode(texts)),
                ("ONNX Runtime forward, no spinning", () => onnxQuiet.Encode(texts)),
                ("managed forward", () => encoder.Encode(texts, BatchSize)),
                ("managed train step, full (fwd+bwd)", () => Train(encoder, batches)),
                ("managed train step, top 2 layers, cached", () => Train(top2, batches)),
            ];
            var best = new double[modes.Length];
            Array.Fill(best, double.MaxValue);
            foreach (var mode in modes)
            {
                mode.Run(); // warm-up: JIT tiers and ORT's first-call allocations
            }

            for (int round = 0; round < repeat; round++)
            {
                for (int m = 0; m < modes.Length; m++)
                {
                    var timer = Stopwatch.StartNew();
                    modes[m].Run();
                    best[m] = Math.Min(best[m], timer.Elapsed.TotalSeconds);
                }
            }

            // Ratios are against the faster of the two ONNX Runtime settings.
            double ort = Math.Min(best[0], best[1]);
            for (int m = 0; m < modes.Length; m++)
            {
                Row(modes[m].Name, t, best[m], texts.Length, ort);
            }

            Row("managed train step, top 2 layers, 1st epoch (fills cache)", t, firstEpoch, texts.Length, ort);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"<!-- threads {t}: frozen-output cache {top2.CachedRows} rows, {top2.CachedBytes / 1e6:F1} MB; load average now {LoadAverage()} -->"));
        }

        using var process = Process.GetCurrentProcess();
        var gc = GC.GetGCMemoryInfo();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peak working set {process.PeakWorkingSet64 / 1e6:F0} MB (GC heap after the last collection {gc.HeapSizeBytes / 1e6:F0} MB, "
            + $"live after a full collection {GC.GetTotalMemory(forceFullCollection: true) / 1e6:F0} MB)"));
        return 0;
    }

    /// <summary>Where the managed forward pass spends its time: its products and attention, timed on their own.</summary>
    private static int Profile(string[] texts, int threads, int repeat)
    {
        var encoder = BertEncoder.LoadBundled(new BertEncoderOptions { Threads = threads });
        var batches = Batches(encoder, texts, 16);
        var c = encoder.Config;
        var segments = batches.Select(b =>
        {
            var lengths = Enumerable.Range(0, b.BatchSize).Select(r => b.AttentionMask.AsSpan(r * b.SequenceLength, b.SequenceLength).ToArray().Sum()).ToArray();
            var starts = new int[lengths.Length];
            for (int r = 1; r < starts.Length; r++)
            {
                starts[r] = starts[r - 1] + lengths[r - 1];
            }

            return new Skein.Transformers.Kernels.Segments(starts, lengths, new int[lengths.Sum()], new int[lengths.Sum()], c.Heads);
        }).ToList();
        int maxTokens = segments.Max(s => s.Tokens);
        var random = new Random(1);
        float[] Buffer(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f)];
        var x = Buffer(maxTokens * c.Intermediate);
        var y = new float[maxTokens * c.Intermediate];
        var wSquare = Buffer(c.Hidden * c.Hidden);
        var wUp = Buffer(c.Hidden * c.Intermediate);
        var q = Buffer(maxTokens * c.Hidden);
        double all = Options.BestOf(repeat, () => encoder.Encode(texts, 16));
        double products = Options.BestOf(repeat, () =>
        {
            foreach (var s in segments)
            {
                for (int l = 0; l < c.Layers; l++)
                {
                    for (int i = 0; i < 4; i++)
                    {
                        Skein.Transformers.Kernels.MatrixProduct.Multiply(x, false, wSquare, false, y, s.Tokens, c.Hidden, c.Hidden, threads);
                    }

                    Skein.Transformers.Kernels.MatrixProduct.Multiply(x, false, wUp, false, y, s.Tokens, c.Hidden, c.Intermediate, threads);
                    Skein.Transformers.Kernels.MatrixProduct.Multiply(x, false, wUp, false, y, s.Tokens, c.Intermediate, c.Hidden, threads);
                }
            }
        });
        double attention = Options.BestOf(repeat, () =>
        {
            foreach (var s in segments)
            {
                for (int l = 0; l < c.Layers; l++)
                {
                    Skein.Transformers.Kernels.Attention.Forward(q, q, q, y, null, s, c.Heads, c.HeadSize, 0f, 0, 0, threads);
                }
            }
        });
        long tokens = segments.Sum(s => (long)s.Tokens);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"threads {threads}, {texts.Length} texts, {tokens} tokens: forward {all:F3} s; products {products:F3} s "
            + $"({2.0 * tokens * c.Layers * ((4.0 * c.Hidden * c.Hidden) + (2.0 * c.Hidden * c.Intermediate)) / products / 1e9:F1} GFLOP/s); "
            + $"attention {attention:F3} s; load average {LoadAverage()}"));
        return 0;
    }

    /// <summary>GFLOP/s of the kernel on MiniLM's FFN shape for a 16-sentence batch (480 tokens × 384 → 1536).</summary>
    private static int MatMul(int[] threads, int repeat)
    {
        const int M = 480, K = 384, N = 1536;
        var random = new Random(1);
        var a = Enumerable.Range(0, M * K).Select(_ => (float)random.NextDouble()).ToArray();
        var b = Enumerable.Range(0, K * N).Select(_ => (float)random.NextDouble()).ToArray();
        var c = new float[M * N];
        Console.WriteLine($"# matrix product {M}×{K}·{K}×{N}, Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
        foreach (int t in threads)
        {
            foreach (bool wide in new[] { true, false })
            {
                foreach (var (aT, bT) in new[] { (false, false), (true, false), (false, true) })
                {
                    double seconds = Options.BestOf(repeat * 10, () =>
                        Skein.Transformers.Kernels.MatrixProduct.Multiply(a, aT, b, bT, c, M, K, N, t, allowVector512: wide));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"threads {t} vector512 {wide} aT {aT} bT {bT}: {seconds * 1e3:F2} ms, {2.0 * M * K * N / seconds / 1e9:F1} GFLOP/s"));
                }
            }
        }

        return 0;
    }

    private static void Row(string what, int threads, double seconds, int count, double ortSeconds) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {what} | {threads} | {seconds:F3} | {count / seconds:F0} | {ortSeconds / seconds:F2}× |"));

    private static List<TokenBatch> Batches(BertEncoder encoder, string[] texts, int batchSize)
    {
        var order = Enumerable.Range(0, texts.Length).OrderBy(i => texts[i].Length).ToArray();
        var batches = new List<TokenBatch>();
        for (int b = 0; b < order.Length; b += batchSize)
        {
            var ids = order[b..Math.Min(order.Length, b + batchSize)];
            batches.Add(encoder.Tokenize([.. ids.Select(i => texts[i])], 256) with { RowIds = ids });
        }

        return batches;
    }

    private static void Train(BertEncoder encoder, List<TokenBatch> batches)
    {
        ulong seed = 1;
        foreach (var batch in batches)
        {
            var pass = encoder.Forward(batch, training: true, seed++);
            // A stand-in loss gradient; the cost of the backward pass does not depend on its values.
            var gradient = new float[pass.Pooled.Length];
            Array.Fill(gradient, 1e-3f);
            encoder.Backward(pass, gradient);
        }
    }

    private static string[] Comments(string path, int count)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return [.. doc.RootElement.EnumerateObject().Take(count).Select(p => p.Value.GetProperty("data").GetProperty("text").GetString()!)];
    }

    private static string FindFixture()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Skein.slnx")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? ".", "tests", "data", "youtube", "wrench_youtube_train.json");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
