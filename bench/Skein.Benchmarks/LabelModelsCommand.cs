using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Skein.Data;
using Skein.Evaluation;
using Skein.LabelModels;

namespace Skein.Benchmarks;

/// <summary>One benchmark size: n rows, m LFs, k classes.</summary>
internal readonly record struct BenchSize(int Rows, int Lfs, int Classes)
{
    public static BenchSize Parse(string text)
    {
        var parts = text.Split('x');
        if (parts.Length != 3)
        {
            throw new FormatException($"size '{text}' is not NxMxK (e.g. 1000000x20x2).");
        }

        return new BenchSize(
            int.Parse(parts[0], CultureInfo.InvariantCulture),
            int.Parse(parts[1], CultureInfo.InvariantCulture),
            int.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Rows}x{Lfs}x{Classes}");

    /// <summary>The size as the docs write it: 1M×50×3.</summary>
    public string Label => (Rows % 1_000_000 == 0 ? $"{Rows / 1_000_000}M" : Rows % 1000 == 0 ? $"{Rows / 1000}k" : $"{Rows}")
        + $"×{Lfs}×{Classes}";
}

/// <summary>What a child process measured for one (size, model); printed as one JSON line.</summary>
internal sealed record ChildResult(
    string Model,
    string Size,
    double FitSeconds,
    double PredictSeconds,
    double ColdFitSeconds,
    double ColdPredictSeconds,
    double Accuracy,
    long PeakBytes,
    string LoadAverage);

/// <summary>
/// Times every label model on synthetic votes drawn from the conditionally independent model, against the
/// Bayes oracle (the posterior under the generator's true parameters). Each (size, model) runs in its own child
/// process so that its peak resident memory is its own and not the high-water mark of an earlier model.
/// </summary>
internal static class LabelModelsCommand
{
    public const string ChildMode = "label-models-child";

    private const int DataSeed = 20261127;
    private const int ModelSeed = 0;
    private const string ResultPrefix = "RESULT ";
    private const string DefaultSizes = "100000x20x2,1000000x20x2,1000000x50x3";

    // The data-only child has no accuracy (NaN), which plain JSON cannot carry.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    // Snorkel 0.9 LabelModel (fit, predict_proba) on this machine (2 cores, OpenBLAS), from issue 3.
    private static readonly Dictionary<BenchSize, (double Fit, double Predict, double PeakGb)> Snorkel = new()
    {
        [new BenchSize(1_000_000, 20, 2)] = (2.8, 2.9, 1.4),
        [new BenchSize(1_000_000, 50, 3)] = (11.0, 9.6, 3.6),
    };

    /// <summary>The generator's true parameters at a size: fixed, so every process draws the same votes.</summary>
    public static SyntheticVotesOptions DataOptions(BenchSize size)
    {
        int m = size.Lfs;
        // Accuracies evenly spread over [0.55, 0.9]; propensities over [0.1, 0.6] in a shuffled order (7 is coprime
        // to 20 and 50) so that coverage and accuracy are not correlated.
        var accuracies = Enumerable.Range(0, m).Select(j => 0.55 + (0.35 * j / Math.Max(1, m - 1))).ToArray();
        var propensities = Enumerable.Range(0, m).Select(j => 0.1 + (0.5 * (7 * j % m) / Math.Max(1, m - 1))).ToArray();
        double[]? prior = size.Classes switch
        {
            2 => null,
            3 => [0.5, 0.3, 0.2],
            int k => Enumerable.Range(1, k).Select(c => 2.0 * c / (k * (k + 1))).ToArray(),
        };
        return new SyntheticVotesOptions
        {
            RowCount = size.Rows,
            Cardinality = size.Classes,
            Accuracies = accuracies,
            Propensities = propensities,
            ClassPrior = prior,
            Seed = DataSeed,
        };
    }

    public static int Run(string[] args)
    {
        BenchSize[] sizes;
        string[] models;
        try
        {
            sizes = (Options.Get(args, "--sizes") ?? DefaultSizes).Split(',').Select(BenchSize.Parse).ToArray();
            models = (Options.Get(args, "--models") ?? string.Join(",", LabelModelCatalog.Names)).Split(',')
                .Select(name => LabelModelCatalog.Get(name).Name).ToArray();
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            Console.Error.WriteLine($"label-models: {e.Message}");
            return 2;
        }
        int repeat = Options.Int(args, "--repeat", 3);
        bool noBalance = args.Contains("--no-class-balance");
        var markdownPath = Options.Get(args, "--markdown");

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# label models, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} logical cores, .NET {Environment.Version}, " +
            $"best of {repeat}, one child process per (size, model), data seed {DataSeed}, model seed {ModelSeed}, " +
            $"class balance {(noBalance ? "model default" : "true prior")}"));

        var rows = new List<string>();
        foreach (var size in sizes)
        {
            var options = DataOptions(size);
            double oracle;
            {
                var data = SyntheticVotes.Generate(options);
                oracle = OracleAccuracy(data, options);
            }

            GC.Collect();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"## {size.Label}: accuracies {options.Accuracies[0]:F2}–{options.Accuracies[^1]:F2}, propensities 0.10–0.60, " +
                $"prior {(options.ClassPrior is null ? "uniform" : string.Join("/", options.ClassPrior.Select(p => p.ToString("F2", CultureInfo.InvariantCulture))))}, " +
                $"Bayes oracle accuracy {oracle:F4}"));

            // The floor: a child that only draws the votes, so the model's own memory can be read off.
            var floor = RunChild(size, "none", repeat, noBalance);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  data only: peak {floor.PeakBytes / 1e6:F0} MB (load {floor.LoadAverage})"));
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {size.Label} | (data only) | | | | | | | {floor.PeakBytes / 1e6:F0} | | {floor.LoadAverage} |"));

            foreach (var model in models)
            {
                var r = RunChild(size, model, repeat, noBalance);
                double total = r.FitSeconds + r.PredictSeconds;
                string vsSnorkel = "–", memVsSnorkel = "–";
                if (Snorkel.TryGetValue(size, out var s))
                {
                    vsSnorkel = string.Create(CultureInfo.InvariantCulture, $"{(s.Fit + s.Predict) / total:F1}×");
                    memVsSnorkel = string.Create(CultureInfo.InvariantCulture, $"{s.PeakGb * 1e9 / r.PeakBytes:F1}×");
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {model,-5} fit {r.FitSeconds,8:F3} s  predict {r.PredictSeconds,7:F3} s  (cold {r.ColdFitSeconds:F3} + {r.ColdPredictSeconds:F3})  " +
                    $"acc {r.Accuracy:F4} (oracle {oracle:F4}, Δ {r.Accuracy - oracle:+0.0000;-0.0000;0.0000})  peak {r.PeakBytes / 1e6,6:F0} MB  " +
                    $"vs Snorkel LabelModel: time {vsSnorkel} memory {memVsSnorkel}  load {r.LoadAverage}"));
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {size.Label} | {model} | {r.FitSeconds:F3} | {r.PredictSeconds:F3} | {total:F3} | {r.ColdFitSeconds + r.ColdPredictSeconds:F3} | " +
                    $"{r.Accuracy:F4} | {r.Accuracy - oracle:+0.0000;-0.0000;0.0000} | {r.PeakBytes / 1e6:F0} | {vsSnorkel}, {memVsSnorkel} | {r.LoadAverage} |"));
            }
        }

        var markdown = new StringBuilder()
            .AppendLine("| n×m×k | model | fit s | predict s | fit+predict s | cold fit+predict s | accuracy | vs oracle | peak MB | Snorkel LabelModel / this: time, memory | 1-min load before → after |")
            .AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var row in rows)
        {
            markdown.AppendLine(row);
        }

        Console.WriteLine();
        Console.Write(markdown);
        if (markdownPath is not null)
        {
            File.WriteAllText(markdownPath, markdown.ToString());
        }

        return 0;
    }

    /// <summary>
    /// Accuracy of the Bayes-optimal prediction under the generator's parameters: P(y | λ) ∝ π_y Π_{j votes}
    /// (a_j if λ_j = y else (1 − a_j)/(k − 1)); propensities do not depend on y and cancel. Ties go to the lower class.
    /// </summary>
    private static double OracleAccuracy(SyntheticVotes data, SyntheticVotesOptions options)
    {
        int n = data.Matrix.RowCount, m = data.Matrix.LfCount, k = data.Matrix.Cardinality;
        var logPrior = Enumerable.Range(0, k).Select(c => Math.Log(options.ClassPrior?[c] ?? 1.0 / k)).ToArray();
        var logRight = options.Accuracies.Select(a => Math.Log(a)).ToArray();
        var logWrong = options.Accuracies.Select(a => Math.Log((1 - a) / (k - 1))).ToArray();
        var votes = data.Matrix.Votes;
        var score = new double[k];
        long correct = 0;
        for (int i = 0; i < n; i++)
        {
            logPrior.CopyTo(score, 0);
            var row = votes.Slice(i * m, m);
            for (int j = 0; j < m; j++)
            {
                int v = row[j];
                if (v < 0)
                {
                    continue;
                }

                for (int c = 0; c < k; c++)
                {
                    score[c] += c == v ? logRight[j] : logWrong[j];
                }
            }

            if (ArgMax(score) == data.Gold[i])
            {
                correct++;
            }
        }

        return (double)correct / n;
    }

    private static int ArgMax(ReadOnlySpan<double> values)
    {
        int best = 0;
        for (int c = 1; c < values.Length; c++)
        {
            if (values[c] > values[best])
            {
                best = c;
            }
        }

        return best;
    }

    private static ChildResult RunChild(BenchSize size, string model, int repeat, bool noBalance)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path to re-launch");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        // Under `dotnet Skein.Benchmarks.dll` the process is the dotnet host: pass the assembly again.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(LabelModelsCommand).Assembly.Location);
        }

        foreach (var a in new[] { ChildMode, "--size", size.ToString(), "--model", model, "--repeat", repeat.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }

        if (noBalance)
        {
            start.ArgumentList.Add("--no-class-balance");
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {self}");
        string? result = null;
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (line.StartsWith(ResultPrefix, StringComparison.Ordinal))
            {
                result = line[ResultPrefix.Length..];
            }
        }

        process.WaitForExit();
        if (process.ExitCode != 0 || result is null)
        {
            throw new InvalidOperationException($"child for {size} {model} exited with {process.ExitCode} and no result");
        }

        return JsonSerializer.Deserialize<ChildResult>(result, Json)!;
    }

    /// <summary>
    /// The child: draws the votes, then fits and predicts <c>repeat</c> times (the first run is also reported on its
    /// own, cold: JIT included, as a one-shot CLI call sees it), and prints the best times and its peak RSS.
    /// </summary>
    public static int RunChild(string[] args)
    {
        var size = BenchSize.Parse(Options.Get(args, "--size") ?? throw new ArgumentException("--size is required"));
        var model = Options.Get(args, "--model") ?? throw new ArgumentException("--model is required");
        int repeat = Options.Int(args, "--repeat", 3);
        var options = DataOptions(size);
        var data = SyntheticVotes.Generate(options);
        string load = LoadAverage();

        double fitBest = double.MaxValue, predictBest = double.MaxValue, fitCold = 0, predictCold = 0, accuracy = double.NaN;
        if (model != "none")
        {
            var spec = LabelModelCatalog.Get(model);
            var settings = new LabelModelSettings
            {
                ClassBalance = args.Contains("--no-class-balance") || options.ClassPrior is null
                    ? null
                    : ClassBalance.FromProbabilities(options.ClassPrior.ToArray()),
                Seed = ModelSeed,
            };
            for (int r = 0; r < repeat; r++)
            {
                var trainer = spec.CreateTrainer(settings);
                var sw = Stopwatch.StartNew();
                var fitted = trainer.Fit(data.Matrix);
                double fit = sw.Elapsed.TotalSeconds;
                sw.Restart();
                var probabilities = fitted.PredictProba(data.Matrix);
                double predict = sw.Elapsed.TotalSeconds;
                if (r == 0)
                {
                    fitCold = fit;
                    predictCold = predict;
                    accuracy = Accuracy(probabilities, data.Gold);
                }

                fitBest = Math.Min(fitBest, fit);
                predictBest = Math.Min(predictBest, predict);
                // Drop this run's model and n×k output before the next, so the peak is that of one fit + predict.
                fitted = null;
                probabilities = null;
                GC.Collect();
            }
        }
        else
        {
            fitBest = predictBest = 0;
        }

        GC.KeepAlive(data);
        // Load before → after: the "after" figure includes this process's own threads.
        load += " → " + LoadAverage();
        var result = new ChildResult(model, size.ToString(), fitBest, predictBest, fitCold, predictCold, accuracy, PeakResidentBytes(), load);
        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result, Json));
        return 0;
    }

    /// <summary>Accuracy of the argmax (ties to the lower class, as <c>skein fit</c> scores).</summary>
    private static double Accuracy(ProbabilisticLabels probabilities, IReadOnlyList<int> gold)
    {
        long correct = 0;
        for (int i = 0; i < gold.Count; i++)
        {
            if (ArgMax(probabilities.Row(i)) == gold[i])
            {
                correct++;
            }
        }

        return (double)correct / gold.Count;
    }

    /// <summary>
    /// VmHWM (peak resident set) of this process from /proc/self/status; Process.PeakWorkingSet64 read by the parent
    /// after exit is not reliable on Linux. -1 where /proc is absent.
    /// </summary>
    private static long PeakResidentBytes()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            return -1;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return -1;
    }

    /// <summary>The 1-minute load average (other engineers share the 2 cores).</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
