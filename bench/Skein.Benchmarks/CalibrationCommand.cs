using System.Globalization;
using Skein.Analysis;
using Skein.Data;
using Skein.Evaluation;
using Skein.IO;
using Skein.LabelModels;

namespace Skein.Benchmarks;

/// <summary>
/// Calibration of every label model on WRENCH valid splits: fit on train (class balance from valid, seed 0), score the
/// covered valid rows before and after temperature scaling. The temperature is cross-fitted (fit on the even covered
/// rows, scored on the odd ones and the other way round), so no row is scored by a temperature fitted on itself.
/// </summary>
internal static class CalibrationCommand
{
    public static int Run(string[] args)
    {
        var dirs = (Options.Get(args, "--datasets") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (dirs.Length == 0)
        {
            Console.Error.WriteLine("calibration --datasets DIR,DIR…   (WRENCH folders with train.json and valid.json)");
            return 2;
        }

        var models = (Options.Get(args, "--models") ?? string.Join(',', LabelModelCatalog.Names)).Split(',');
        Console.WriteLine("| dataset | model | covered valid rows | accuracy | ECE | Brier | log-loss | T (all valid) | ECE scaled | Brier scaled | log-loss scaled |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var dir in dirs)
        {
            var train = WrenchDataset.Load(Path.Combine(dir, WrenchProtocol.TrainFile));
            var valid = WrenchDataset.Load(Path.Combine(dir, WrenchProtocol.ValidFile), train.Matrix.Cardinality);
            int k = train.Matrix.Cardinality;
            var balance = ClassBalance.FromLabels(valid.Gold, k);
            var coveredRows = valid.Matrix.CoveredRows();
            var covered = Enumerable.Range(0, valid.Matrix.RowCount).Where(i => coveredRows[i] && valid.Gold[i] >= 0).ToArray();
            var gold = covered.Select(i => valid.Gold[i]).ToArray();
            foreach (var name in models)
            {
                if (name == "auto")
                {
                    Auto(dir, train.Matrix, valid, balance, covered, gold);
                    continue;
                }

                var spec = LabelModelCatalog.Get(name);
                if (train.Matrix.LfCount < spec.MinLfCount)
                {
                    continue;
                }

                Console.Error.WriteLine($"{Path.GetFileName(dir)} {name}");
                var model = spec.CreateTrainer(new LabelModelSettings { ClassBalance = balance, Seed = 0 }).Fit(train.Matrix);
                var probs = model.PredictProba(valid.Matrix).SelectRows(covered);
                var before = Calibration.Measure(probs, gold);
                var after = Calibration.Measure(CrossFitted(probs, gold), gold);
                double temperature = TemperatureScaling.Fit(probs, gold).Temperature;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {Path.GetFileName(dir)} | {name} | {before.RowCount} | {before.Accuracy:F3} | {before.ExpectedCalibrationError:F3} | {before.BrierScore:F3} | {before.LogLoss:F3} | {temperature:F2} | {after.ExpectedCalibrationError:F3} | {after.BrierScore:F3} | {after.LogLoss:F3} |"));
            }
        }

        return 0;
    }

    // auto three ways: chosen and calibrated on all covered valid gold (in-sample); cross-fitted (chosen and
    // calibrated on one half of the covered gold rows, scored on the other); and without gold (held-out-LF agreement).
    private static void Auto(string dir, LabelMatrix train, WrenchDataset valid, ClassBalance balance, int[] covered, int[] gold)
    {
        var settings = new LabelModelSettings { ClassBalance = balance, Seed = 0 };
        string name = Path.GetFileName(dir);
        var all = LabelModelSelection.Auto(train, settings, valid.Matrix, valid.Gold);
        var raw = all.Model.PredictProba(valid.Matrix).SelectRows(covered);
        var before = Calibration.Measure(raw, gold);
        var inSample = Calibration.Measure(all.PredictProba(valid.Matrix).SelectRows(covered), gold);
        Console.Error.WriteLine($"{name} auto: {string.Join(", ", all.Candidates.Select(c => $"{c.Name}={c.Score:F4}"))}");

        int n = covered.Length, k = train.Cardinality;
        var values = new double[n * k];
        var chosen = new string[2];
        for (int half = 0; half < 2; half++)
        {
            var fitGold = Enumerable.Repeat(-1, valid.Matrix.RowCount).ToArray();
            for (int r = 0; r < n; r++)
            {
                fitGold[covered[r]] = r % 2 == half ? -1 : gold[r];
            }

            var fold = LabelModelSelection.Auto(train, settings, valid.Matrix, fitGold);
            chosen[half] = fold.Chosen.Name;
            var p = fold.PredictProba(valid.Matrix).SelectRows(covered);
            for (int r = half; r < n; r += 2)
            {
                p.Row(r).CopyTo(values.AsSpan(r * k, k));
            }
        }

        var crossFitted = Calibration.Measure(ProbabilisticLabels.FromRowMajor(values, k), gold);
        var unsupervised = LabelModelSelection.Auto(train, settings);
        var noGold = Calibration.Measure(unsupervised.PredictProba(valid.Matrix).SelectRows(covered), gold);
        Console.Error.WriteLine($"{name} auto (no gold): {string.Join(", ", unsupervised.Candidates.Select(c => $"{c.Name}={c.Score:F4}"))}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | auto → {all.Chosen.Name} | {before.RowCount} | {before.Accuracy:F3} | {before.ExpectedCalibrationError:F3} | {before.BrierScore:F3} | {before.LogLoss:F3} | {all.Temperature?.Temperature:F2} | {inSample.ExpectedCalibrationError:F3} (in-sample) | {inSample.BrierScore:F3} | {inSample.LogLoss:F3} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | auto cross-fitted → {chosen[0]}/{chosen[1]} | {crossFitted.RowCount} | {crossFitted.Accuracy:F3} | - | - | - | - | {crossFitted.ExpectedCalibrationError:F3} | {crossFitted.BrierScore:F3} | {crossFitted.LogLoss:F3} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | auto, no gold → {unsupervised.Chosen.Name} | {noGold.RowCount} | {noGold.Accuracy:F3} | {noGold.ExpectedCalibrationError:F3} | {noGold.BrierScore:F3} | {noGold.LogLoss:F3} | - | - | - | - |"));
    }

    // Each half is scaled by the temperature fitted on the other half.
    private static ProbabilisticLabels CrossFitted(ProbabilisticLabels probs, int[] gold)
    {
        int n = probs.RowCount, k = probs.Cardinality;
        var values = new double[n * k];
        for (int half = 0; half < 2; half++)
        {
            var fitGold = gold.Select((g, i) => i % 2 == half ? -1 : g).ToArray();
            var scaled = TemperatureScaling.Fit(probs, fitGold).Apply(probs);
            for (int i = half; i < n; i += 2)
            {
                scaled.Row(i).CopyTo(values.AsSpan(i * k, k));
            }
        }

        return ProbabilisticLabels.FromRowMajor(values, k);
    }
}
