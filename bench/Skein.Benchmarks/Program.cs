using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Skein.Benchmarks;
using Skein.Data;
using Skein.Labeling;

// Usage:
//   dotnet run -c Release --project bench/Skein.Benchmarks -- apply --sentiment140 DIR [--threads 1,2] [--repeat 3]
//   dotnet run -c Release --project bench/Skein.Benchmarks -- compare [--rows 1000000] [--threads 1,2]
//   dotnet run -c Release --project bench/Skein.Benchmarks -- label-models [--sizes 100000x20x2,...] [--models mv,wmv,ds,dp,metal,fs]
//   dotnet run -c Release --project bench/Skein.Benchmarks -- calibration --datasets ../shared/data/wrench_youtube,...
//   dotnet run -c Release --project bench/Skein.Benchmarks -- encoder [--rows 512] [--threads 1,2] [--repeat 2]
//   dotnet run -c Release --project bench/Skein.Benchmarks -- bdn [BenchmarkDotNet arguments, e.g. --filter *]
var mode = args.Length > 0 ? args[0] : "help";
switch (mode)
{
    case "apply":
        return ApplyCommand.Run(args[1..]);
    case "compare":
        return StatisticsCommand.Run(args[1..]);
    case "label-models":
        return LabelModelsCommand.Run(args[1..]);
    case "encoder":
        return EncoderCommand.Run(args[1..]);
    case LabelModelsCommand.ChildMode:
        return LabelModelsCommand.RunChild(args[1..]);
    case "calibration":
        return CalibrationCommand.Run(args[1..]);
    case "bdn":
        BenchmarkSwitcher.FromAssembly(typeof(SufficientStatisticsBenchmark).Assembly).Run(args[1..]);
        return 0;
    default:
        Console.Error.WriteLine("""
            Modes:
              apply --sentiment140 DIR [--threads 1,2] [--repeat 3]   time keyword and regex LFs on Sentiment140 (Stopwatch)
              compare [--rows N] [--threads 1,2]                      time SufficientStatistics.Compute on N×20×2 (Stopwatch)
              label-models [--sizes NxMxK,..] [--models mv,..] [--repeat 3] [--no-class-balance] [--markdown FILE]
                                                                      fit/predict time, accuracy vs the Bayes oracle and peak
                                                                      memory of each label model, one child process per (size, model)
              calibration --datasets DIR,.. [--models mv,..]         ECE, Brier and log-loss of each label model on covered
                                                                      WRENCH valid rows, before and after temperature scaling
              encoder [--rows N] [--threads 1,2] [--repeat 2]         managed MiniLM forward and training step vs ONNX Runtime
              bdn [BenchmarkDotNet args]                              run the BenchmarkDotNet classes
            """);
        return mode == "help" ? 0 : 2;
}

namespace Skein.Benchmarks
{
    internal static class Options
    {
        public static string? Get(string[] args, string name)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        public static int[] Threads(string[] args) =>
            (Get(args, "--threads") ?? "1,2").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

        public static int Int(string[] args, string name, int fallback) =>
            Get(args, name) is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : fallback;

        /// <summary>
        /// Warms up (at least once and for at least half a second, so tiered JIT has promoted the hot code), then
        /// runs <paramref name="repeat"/> times; returns the best wall time in seconds.
        /// </summary>
        public static double BestOf(int repeat, Action action)
        {
            var warm = Stopwatch.StartNew();
            do
            {
                action();
            }
            while (warm.Elapsed.TotalSeconds < 0.5);

            double best = double.MaxValue;
            for (int r = 0; r < repeat; r++)
            {
                var sw = Stopwatch.StartNew();
                action();
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
            }

            return best;
        }
    }

    /// <summary>A tweet and its emoticon-derived label (0 = negative, 1 = positive).</summary>
    internal sealed record Tweet(string Text, int Label);

    internal static class ApplyCommand
    {
        // 20 keyword LFs over common sentiment words (substring, ignore case — the library defaults).
        private static readonly (string Name, int Label, string[] Words)[] Keywords =
        [
            ("kw_love", 1, ["love", "loving", "lovely"]),
            ("kw_good", 1, ["good", "great", "nice"]),
            ("kw_happy", 1, ["happy", "glad", "yay"]),
            ("kw_thanks", 1, ["thank", "thx", "appreciate"]),
            ("kw_awesome", 1, ["awesome", "amazing", "wonderful"]),
            ("kw_fun", 1, ["fun", "enjoy", "excited"]),
            ("kw_best", 1, ["best", "perfect", "beautiful"]),
            ("kw_lol", 1, ["lol", "haha", "hehe"]),
            ("kw_cool", 1, ["cool", "sweet", "fantastic"]),
            ("kw_congrats", 1, ["congrat", "welcome", "proud"]),
            ("kw_sad", 0, ["sad", "unhappy", "depress"]),
            ("kw_hate", 0, ["hate", "hating", "awful"]),
            ("kw_bad", 0, ["bad", "terrible", "worst"]),
            ("kw_sick", 0, ["sick", "ill ", "headache"]),
            ("kw_miss", 0, ["miss", "lonely", "alone"]),
            ("kw_sorry", 0, ["sorry", "apolog", "regret"]),
            ("kw_tired", 0, ["tired", "exhausted", "sleepy"]),
            ("kw_ugh", 0, ["ugh", "argh", "damn"]),
            ("kw_cry", 0, ["cry", "tears", "upset"]),
            ("kw_fail", 0, ["fail", "broke", "lost"]),
        ];

        // 20 regex LFs of the kind written for WRENCH-style rule sets.
        private static readonly (string Name, int Label, string Pattern)[] Patterns =
        [
            ("re_love", 1, @"\blov(e|es|ed|ing)\b"),
            ("re_good_day", 1, @"\b(good|great|nice) (day|night|morning|time)\b"),
            ("re_thanks", 1, @"\bthank(s| you)\b"),
            ("re_laugh", 1, @"\b(ha){2,}\b|\blo+l\b"),
            ("re_excl_pos", 1, @"\b(yay|woo+|yes+)!+"),
            ("re_cant_wait", 1, @"can'?t wait"),
            ("re_so_pos", 1, @"\bso (happy|excited|proud|good)\b"),
            ("re_xo", 1, @"\bx+o+x*\b"),
            ("re_welcome", 1, @"\b(welcome|congrat\w*)\b"),
            ("re_best", 1, @"\bbest \w+ ever\b"),
            ("re_not", 0, @"\b(not|n't) (good|happy|fun|well)\b"),
            ("re_miss", 0, @"\bmiss(ing|ed)? (you|u|him|her|it)\b"),
            ("re_sick", 0, @"\b(sick|ill|flu|fever)\b"),
            ("re_sad", 0, @"\bsad+\b|\bdepress\w*"),
            ("re_hate", 0, @"\bhate[sd]?\b"),
            ("re_sorry", 0, @"\bso+rr+y\b"),
            ("re_ugh", 0, @"\bu+g+h+\b"),
            ("re_tired", 0, @"\b(so|very|really) tired\b"),
            ("re_no_sleep", 0, @"can'?t sleep"),
            ("re_work", 0, @"\b(have to|got to|gotta) (work|go)\b"),
        ];

        public static int Run(string[] args)
        {
            var dir = Options.Get(args, "--sentiment140");
            if (dir is null)
            {
                Console.Error.WriteLine("apply: --sentiment140 DIR is required (the folder with positive.txt and negative.txt).");
                return 2;
            }

            var threads = Options.Threads(args);
            int repeat = Options.Int(args, "--repeat", 3);
            var tweets = File.ReadLines(Path.Combine(dir, "positive.txt")).Select(t => new Tweet(t, 1))
                .Concat(File.ReadLines(Path.Combine(dir, "negative.txt")).Select(t => new Tweet(t, 0)))
                .ToArray();

            var keywordLfs = Keywords
                .Select(k => LabelingFunction.Keyword<Tweet>(k.Name, t => t.Text, k.Label, k.Words)).ToArray();
            var regexLfs = Patterns
                .Select(p => LabelingFunction.Pattern<Tweet>(p.Name, t => t.Text, p.Label, p.Pattern,
                    new PatternOptions { IgnoreCase = true })).ToArray();

            Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} logical cores, .NET {Environment.Version}, best of {repeat} after a ≥ 0.5 s warm-up");
            Console.WriteLine("| LFs | rows | LFs | threads | seconds | row·LF/s | row·LF/s per thread | vs 1 thread | density | MB allocated per run |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (kind, lfs) in new[] { ("keyword", keywordLfs), ("regex", regexLfs) })
            {
                double? single = null;
                foreach (int t in threads)
                {
                    var applier = new LabelingFunctionApplier<Tweet>(lfs, 2, new ApplyOptions { MaxDegreeOfParallelism = t });
                    LabelMatrix? matrix = null;
                    double seconds = Options.BestOf(repeat, () => matrix = applier.Apply(tweets).Matrix);
                    long allocated = GC.GetTotalAllocatedBytes(precise: true);
                    applier.Apply(tweets);
                    allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
                    double throughput = (double)tweets.Length * lfs.Length / seconds;
                    single ??= t == 1 ? seconds : null;
                    string ratio = single is { } s1 ? $"{s1 / seconds:F2}×" : "–";
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {kind} | {tweets.Length:N0} | {lfs.Length} | {t} | {seconds:F3} | {throughput / 1e6:F2} M | {throughput / t / 1e6:F2} M | {ratio} | {matrix!.Density:F4} | {allocated / 1e6:F1} |"));
                }
            }

            return 0;
        }
    }

    internal static class StatisticsCommand
    {
        public static int Run(string[] args)
        {
            int rows = Options.Int(args, "--rows", 1_000_000);
            var threads = Options.Threads(args);
            var matrix = SufficientStatisticsBenchmark.Synthetic(rows, 20, 2, seed: 42);
            Console.WriteLine($"# SufficientStatistics.Compute on {rows:N0}×20×2 (abstain 0.7), {Environment.ProcessorCount} logical cores, best of 3 after a ≥ 0.5 s warm-up");
            Console.WriteLine("| joint counts | threads | seconds | rows/s |");
            Console.WriteLine("|---|---:|---:|---:|");
            foreach (bool joint in new[] { false, true })
            {
                foreach (int t in threads)
                {
                    double seconds = Options.BestOf(3, () => SufficientStatistics.Compute(matrix, joint, t));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {joint} | {t} | {seconds:F3} | {rows / seconds / 1e6:F1} M |"));
                }
            }

            return 0;
        }
    }
}
