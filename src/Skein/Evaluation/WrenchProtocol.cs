using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Skein.Data;
using Skein.EndModels;
using Skein.Features;
using Skein.IO;
using Skein.LabelModels;
using Skein.Pipeline;
using Skein.Training;

namespace Skein.Evaluation;

/// <summary>
/// WRENCH's label-model evaluation: fit on <c>train.json</c>, class balance (count + 1) / n from the labels of
/// <c>valid.json</c>, predict valid and test, turn probabilities into labels with Snorkel's SHA1 "random" tie-break
/// and score every row (accuracy, or binary F1 of class 1), in percent. An optional grid search picks the model's
/// hyper-parameters by valid score alone.
/// </summary>
/// <remarks>
/// A directory without <c>valid.json</c> (the shared youtube copy) is still evaluated: the class balance is uniform
/// and the valid score is null; a search then refuses to run. Without <c>test.json</c> the test score is null.
/// </remarks>
public static class WrenchProtocol
{
    /// <summary>The training split.</summary>
    public const string TrainFile = "train.json";

    /// <summary>The validation split (class balance, model selection).</summary>
    public const string ValidFile = "valid.json";

    /// <summary>The test split.</summary>
    public const string TestFile = "test.json";

    /// <summary>Ids of train rows that are labelled dev exemplars.</summary>
    public const string LabeledIdsFile = "labeled_ids.json";

    // Binary sets that WRENCH's tables score by F1 of class 1; everything else by accuracy.
    private static readonly HashSet<string> F1Datasets =
        new(["sms", "spouse", "cdr", "census", "commercial", "tennis", "basketball"], StringComparer.OrdinalIgnoreCase);

    // Sets whose published label-model numbers exclude labeled_ids.json rows from train (verified by reproduction:
    // youtube 1,586 and trec 4,965 rows; sms uses all 4,571).
    private static readonly HashSet<string> DropLabeledIdsDatasets = new(["youtube", "trec"], StringComparer.OrdinalIgnoreCase);

    /// <summary>The data set's name from its directory: the folder name without a "wrench_" or "wrench-" prefix.</summary>
    public static string DatasetNameOf(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        foreach (var prefix in (string[])["wrench_", "wrench-"])
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && name.Length > prefix.Length)
            {
                return name[prefix.Length..];
            }
        }

        return name;
    }

    /// <summary>WRENCH's metric for a data set: F1 for sms, spouse, cdr, census, commercial, tennis, basketball; else accuracy.</summary>
    public static WrenchMetric DefaultMetric(string dataset) =>
        F1Datasets.Contains(dataset ?? string.Empty) ? WrenchMetric.F1 : WrenchMetric.Accuracy;

    /// <summary>Whether <see cref="LabeledIdsPolicy.Auto"/> drops the labeled ids of this data set (youtube, trec).</summary>
    public static bool DropsLabeledIdsByDefault(string dataset) => DropLabeledIdsDatasets.Contains(dataset ?? string.Empty);

    /// <summary>
    /// Scores probabilities against gold, WRENCH style: labels by <see cref="TieBreakPolicy.Random"/> (row index =
    /// position in the split), every row counted, result in percent.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, or F1 on a non-binary problem.</exception>
    public static double Score(IReadOnlyList<int> gold, ProbabilisticLabels probabilities, WrenchMetric metric)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (metric == WrenchMetric.F1 && probabilities.Cardinality != 2)
        {
            throw new ArgumentException(
                $"metric f1 is the binary F1 of class 1; this data set has {probabilities.Cardinality} classes (use acc).");
        }

        var predicted = TieBreaking.ProbsToPreds(probabilities, TieBreakPolicy.Random);
        double score = metric == WrenchMetric.F1 ? Metrics.BinaryF1(gold, predicted) : Metrics.Accuracy(gold, predicted);
        return 100 * score;
    }

    /// <summary>Runs the protocol on a WRENCH directory.</summary>
    /// <param name="directory">Holds train.json, and optionally valid.json, test.json, label.json, labeled_ids.json.</param>
    /// <param name="options">Model, metric, seed, search and labeled-ids policy.</param>
    /// <exception cref="DataFormatException">A split is missing or malformed, splits disagree on the LFs, valid or test
    /// rows lack gold labels, valid labels miss a class, labeled ids do not match train, or a search has no valid.json.</exception>
    /// <exception cref="ArgumentException">The model needs more LFs, or F1 was asked of a non-binary set.</exception>
    /// <exception cref="NotSupportedException">The model is not available in this build.</exception>
    public static WrenchResult Run(string directory, WrenchProtocolOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(options);
        var total = Stopwatch.StartNew();
        if (!Directory.Exists(directory))
        {
            throw new DataFormatException("directory not found; expected a WRENCH folder with train.json and valid.json.", directory);
        }

        foreach (var selfTraining in options.EndModel?.SelfTraining ?? [])
        {
            // Validates the options before any fit; the factory is never called.
            _ = new SelfTraining(static _ => throw new InvalidOperationException(), selfTraining);
        }

        var spec = options.Model;
        string dataset = options.DatasetName ?? DatasetNameOf(directory);
        var metric = options.Metric ?? DefaultMetric(dataset);
        var splits = LoadSplits(directory);
        int k = splits.Train.Matrix.Cardinality, m = splits.Train.Matrix.LfCount;
        if (metric == WrenchMetric.F1 && k != 2)
        {
            throw new ArgumentException($"metric f1 is the binary F1 of class 1; {dataset} has {k} classes (use acc).");
        }

        spec.RequireLfCount(m);
        var (train, dropped, kept) = DropLabeledIds(directory, splits.Train, options.LabeledIds, dataset);

        ClassBalance balance;
        ClassBalanceSource balanceSource;
        if (splits.Valid is { } valid)
        {
            RequireEveryClass(valid);
            balance = ClassBalance.FromLabels(valid.Gold, k);
            balanceSource = ClassBalanceSource.ValidLabels;
        }
        else
        {
            if (options.Search)
            {
                throw new DataFormatException("file not found; a grid search selects hyper-parameters on valid only.",
                    Path.Combine(directory, ValidFile));
            }

            balance = ClassBalance.Uniform(k);
            balanceSource = ClassBalanceSource.Uniform;
        }

        var grid = options.Search ? spec.Grid() : [Array.Empty<HyperParameterValue>()];
        var points = new List<WrenchSearchPoint>();
        LabelModel? best = null;
        double bestValid = double.NegativeInfinity, bestFit = 0;
        IReadOnlyList<HyperParameterValue> bestPoint = [];
        foreach (var point in grid)
        {
            var trainer = spec.CreateTrainer(new LabelModelSettings { ClassBalance = balance, Seed = options.Seed, HyperParameters = point });
            var clock = Stopwatch.StartNew();
            var model = trainer.Fit(train);
            double fitSeconds = clock.Elapsed.TotalSeconds;
            double? validScore = splits.Valid is { } v ? Score(v.Gold, model.PredictProba(v.Matrix), metric) : null;
            if (options.Search)
            {
                points.Add(new WrenchSearchPoint(point, validScore!.Value, fitSeconds));
            }

            // Strictly better only: ties keep the earlier grid point.
            if (best is null || validScore > bestValid)
            {
                best = model;
                bestValid = validScore ?? double.NegativeInfinity;
                bestFit = fitSeconds;
                bestPoint = point;
            }
        }

        double? test = splits.Test is { } t ? Score(t.Gold, best!.PredictProba(t.Matrix), metric) : null;
        var endModel = options.EndModel is { } em ? RunEndModel(em, splits, train, kept, best!, metric) : null;
        var textEndModel = options.TextEndModel is { } tm ? RunTextEndModel(tm, dataset, splits, train, kept, best!, metric, options.Seed) : null;
        return new WrenchResult
        {
            EndModel = endModel,
            TextEndModel = textEndModel,
            Dataset = dataset,
            LabelModel = spec.Name,
            Metric = metric,
            Valid = splits.Valid is null ? null : bestValid,
            Test = test,
            FitSeconds = bestFit,
            TotalSeconds = total.Elapsed.TotalSeconds,
            TrainRows = train.RowCount,
            DroppedLabeledRows = dropped,
            LfCount = m,
            Cardinality = k,
            ClassBalanceSource = balanceSource,
            ClassBalance = balance.Weights,
            HyperParameters = bestPoint,
            SearchPoints = points,
        };
    }

    /// <summary>
    /// WRENCH's second stage: the end model learns from the label model's probabilities (or their argmax, see
    /// <see cref="WrenchEndModelOptions.Labels"/>) of the covered train rows (the rows the label model was fitted on),
    /// early-stops on valid's gold labels and is scored like the label model.
    /// </summary>
    private static WrenchEndModelResult RunEndModel(WrenchEndModelOptions options, Splits splits, LabelMatrix train, int[] kept,
        LabelModel labelModel, WrenchMetric metric)
    {
        var clock = Stopwatch.StartNew();
        var probabilities = labelModel.PredictProba(train);
        int k = probabilities.Cardinality;
        var rows = new List<int>();
        for (int r = 0; r < train.RowCount; r++)
        {
            bool covered = false;
            foreach (var v in train.Row(r))
            {
                covered |= v != LabelMatrix.Abstain;
            }

            if (covered || !options.DropUncovered)
            {
                rows.Add(r);
            }
        }

        if (rows.Count == 0)
        {
            throw new DataFormatException("no train row is covered by any LF, so the end model has nothing to learn from.", splits.Train.Path);
        }

        // Hard labels: the argmax of every train row (SHA1 tie-break, as the label model is scored), one-hot.
        var predicted = TieBreaking.ProbsToPreds(probabilities, TieBreakPolicy.Random);
        var oneHot = new double[predicted.Length * k];
        for (int r = 0; r < predicted.Length; r++)
        {
            oneHot[(r * k) + predicted[r]] = 1;
        }

        var hardAll = ProbabilisticLabels.FromRowMajor(oneHot, k);
        var trainTexts = Texts(splits.Train, [.. rows.Select(r => kept[r])]);
        var featurizer = options.Featurizer.Fit(trainTexts);
        var x = featurizer.Transform(trainTexts);
        FeatureMatrix? validX = splits.Valid is { } valid ? featurizer.Transform(Texts(valid, null)) : null;
        if (options.Trainers.Count == 0)
        {
            throw new ArgumentException("The end model needs at least one candidate trainer.", nameof(options));
        }

        bool[] hardChoices = options.Labels switch
        {
            WrenchEndModelLabels.Soft => [false],
            WrenchEndModelLabels.Hard => [true],
            _ => splits.Valid is null ? [false] : [false, true],
        };
        EndModel? model = null;
        double? validScore = null;
        int chosen = 0;
        bool hard = false;
        foreach (bool useHard in hardChoices)
        {
            var y = (useHard ? hardAll : probabilities).SelectRows(rows);
            for (int c = 0; c < options.Trainers.Count; c++)
            {
                // Without valid.json there is nothing to select on: only the last (full-budget) candidate is fitted.
                if (splits.Valid is null && c < options.Trainers.Count - 1)
                {
                    continue;
                }

                var candidate = options.Trainers[c].Fit(x, y);
                double? score = splits.Valid is { } v ? Score(v.Gold, candidate.PredictProba(validX!), metric) : null;
                if (model is null || score > validScore)
                {
                    (model, validScore, chosen, hard) = (candidate, score, c, useHard);
                }
            }
        }

        double fitSeconds = clock.Elapsed.TotalSeconds;
        FeatureMatrix? testX = splits.Test is { } t ? featurizer.Transform(Texts(t, null)) : null;
        double? testScore = testX is null ? null : Score(splits.Test!.Gold, model!.PredictProba(testX), metric);
        var selfTrained = options.SelfTraining is { Count: > 0 } st
            ? RunSelfTraining(st, options.Trainers[chosen], featurizer, splits, train, kept, rows, hard ? hardAll : probabilities, validX, testX, metric)
            : null;
        return new WrenchEndModelResult(options.Name, options.FeaturesName, rows.Count, validScore, testScore, fitSeconds, chosen, model!)
        {
            HardLabels = hard,
            SelfTraining = selfTrained,
        };
    }

    /// <summary>
    /// Hands a text end model every kept train text with the label model's probabilities and coverage, valid.json (or,
    /// without it, the dropped labeled-id rows with their gold labels) to select on, and test.json to be scored on.
    /// </summary>
    private static WrenchTextEndModelResult RunTextEndModel(IWrenchTextEndModel model, string dataset, Splits splits, LabelMatrix train,
        int[] kept, LabelModel labelModel, WrenchMetric metric, int? seed)
    {
        var probabilities = labelModel.PredictProba(train);
        int k = probabilities.Cardinality;
        var predicted = TieBreaking.ProbsToPreds(probabilities, TieBreakPolicy.Random);
        var oneHot = new double[predicted.Length * k];
        for (int r = 0; r < predicted.Length; r++)
        {
            oneHot[(r * k) + predicted[r]] = 1;
        }

        var covered = train.CoveredRows();

        IReadOnlyList<string>? validTexts = null;
        IReadOnlyList<int>? validGold = null;
        double? labelModelValid = null;
        var source = WrenchValidSource.None;
        if (splits.Valid is { } valid)
        {
            (validTexts, validGold, source) = (Texts(valid, null), valid.Gold, WrenchValidSource.ValidFile);
            labelModelValid = Score(valid.Gold, labelModel.PredictProba(valid.Matrix), metric);
        }
        else if (kept.Length < splits.Train.Texts.Count)
        {
            var isKept = new bool[splits.Train.Texts.Count];
            foreach (int r in kept)
            {
                isKept[r] = true;
            }

            int[] held = [.. Enumerable.Range(0, isKept.Length).Where(r => !isKept[r])];
            var gold = held.Select(r => splits.Train.Gold[r]).ToArray();
            int unknown = Array.IndexOf(gold, -1);
            if (unknown < 0)
            {
                (validTexts, validGold, source) = (Texts(splits.Train, held), gold, WrenchValidSource.LabeledIds);
                var heldMatrix = LabelMatrix.FromRowMajor(
                    [.. held.SelectMany(r => splits.Train.Matrix.Row(r).ToArray())], splits.Train.Matrix.LfNames, k);
                labelModelValid = Score(gold, labelModel.PredictProba(heldMatrix), metric);
            }
        }

        var input = new WrenchTextEndModelInput(dataset, metric, Texts(splits.Train, kept), probabilities,
            ProbabilisticLabels.FromRowMajor(oneHot, k), covered, validTexts, validGold, source,
            splits.Test is { } t ? Texts(t, null) : null, splits.Test?.Gold, seed);
        return model.Fit(input) with { ValidSource = source, LabelModelValid = labelModelValid, SelectionRows = validGold?.Count ?? 0 };
    }

    /// <summary>
    /// Self-trains the chosen end-model trainer once per candidate setting: the covered rows keep the label model's
    /// probabilities, the uncovered train rows (featurised with the featurizer fitted on the covered texts) form the
    /// pool. The best valid score wins (ties: the earlier candidate); without valid.json only the first is run.
    /// </summary>
    private static WrenchSelfTrainingResult RunSelfTraining(IReadOnlyList<SelfTrainingOptions> candidates, IEndModelTrainer trainer,
        IFittedFeaturizer<string> featurizer, Splits splits, LabelMatrix train, int[] kept, List<int> covered, ProbabilisticLabels probabilities,
        FeatureMatrix? validX, FeatureMatrix? testX, WrenchMetric metric)
    {
        var clock = Stopwatch.StartNew();
        var isCovered = new bool[train.RowCount];
        foreach (int r in covered)
        {
            isCovered[r] = true;
        }

        // Covered rows first (as the end model saw them), then the pool; the pool rows' label-model rows are ignored.
        int[] order = [.. covered, .. Enumerable.Range(0, train.RowCount).Where(r => !isCovered[r])];
        int k = probabilities.Cardinality;
        var labels = new double[order.Length * k];
        var pool = new bool[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            probabilities.Row(order[i]).CopyTo(labels.AsSpan(i * k, k));
            pool[i] = i >= covered.Count;
        }

        var x = featurizer.Transform(Texts(splits.Train, [.. order.Select(r => kept[r])]));
        var soft = ProbabilisticLabels.FromRowMajor(labels, k);
        SelfTrainingResult? best = null;
        SelfTrainingOptions? bestOptions = null;
        double? bestValid = null;
        foreach (var candidate in splits.Valid is null ? candidates.Take(1) : candidates)
        {
            var result = new SelfTraining(trainer, candidate).Fit(x, soft, pool);
            double? valid = splits.Valid is { } v ? Score(v.Gold, result.Model.PredictProba(validX!), metric) : null;
            if (best is null || valid > bestValid)
            {
                (best, bestOptions, bestValid) = (result, candidate, valid);
            }
        }

        double? test = splits.Test is { } t ? Score(t.Gold, best!.Model.PredictProba(testX!), metric) : null;
        return new WrenchSelfTrainingResult(bestValid, test, order.Length - covered.Count, best!.LabeledAtIteration.Count(r => r > 0),
            best.Iterations, best.Termination, clock.Elapsed.TotalSeconds, best.Model, bestOptions!);
    }

    private static string[] Texts(WrenchDataset split, int[]? rows)
    {
        var indices = rows ?? [.. Enumerable.Range(0, split.Texts.Count)];
        var texts = new string[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            texts[i] = split.Texts[indices[i]] is { Length: > 0 } text
                ? text
                : throw new DataFormatException($"item \"{split.Ids[indices[i]]}\" has no data.text; the end model needs every text.",
                    split.Path, indices[i] + 1, "data.text");
        }

        return texts;
    }

    private sealed record Splits(WrenchDataset Train, WrenchDataset? Valid, WrenchDataset? Test);

    private static Splits LoadSplits(string directory)
    {
        var trainPath = Path.Combine(directory, TrainFile);
        if (!File.Exists(trainPath))
        {
            throw new DataFormatException("file not found; the label model is fitted on train.json.", trainPath);
        }

        var train = WrenchDataset.Load(trainPath);
        var valid = LoadOptional(Path.Combine(directory, ValidFile));
        var test = LoadOptional(Path.Combine(directory, TestFile));

        // Without label.json each split infers k from its own labels and votes; all must share the largest.
        int k = Math.Max(train.Matrix.Cardinality, Math.Max(valid?.Matrix.Cardinality ?? 2, test?.Matrix.Cardinality ?? 2));
        train = WithCardinality(train, k);
        valid = valid is null ? null : RequireScorable(WithCardinality(RequireSameLfs(train, valid), k));
        test = test is null ? null : RequireScorable(WithCardinality(RequireSameLfs(train, test), k));
        return new Splits(train, valid, test);
    }

    private static WrenchDataset? LoadOptional(string path) => File.Exists(path) ? WrenchDataset.Load(path) : null;

    private static WrenchDataset WithCardinality(WrenchDataset split, int k) => split.Matrix.Cardinality == k
        ? split
        : split with { Matrix = LabelMatrix.FromRowMajor(split.Matrix.Votes.ToArray(), split.Matrix.LfNames, k) };

    private static WrenchDataset RequireSameLfs(WrenchDataset train, WrenchDataset split)
    {
        if (split.Matrix.LfCount != train.Matrix.LfCount)
        {
            throw new DataFormatException(
                $"{split.Matrix.LfCount} weak labels per item, but {TrainFile} has {train.Matrix.LfCount}; every split must use the same LFs.",
                split.Path, column: "weak_labels");
        }

        return split;
    }

    // WRENCH scores every row, so a row without a gold label cannot be scored.
    private static WrenchDataset RequireScorable(WrenchDataset split)
    {
        int i = split.Gold.ToList().IndexOf(-1);
        if (i >= 0)
        {
            throw new DataFormatException(
                $"item \"{split.Ids[i]}\" has label -1 (unknown); every row of a scored split needs a gold label.", split.Path, i + 1, "label");
        }

        return split;
    }

    // WRENCH's +1 smoothing would silently invent a prior for a class valid never shows; refuse instead.
    private static void RequireEveryClass(WrenchDataset valid)
    {
        int k = valid.Matrix.Cardinality;
        var seen = new bool[k];
        foreach (var y in valid.Gold)
        {
            seen[y] = true;
        }

        var missing = Enumerable.Range(0, k).Where(c => !seen[c])
            .Select(c => valid.ClassNames is { } names ? $"{c} ({names[c]})" : c.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (missing.Length > 0)
        {
            throw new DataFormatException(
                $"no item has class {string.Join(", ", missing)} of {k}; the class balance comes from valid labels, so every class must appear.",
                valid.Path, column: "label");
        }
    }

    private static (LabelMatrix Train, int Dropped, int[] Kept) DropLabeledIds(string directory, WrenchDataset train, LabeledIdsPolicy policy, string dataset)
    {
        if (!Enum.IsDefined(policy))
        {
            throw new ArgumentException($"Unknown labeled-ids policy {(int)policy}.", nameof(policy));
        }

        var path = Path.Combine(directory, LabeledIdsFile);
        bool drop = policy == LabeledIdsPolicy.Drop || (policy == LabeledIdsPolicy.Auto && DropsLabeledIdsByDefault(dataset) && File.Exists(path));
        if (!drop)
        {
            return (train.Matrix, 0, [.. Enumerable.Range(0, train.Matrix.RowCount)]);
        }

        var ids = ReadLabeledIds(path);
        var position = new Dictionary<string, int>(train.Ids.Count, StringComparer.Ordinal);
        for (int i = 0; i < train.Ids.Count; i++)
        {
            position[train.Ids[i]] = i;
        }

        var remove = new bool[train.Ids.Count];
        foreach (var id in ids)
        {
            if (!position.TryGetValue(id, out int i))
            {
                throw new DataFormatException($"id \"{id}\" is not an item of {TrainFile}; the files do not belong together.", path, column: "labeled_ids");
            }

            remove[i] = true;
        }

        int m = train.Matrix.LfCount, keep = remove.Count(r => !r);
        if (keep == 0)
        {
            throw new DataFormatException($"every row of {TrainFile} is a labeled id; nothing is left to fit on.", path);
        }

        var votes = new sbyte[keep * m];
        var source = train.Matrix.Votes;
        for (int i = 0, o = 0; i < remove.Length; i++)
        {
            if (!remove[i])
            {
                source.Slice(i * m, m).CopyTo(votes.AsSpan(o * m, m));
                o++;
            }
        }

        int[] kept = [.. Enumerable.Range(0, remove.Length).Where(i => !remove[i])];
        return (LabelMatrix.FromRowMajor(votes, train.Matrix.LfNames, train.Matrix.Cardinality), remove.Length - keep, kept);
    }

    /// <summary>Reads <c>{"labeled_ids": ["4502", …]}</c>; ids may be strings or integers.</summary>
    private static HashSet<string> ReadLabeledIds(string path)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException("file not found; dropping labeled ids needs it.", path);
        }

        try
        {
            using var stream = TextInput.OpenRead(path);
            using var document = TextInput.ParseJson(stream, path);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("labeled_ids", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new DataFormatException("expected {\"labeled_ids\": [ids…]}.", path);
            }

            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var id in list.EnumerateArray())
            {
                ids.Add(id.ValueKind switch
                {
                    JsonValueKind.String => id.GetString()!,
                    JsonValueKind.Number => id.GetRawText(),
                    _ => throw new DataFormatException($"id {id.GetRawText()} is neither a string nor an integer.", path, column: "labeled_ids"),
                });
            }

            return ids;
        }
        catch (JsonException e)
        {
            throw new DataFormatException($"invalid JSON: {e.Message}", path, inner: e);
        }
    }
}
