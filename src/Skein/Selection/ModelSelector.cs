using System.Globalization;
using Skein.Data;
using Skein.EndModels;
using Skein.Evaluation;
using Skein.Features;
using Skein.LabelModels;
using Skein.Training;

namespace Skein.Selection;

/// <summary>The stage a candidate belongs to.</summary>
public enum SelectionStage
{
    /// <summary>A label model fitted on the train votes.</summary>
    LabelModel,

    /// <summary>An end model (features × model × labels × budget).</summary>
    EndModel,

    /// <summary>A self-training setting around the chosen end model.</summary>
    SelfTraining,
}

/// <summary>One feature view of the train and dev rows, as a candidate of the search.</summary>
/// <param name="Name">The name in tables ("tfidf", "minilm+tfidf", …).</param>
/// <param name="Train">Features of every train row (the selector picks the covered ones).</param>
/// <param name="Dev">Features of every dev row.</param>
public sealed record FeatureSet(string Name, FeatureMatrix Train, FeatureMatrix Dev);

/// <summary>One row of the selection table: a candidate and its dev score.</summary>
/// <param name="Stage">Label model, end model or self-training.</param>
/// <param name="Name">The candidate ("DataProgramming", "mlp on minilm+tfidf", …).</param>
/// <param name="Setting">Its setting ("soft labels, 20 epochs", "TopKPerClass", …); empty for label models.</param>
/// <param name="Score">The dev score, or null without dev labels.</param>
/// <param name="Chosen">Whether it is the candidate the pipeline kept at this stage.</param>
public sealed record CandidateScore(SelectionStage Stage, string Name, string Setting, double? Score, bool Chosen);

/// <summary>A progress report: the candidate just scored, and a one-line message for logs.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Name">The candidate.</param>
/// <param name="Setting">Its setting.</param>
/// <param name="Score">Its dev score (null without dev labels).</param>
/// <param name="Message">A line such as "label model DataProgramming: dev accuracy 0.915".</param>
public sealed record SelectionProgress(SelectionStage Stage, string Name, string Setting, double? Score, string Message);

/// <summary>A fitted label model and its dev score.</summary>
/// <param name="Name">The candidate's name.</param>
/// <param name="Model">The model fitted on the train votes.</param>
/// <param name="Score">Its dev score (null without dev labels).</param>
public sealed record LabelModelTrial(string Name, LabelModel Model, double? Score);

/// <summary>What <see cref="ModelSelector.Select"/> chose, and the score of every candidate it tried.</summary>
public sealed record SelectionResult
{
    /// <summary>The metric of every score.</summary>
    public required SelectionMetric Metric { get; init; }

    /// <summary>The seed every candidate was fitted with.</summary>
    public required int Seed { get; init; }

    /// <summary>Every fitted label model with its dev score, in search-space order.</summary>
    public required IReadOnlyList<LabelModelTrial> LabelModels { get; init; }

    /// <summary>The chosen label model.</summary>
    public required LabelModelTrial LabelModel { get; init; }

    /// <summary>The train rows the end model learned from (covered rows unless <see cref="SearchSpace.DropUncovered"/> is off).</summary>
    public required IReadOnlyList<int> TrainRows { get; init; }

    /// <summary>The chosen feature view's name.</summary>
    public required string Features { get; init; }

    /// <summary>The chosen end model kind.</summary>
    public required EndModelCandidate EndModelCandidate { get; init; }

    /// <summary>The chosen budget's setting.</summary>
    public required string EndModelSetting { get; init; }

    /// <summary>Soft or hard: the labels the chosen end model learned from.</summary>
    public required TrainingLabels Labels { get; init; }

    /// <summary>The chosen end model (self-trained when <see cref="SelfTraining"/> is set).</summary>
    public required EndModel EndModel { get; init; }

    /// <summary>Its dev score (null without dev labels).</summary>
    public required double? EndModelScore { get; init; }

    /// <summary>The self-training setting that beat the plain end model on dev, or null.</summary>
    public SelfTrainingOptions? SelfTraining { get; init; }

    /// <summary>Every candidate tried, in order, with its dev score: what a CLI prints and a report plots.</summary>
    public required IReadOnlyList<CandidateScore> Table { get; init; }
}

/// <summary>
/// Fits every candidate of a <see cref="SearchSpace"/> on the train split and keeps the best on dev: first the label
/// model (fitted on train votes, scored on dev votes against dev gold with WRENCH's random tie-break), then, on its
/// probabilities of the covered train rows, every feature view × end model × labels × budget, then optional
/// self-training. Gold labels are used only on dev. The same seed gives the same choice and the same bits.
/// </summary>
public sealed class ModelSelector
{
    /// <summary>A selector over the default <see cref="SearchSpace"/>.</summary>
    public ModelSelector()
        : this(new SearchSpace())
    {
    }

    /// <summary>A selector over <paramref name="space"/>.</summary>
    /// <exception cref="ArgumentException">The space is invalid (the message names the option).</exception>
    public ModelSelector(SearchSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        Space = space.Validate();
    }

    /// <summary>The validated search space.</summary>
    public SearchSpace Space { get; }

    /// <summary>Runs the search.</summary>
    /// <param name="train">The train votes (n×m).</param>
    /// <param name="dev">The dev votes, or null: then nothing is scored and the first label model, the first feature view,
    /// the first end model's largest budget and soft labels are kept.</param>
    /// <param name="devGold">Gold class of each dev row (with <paramref name="dev"/>).</param>
    /// <param name="features">At least one feature view of the train and dev rows.</param>
    /// <param name="seed">Seed of every fit.</param>
    /// <param name="progress">One report per candidate scored.</param>
    /// <exception cref="ArgumentException">Mismatched rows, gold outside [0, k), no covered train row, or F1 with k ≠ 2.</exception>
    public SelectionResult Select(LabelMatrix train, LabelMatrix? dev, IReadOnlyList<int>? devGold, IReadOnlyList<FeatureSet> features, int seed,
        IProgress<SelectionProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(features);
        Check(train, dev, devGold, features);
        int k = train.Cardinality;
        var table = new List<CandidateScore>();
        bool scored = dev is not null;

        // Label models: fitted on train votes only.
        var trials = new List<LabelModelTrial>();
        int bestLm = 0;
        foreach (var candidate in Space.LabelModels)
        {
            var model = candidate.Trainer(seed).Fit(train);
            double? score = scored ? Score(devGold!, TieBreaking.ProbsToPreds(model.PredictProba(dev!), TieBreakPolicy.Random)) : null;
            trials.Add(new LabelModelTrial(candidate.Name, model, score));
            if (score > trials[bestLm].Score)
            {
                bestLm = trials.Count - 1;
            }

            Report(progress, SelectionStage.LabelModel, candidate.Name, string.Empty, score, $"label model {candidate.Name}");
        }

        table.AddRange(trials.Select((t, i) => new CandidateScore(SelectionStage.LabelModel, t.Name, string.Empty, t.Score, i == bestLm)));
        var labelModel = trials[bestLm];

        // End models on the chosen label model's probabilities of the covered train rows.
        var probabilities = labelModel.Model.PredictProba(train);
        var covered = train.CoveredRows();
        int[] rows = Space.DropUncovered ? [.. Enumerable.Range(0, train.RowCount).Where(i => covered[i])] : [.. Enumerable.Range(0, train.RowCount)];
        if (rows.Length == 0)
        {
            throw new ArgumentException("No LF voted on any train row, so no row is left to train the end model on.", nameof(train));
        }

        var soft = rows.Length == train.RowCount ? probabilities : probabilities.SelectRows(rows);
        var hard = OneHot(TieBreaking.ProbsToPreds(soft, TieBreakPolicy.Random), k);
        TrainingLabels[] labelChoices = Space.Labels switch
        {
            TrainingLabels.Soft => [TrainingLabels.Soft],
            TrainingLabels.Hard => [TrainingLabels.Hard],
            _ => scored ? [TrainingLabels.Soft, TrainingLabels.Hard] : [TrainingLabels.Soft],
        };
        var devOneHot = scored ? OneHot([.. devGold!], k) : null;

        (int Table, FeatureSet Features, EndModelCandidate Candidate, EndModelBudget Budget, TrainingLabels Labels, EndModel Model, double? Score)? best = null;
        foreach (var view in scored ? features : features.Take(1))
        {
            var x = rows.Length == train.RowCount ? view.Train : view.Train.SelectRows(rows);
            foreach (var candidate in scored ? Space.EndModels : Space.EndModels.Take(1))
            {
                var ladder = candidate.Ladder(seed);
                var validation = candidate.EarlyStopsOnDev && scored ? new ValidationSet(view.Dev, devOneHot!) : null;
                foreach (var labels in labelChoices)
                {
                    var y = labels == TrainingLabels.Hard ? hard : soft;
                    // Without dev labels there is nothing to select on: only the full budget is fitted.
                    foreach (var budget in scored ? ladder : ladder.TakeLast(1))
                    {
                        var model = budget.Trainer.Fit(x, y, null, validation);
                        double? score = scored ? Score(devGold!, model.Predict(view.Dev)) : null;
                        string name = $"{candidate.Name} on {view.Name}", setting = $"{Lower(labels)} labels, {budget.Setting}";
                        table.Add(new CandidateScore(SelectionStage.EndModel, name, setting, score, false));
                        if (best is null || score > best.Value.Score)
                        {
                            best = (table.Count - 1, view, candidate, budget, labels, model, score);
                        }

                        Report(progress, SelectionStage.EndModel, name, setting, score, $"end model {name} ({setting})");
                    }
                }
            }
        }

        var chosen = best!.Value;
        table[chosen.Table] = table[chosen.Table] with { Chosen = true };
        var endModel = chosen.Model;
        double? endScore = chosen.Score;
        SelfTrainingOptions? selfTraining = null;
        if (scored && Space.SelfTraining.Count > 0 && rows.Length < train.RowCount)
        {
            (endModel, endScore, selfTraining) = SelfTrain(train, probabilities, chosen.Labels == TrainingLabels.Hard ? hard : soft, rows, covered,
                chosen.Features, chosen.Budget, devGold!, table, progress, (endModel, endScore));
        }

        return new SelectionResult
        {
            Metric = Space.Metric,
            Seed = seed,
            LabelModels = trials,
            LabelModel = labelModel,
            TrainRows = rows,
            Features = chosen.Features.Name,
            EndModelCandidate = chosen.Candidate,
            EndModelSetting = chosen.Budget.Setting,
            Labels = chosen.Labels,
            EndModel = endModel,
            EndModelScore = endScore,
            SelfTraining = selfTraining,
            Table = table,
        };
    }

    /// <summary>The selection metric on gold and predicted classes.</summary>
    public double Score(IReadOnlyList<int> gold, IReadOnlyList<int> predicted) => Space.Metric == SelectionMetric.F1
        ? Metrics.BinaryF1(gold, predicted)
        : Metrics.Accuracy(gold, predicted);

    /// <summary>
    /// Self-trains the chosen trainer once per setting: covered rows keep their labels, the uncovered train rows are
    /// the pool. A setting replaces the plain model only when strictly better on dev.
    /// </summary>
    private (EndModel, double?, SelfTrainingOptions?) SelfTrain(LabelMatrix train, ProbabilisticLabels probabilities, ProbabilisticLabels coveredLabels,
        int[] rows, bool[] covered, FeatureSet view, EndModelBudget budget, IReadOnlyList<int> devGold, List<CandidateScore> table,
        IProgress<SelectionProgress>? progress, (EndModel Model, double? Score) plain)
    {
        int k = probabilities.Cardinality;
        int[] order = [.. rows, .. Enumerable.Range(0, train.RowCount).Where(r => !covered[r])];
        var labels = new double[order.Length * k];
        var pool = new bool[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            (i < rows.Length ? coveredLabels.Row(i) : probabilities.Row(order[i])).CopyTo(labels.AsSpan(i * k, k));
            pool[i] = i >= rows.Length;
        }

        var x = view.Train.SelectRows(order);
        var y = ProbabilisticLabels.FromRowMajor(labels, k);
        var best = (plain.Model, plain.Score, Options: (SelfTrainingOptions?)null);
        int bestRow = -1;
        foreach (var options in Space.SelfTraining)
        {
            var model = new SelfTraining(budget.Trainer, options).Fit(x, y, pool).Model;
            double score = Score(devGold, model.Predict(view.Dev));
            string setting = string.Create(CultureInfo.InvariantCulture, $"{options.Selection}, threshold {options.Threshold}, ≤ {options.MaxIterations} rounds");
            table.Add(new CandidateScore(SelectionStage.SelfTraining, "self-training", setting, score, false));
            if (score > best.Score)
            {
                best = (model, score, options);
                bestRow = table.Count - 1;
            }

            Report(progress, SelectionStage.SelfTraining, "self-training", setting, score, $"self-training ({setting})");
        }

        if (bestRow >= 0)
        {
            table[bestRow] = table[bestRow] with { Chosen = true };
        }

        return (best.Model, best.Score, best.Options);
    }

    private void Report(IProgress<SelectionProgress>? progress, SelectionStage stage, string name, string setting, double? score, string what)
    {
        if (progress is null)
        {
            return;
        }

        string metric = Space.Metric == SelectionMetric.F1 ? "F1" : "accuracy";
        string message = score is { } s ? string.Create(CultureInfo.InvariantCulture, $"{what}: dev {metric} {s:0.000}") : $"{what}: fitted (no dev labels)";
        progress.Report(new SelectionProgress(stage, name, setting, score, message));
    }

    private void Check(LabelMatrix train, LabelMatrix? dev, IReadOnlyList<int>? devGold, IReadOnlyList<FeatureSet> features)
    {
        if (features.Count == 0 || features.Any(f => f is null))
        {
            throw new ArgumentException("Give at least one feature view, none null.", nameof(features));
        }

        if ((dev is null) != (devGold is null))
        {
            throw new ArgumentException("Give the dev votes and the dev gold labels together, or neither.", nameof(devGold));
        }

        if (dev is not null)
        {
            if (dev.Cardinality != train.Cardinality || dev.LfCount != train.LfCount)
            {
                throw new ArgumentException(
                    $"The dev votes have {dev.LfCount} LFs and k = {dev.Cardinality}; the train votes have {train.LfCount} LFs and k = {train.Cardinality}.", nameof(dev));
            }

            if (devGold!.Count != dev.RowCount)
            {
                throw new ArgumentException($"{devGold.Count} dev gold labels for {dev.RowCount} dev rows; they must match one to one.", nameof(devGold));
            }

            for (int i = 0; i < devGold.Count; i++)
            {
                if (devGold[i] < 0 || devGold[i] >= train.Cardinality)
                {
                    throw new ArgumentException($"Dev gold label {devGold[i]} of row {i} is outside [0, {train.Cardinality}).", nameof(devGold));
                }
            }
        }

        if (Space.Metric == SelectionMetric.F1 && train.Cardinality != 2)
        {
            throw new ArgumentException($"SearchSpace.Metric = F1 is binary F1 of class 1; the votes have k = {train.Cardinality}.", nameof(train));
        }

        foreach (var f in features)
        {
            if (f.Train.RowCount != train.RowCount || (dev is not null && f.Dev.RowCount != dev.RowCount))
            {
                throw new ArgumentException(
                    $"Feature view '{f.Name}' has {f.Train.RowCount} train and {f.Dev.RowCount} dev rows; the votes have {train.RowCount} and {dev?.RowCount ?? 0}.",
                    nameof(features));
            }
        }
    }

    internal static ProbabilisticLabels OneHot(int[] classes, int k)
    {
        var values = new double[classes.Length * k];
        for (int i = 0; i < classes.Length; i++)
        {
            values[(i * k) + classes[i]] = 1;
        }

        return ProbabilisticLabels.FromRowMajor(values, k);
    }

    private static string Lower(TrainingLabels labels) => labels == TrainingLabels.Hard ? "hard" : "soft";
}
