using System.Globalization;
using Skein.Data;
using Skein.EndModels;
using Skein.Evaluation;

namespace Skein.Training;

/// <summary>
/// The weak-to-strong protocol of Burns et al. (2023) / openai/weak-to-strong's <c>train_weak_to_strong.py</c>, per
/// seed: split the data 50/50 into A and B; train the weak model on A's gold labels and let it predict soft labels for
/// B; train the strong ceiling on B's gold labels; train one strong student per loss on B's weak soft labels; score
/// all of them on the test set (accuracy) and report the performance gap recovered. Weak and strong models usually
/// see different feature views (e.g. a small bag of words and sentence embeddings).
/// </summary>
public sealed class WeakToStrongExperiment
{
    /// <summary>An experiment with the default options (3 seeds, both losses, one weak teacher, stratified halves).</summary>
    public WeakToStrongExperiment()
        : this(new WeakToStrongOptions())
    {
    }

    /// <summary>An experiment with the given options.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public WeakToStrongExperiment(WeakToStrongOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = new OptionChecks(nameof(WeakToStrongOptions));
        check.That(options.Seeds is { Count: > 0 } s && s.Distinct().Count() == s.Count, "Seeds: give at least one seed, each once.");
        check.That(options.Losses is { Count: > 0 } l && l.Distinct().Count() == l.Count && l.All(Enum.IsDefined), "Losses: give at least one defined loss, each once.");
        check.InRange(options.WeakEnsembleSize, 1, 1000);
        ArgumentNullException.ThrowIfNull(options.Auxiliary);
        _ = new AuxiliaryConfidenceObjective(options.Auxiliary);
        Options = options with { Seeds = [.. options.Seeds!], Losses = [.. options.Losses!] };
    }

    /// <summary>The validated options.</summary>
    public WeakToStrongOptions Options { get; }

    /// <summary>Featurises items with each view (once for the data, once for the test set) and runs the experiment.</summary>
    /// <typeparam name="TItem">The raw item type.</typeparam>
    /// <param name="data">The items to split into halves A and B.</param>
    /// <param name="labels">Gold class of each data item, in [0, k).</param>
    /// <param name="test">Test items.</param>
    /// <param name="testLabels">Gold class of each test item, in [0, k).</param>
    /// <param name="cardinality">k, at least 2.</param>
    /// <param name="weak">The weak model's view and trainer.</param>
    /// <param name="strong">The strong model's view and trainer (an <see cref="Mlp"/> for the auxiliary loss).</param>
    /// <param name="progress">Optional one-line progress reports.</param>
    /// <exception cref="ArgumentException">Mismatched counts, labels out of range, a half without some class, or an auxiliary student that is not an Mlp.</exception>
    public WeakToStrongResult Run<TItem>(IReadOnlyList<TItem> data, IReadOnlyList<int> labels, IReadOnlyList<TItem> test, IReadOnlyList<int> testLabels,
        int cardinality, WeakToStrongView<TItem> weak, WeakToStrongView<TItem> strong, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(weak);
        ArgumentNullException.ThrowIfNull(strong);
        var features = new WeakToStrongData(weak.Featurize(data), strong.Featurize(data), labels, weak.Featurize(test), strong.Featurize(test), testLabels,
            cardinality);
        return Run(features, weak.Trainer, strong.Trainer, progress);
    }

    /// <summary>Runs the experiment on featurised data.</summary>
    /// <param name="data">Both views of the data and test rows, with gold labels.</param>
    /// <param name="weakTrainer">A fresh weak trainer for a seed.</param>
    /// <param name="strongTrainer">A fresh strong trainer for a seed (an <see cref="Mlp"/> for the auxiliary loss).</param>
    /// <param name="progress">Optional one-line progress reports.</param>
    /// <exception cref="ArgumentException">Mismatched counts, labels out of range, a half without some class, or an auxiliary student that is not an Mlp.</exception>
    public WeakToStrongResult Run(WeakToStrongData data, Func<int, IEndModelTrainer> weakTrainer, Func<int, IEndModelTrainer> strongTrainer,
        IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(weakTrainer);
        ArgumentNullException.ThrowIfNull(strongTrainer);
        Validate(data);
        var seeds = Options.Seeds.Select(seed => RunSeed(data, seed, weakTrainer, strongTrainer, progress)).ToArray();
        double meanWeak = seeds.Average(s => s.Weak), meanCeiling = seeds.Average(s => s.Ceiling);
        var students = Options.Losses.Select((loss, i) =>
        {
            double mean = seeds.Average(s => s.Students[i].Accuracy);
            var perSeed = seeds.Select(s => s.Students[i].Pgr).ToArray();
            double? meanSeedPgr = perSeed.All(p => p.HasValue) ? perSeed.Average(p => p!.Value) : null;
            return new WeakToStrongStudentSummary(loss, mean, PerformanceGapRecovered.Compute(meanWeak, mean, meanCeiling), meanSeedPgr);
        }).ToArray();
        return new WeakToStrongResult(seeds, meanWeak, seeds.Average(s => s.WeakLabelAccuracy), meanCeiling, students);
    }

    /// <summary>
    /// Splits rows into halves A and B with a seeded shuffle: per class (stratified; an odd class's extra row goes to
    /// A and B in turn) or as a whole. Each half is returned in ascending row order.
    /// </summary>
    /// <param name="labels">Gold class of each row, in [0, k).</param>
    /// <param name="cardinality">k.</param>
    /// <param name="seed">The shuffle's seed.</param>
    /// <param name="stratified">Split each class separately.</param>
    /// <exception cref="ArgumentException">A label is out of range, or a half lacks some class (the message names it and its row count).</exception>
    public static (int[] A, int[] B) Split(IReadOnlyList<int> labels, int cardinality, int seed, bool stratified = true)
    {
        ArgumentNullException.ThrowIfNull(labels);
        RequireLabels(labels, cardinality, nameof(labels));
        var random = new Random(seed);
        var a = new List<int>();
        var b = new List<int>();
        if (stratified)
        {
            bool extraToA = true;
            for (int c = 0; c < cardinality; c++)
            {
                var rows = Shuffle(Enumerable.Range(0, labels.Count).Where(i => labels[i] == c).ToArray(), random);
                int half = rows.Length / 2 + (rows.Length % 2 == 1 && extraToA ? 1 : 0);
                extraToA ^= rows.Length % 2 == 1;
                a.AddRange(rows[..half]);
                b.AddRange(rows[half..]);
            }
        }
        else
        {
            var rows = Shuffle(Enumerable.Range(0, labels.Count).ToArray(), random);
            a.AddRange(rows[..((rows.Length + 1) / 2)]);
            b.AddRange(rows[((rows.Length + 1) / 2)..]);
        }

        a.Sort();
        b.Sort();
        for (int c = 0; c < cardinality; c++)
        {
            int inA = a.Count(i => labels[i] == c), inB = b.Count(i => labels[i] == c);
            if (inA == 0 || inB == 0)
            {
                int total = labels.Count(y => y == c);
                throw new ArgumentException(
                    $"Class {c} has {total} row(s), so the 50/50 split (seed {seed}) leaves a half without it ({inA} in A, {inB} in B); " +
                    "every class needs rows in both halves.", nameof(labels));
            }
        }

        return ([.. a], [.. b]);
    }

    /// <summary>
    /// A seeded, stratified subsample of at most <paramref name="maxRows"/> row indices (ascending): each class keeps
    /// its share, rounded by largest remainder, and at least 2 rows where it has them (so both halves can hold it).
    /// All rows when there are no more than <paramref name="maxRows"/>.
    /// </summary>
    /// <exception cref="ArgumentException">maxRows &lt; 1 or a label out of range.</exception>
    public static int[] Subsample(IReadOnlyList<int> labels, int cardinality, int maxRows, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        RequireLabels(labels, cardinality, nameof(labels));
        if (labels.Count <= maxRows)
        {
            return [.. Enumerable.Range(0, labels.Count)];
        }

        var counts = new int[cardinality];
        foreach (int y in labels)
        {
            counts[y]++;
        }

        var keep = new int[cardinality];
        var remainder = new double[cardinality];
        for (int c = 0; c < cardinality; c++)
        {
            double exact = (double)counts[c] * maxRows / labels.Count;
            keep[c] = Math.Min(counts[c], Math.Max((int)Math.Floor(exact), Math.Min(2, counts[c])));
            remainder[c] = exact - Math.Floor(exact);
        }

        int left = maxRows - keep.Sum();
        foreach (int c in Enumerable.Range(0, cardinality).OrderByDescending(c => remainder[c]).ThenBy(c => c))
        {
            if (left <= 0)
            {
                break;
            }

            if (keep[c] < counts[c])
            {
                keep[c]++;
                left--;
            }
        }

        var random = new Random(seed);
        var chosen = new List<int>(maxRows);
        for (int c = 0; c < cardinality; c++)
        {
            var rows = Shuffle(Enumerable.Range(0, labels.Count).Where(i => labels[i] == c).ToArray(), random);
            chosen.AddRange(rows[..keep[c]]);
        }

        chosen.Sort();
        return [.. chosen];
    }

    private WeakToStrongSeedResult RunSeed(WeakToStrongData data, int seed, Func<int, IEndModelTrainer> weakTrainer,
        Func<int, IEndModelTrainer> strongTrainer, IProgress<string>? progress)
    {
        int k = data.Cardinality;
        var (a, b) = Split(data.Labels, k, seed, Options.Stratified);
        var goldA = OneHot(a.Select(i => data.Labels[i]).ToArray(), k);
        var goldBLabels = b.Select(i => data.Labels[i]).ToArray();
        var goldB = OneHot(goldBLabels, k);
        var testGold = data.TestLabels;

        // Weak supervisor (or an ensemble of them) trained on A's gold labels, predicting B.
        var weakA = data.WeakFeatures.SelectRows(a);
        var weakB = data.WeakFeatures.SelectRows(b);
        var trainers = Options.WeakEnsembleSize == 1
            ? [weakTrainer(seed)]
            : Enumerable.Range(0, Options.WeakEnsembleSize).Select(j => weakTrainer(unchecked((seed * 1009) + j))).ToArray();
        var ensemble = TeacherEnsemble.Fit(trainers, weakA, goldA);
        var weakLabels = ensemble.PredictProba(weakB);
        var weakTest = ensemble.PredictProba(data.WeakTestFeatures).ArgMax();
        double weak = Metrics.Accuracy(testGold, weakTest);
        double weakLabelAccuracy = Metrics.Accuracy(goldBLabels, weakLabels.ArgMax());

        // Strong ceiling on B's gold labels.
        var strongB = data.StrongFeatures.SelectRows(b);
        double ceiling = Metrics.Accuracy(testGold, strongTrainer(seed).Fit(strongB, goldB).Predict(data.StrongTestFeatures));

        var students = new List<WeakToStrongStudentResult>();
        foreach (var loss in Options.Losses)
        {
            var trainer = strongTrainer(seed);
            EndModel model;
            double? overruled = null;
            if (loss == WeakToStrongLoss.AuxiliaryConfidence)
            {
                var mlp = trainer as Mlp ?? throw new ArgumentException(
                    $"The auxiliary confidence loss needs an Mlp student; the strong trainer is a {trainer.GetType().Name}.", nameof(strongTrainer));
                var fit = new AuxiliaryConfidenceTrainer(mlp, Options.Auxiliary).FitWithReport(strongB, weakLabels);
                (model, overruled) = (fit.Model, fit.OverruledShare);
            }
            else
            {
                model = trainer.Fit(strongB, weakLabels);
            }

            var predicted = model.Predict(data.StrongTestFeatures);
            double accuracy = Metrics.Accuracy(testGold, predicted);
            students.Add(new WeakToStrongStudentResult(loss, accuracy, PerformanceGapRecovered.Compute(weak, accuracy, ceiling),
                Metrics.Accuracy(weakTest, predicted), overruled));
        }

        if (progress is not null)
        {
            var scores = string.Join(", ", students.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Loss} {s.Accuracy:P1}")));
            progress.Report(string.Create(CultureInfo.InvariantCulture,
                $"seed {seed}: weak {weak:P1} (weak labels {weakLabelAccuracy:P1}), ceiling {ceiling:P1}, {scores}"));
        }

        return new WeakToStrongSeedResult(seed, a.Length, b.Length, weak, weakLabelAccuracy, ceiling, students);
    }

    private static void Validate(WeakToStrongData data)
    {
        ArgumentNullException.ThrowIfNull(data.WeakFeatures);
        ArgumentNullException.ThrowIfNull(data.StrongFeatures);
        ArgumentNullException.ThrowIfNull(data.WeakTestFeatures);
        ArgumentNullException.ThrowIfNull(data.StrongTestFeatures);
        ArgumentNullException.ThrowIfNull(data.Labels);
        ArgumentNullException.ThrowIfNull(data.TestLabels);
        if (data.Cardinality < 2)
        {
            throw new ArgumentException($"Cardinality = {data.Cardinality}; a classification task needs at least 2 classes.", nameof(data));
        }

        if (data.WeakFeatures.RowCount != data.Labels.Count || data.StrongFeatures.RowCount != data.Labels.Count)
        {
            throw new ArgumentException(
                $"{data.Labels.Count} data labels but {data.WeakFeatures.RowCount} weak and {data.StrongFeatures.RowCount} strong feature rows.", nameof(data));
        }

        if (data.WeakTestFeatures.RowCount != data.TestLabels.Count || data.StrongTestFeatures.RowCount != data.TestLabels.Count || data.TestLabels.Count == 0)
        {
            throw new ArgumentException(
                $"{data.TestLabels.Count} test labels but {data.WeakTestFeatures.RowCount} weak and {data.StrongTestFeatures.RowCount} strong test " +
                "feature rows; they must match and not be 0.", nameof(data));
        }

        RequireLabels(data.Labels, data.Cardinality, nameof(data));
        RequireLabels(data.TestLabels, data.Cardinality, nameof(data));
    }

    private static void RequireLabels(IReadOnlyList<int> labels, int cardinality, string parameter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cardinality, 2);
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0 || labels[i] >= cardinality)
            {
                throw new ArgumentException($"Label {labels[i]} at row {i} is outside [0, {cardinality}).", parameter);
            }
        }
    }

    private static ProbabilisticLabels OneHot(int[] labels, int k)
    {
        var values = new double[labels.Length * k];
        for (int i = 0; i < labels.Length; i++)
        {
            values[(i * k) + labels[i]] = 1;
        }

        return ProbabilisticLabels.FromRowMajor(values, k);
    }

    private static int[] Shuffle(int[] rows, Random random)
    {
        for (int i = rows.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (rows[i], rows[j]) = (rows[j], rows[i]);
        }

        return rows;
    }
}
