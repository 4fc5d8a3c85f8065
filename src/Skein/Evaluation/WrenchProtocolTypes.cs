using Skein.Data;
using Skein.EndModels;
using Skein.Pipeline;
using Skein.Training;

namespace Skein.Evaluation;

/// <summary>How a WRENCH split is scored.</summary>
public enum WrenchMetric
{
    /// <summary>Accuracy over every row, in percent.</summary>
    Accuracy,

    /// <summary>Binary F1 of class 1 over every row, in percent (binary data sets only).</summary>
    F1,
}

/// <summary>Whether the rows listed in <c>labeled_ids.json</c> are removed from <c>train.json</c> before the fit.</summary>
public enum LabeledIdsPolicy
{
    /// <summary>
    /// The convention of WRENCH's published label-model table: dropped for youtube and trec (whose labeled rows repeat
    /// earlier train rows), kept for every other data set (sms's published numbers use all 4,571 rows).
    /// </summary>
    Auto,

    /// <summary>Always drop them; <c>labeled_ids.json</c> must exist.</summary>
    Drop,

    /// <summary>Never drop them: fit on every row of <c>train.json</c>.</summary>
    Keep,
}

/// <summary>Where the class balance handed to the label model came from.</summary>
public enum ClassBalanceSource
{
    /// <summary>WRENCH's <c>_init_balance</c>: (count + 1) / n over the labels of <c>valid.json</c>.</summary>
    ValidLabels,

    /// <summary>Uniform 1/k, because the directory has no <c>valid.json</c>.</summary>
    Uniform,
}

/// <summary>Options of <see cref="WrenchProtocol.Run"/>.</summary>
public sealed record WrenchProtocolOptions
{
    /// <summary>The label model to evaluate (usually from <see cref="LabelModelCatalog"/>).</summary>
    public required LabelModelSpec Model { get; init; }

    /// <summary>The metric; null (default) = <see cref="WrenchProtocol.DefaultMetric"/> of the data set's name.</summary>
    public WrenchMetric? Metric { get; init; }

    /// <summary>Seed passed to models that use one; null lets the model pick.</summary>
    public int? Seed { get; init; }

    /// <summary>Grid-search the model's <see cref="LabelModelSpec.SearchSpace"/> on valid (needs <c>valid.json</c>).</summary>
    public bool Search { get; init; }

    /// <summary>Whether to drop the <c>labeled_ids.json</c> rows from train; default <see cref="LabeledIdsPolicy.Auto"/>.</summary>
    public LabeledIdsPolicy LabeledIds { get; init; } = LabeledIdsPolicy.Auto;

    /// <summary>The data set's name; null (default) = <see cref="WrenchProtocol.DatasetNameOf"/> of the directory.</summary>
    public string? DatasetName { get; init; }

    /// <summary>Also train and score an end model on the label model's probabilities (WRENCH's two-stage setting); null = no.</summary>
    public WrenchEndModelOptions? EndModel { get; init; }

    /// <summary>
    /// Also train a model that learns from the texts themselves (<see cref="IWrenchTextEndModel"/>); null = no. Without
    /// valid.json it selects on the dropped <c>labeled_ids.json</c> rows (youtube's convention) when there are any.
    /// </summary>
    public IWrenchTextEndModel? TextEndModel { get; init; }
}

/// <summary>The labels a WRENCH end model learns from (see <see cref="WrenchEndModelOptions.Labels"/>).</summary>
public enum WrenchEndModelLabels
{
    /// <summary>Both soft and hard, kept by valid score (ties: soft).</summary>
    SoftOrHard,

    /// <summary>The label model's probabilities.</summary>
    Soft,

    /// <summary>The probabilities' argmax as one-hot labels.</summary>
    Hard,
}

/// <summary>The end model of a two-stage WRENCH run: features of <c>data.text</c> and a trainer.</summary>
public sealed record WrenchEndModelOptions
{
    /// <summary>The end model's name for reports (e.g. "softmax").</summary>
    public required string Name { get; init; }

    /// <summary>The features' name for reports (e.g. "tfidf").</summary>
    public required string FeaturesName { get; init; }

    /// <summary>Fitted on the train texts the end model learns from, then applied to valid and test.</summary>
    public required IFeaturizer<string> Featurizer { get; init; }

    /// <summary>
    /// Candidate trainers, usually one model at growing training budgets (iterations or epochs). Each is fitted on
    /// all the train rows; the one whose predictions score best on valid.json is kept (ties keep the earlier), which
    /// is early stopping on WRENCH's valid metric. Without valid.json the last candidate is kept.
    /// </summary>
    /// <remarks>Selection is by the metric, not the trainers' own validation loss: on noisy labels the gold
    /// validation loss bottoms out long before accuracy does (trec: 32% vs 50% accuracy).</remarks>
    public required IReadOnlyList<IEndModelTrainer> Trainers { get; init; }

    /// <summary>Train only on rows some LF covers (WRENCH's default for the second stage); default true.</summary>
    public bool DropUncovered { get; init; } = true;

    /// <summary>
    /// What the end model learns from: the label model's probabilities, their argmax (SHA1 tie-break), or both as
    /// candidates next to the trainers, kept by valid score (default; without valid.json, soft). Hard labels help where a
    /// label model ranks well but is badly calibrated (DataProgramming on one-sided LFs: spam ≈ 1, ham ≈ 0.5).
    /// </summary>
    public WrenchEndModelLabels Labels { get; init; } = WrenchEndModelLabels.SoftOrHard;

    /// <summary>
    /// After the end model is chosen, self-train its trainer (<see cref="Training.SelfTraining"/>) with the covered train
    /// rows labelled by the label model and the uncovered train rows as the pool, and score the result like the end
    /// model. Each entry is one candidate setting; with valid.json the best valid score is kept (ties: the earlier
    /// entry), without it the first. Null or empty (default) = no self-training.
    /// </summary>
    public IReadOnlyList<SelfTrainingOptions>? SelfTraining { get; init; }
}

/// <summary>The self-training part of a <see cref="WrenchEndModelResult"/>.</summary>
/// <param name="Valid">Score on every row of valid.json in percent; null without valid.json.</param>
/// <param name="Test">Score on every row of test.json in percent; null without test.json.</param>
/// <param name="PoolRows">Uncovered train rows offered for pseudo-labelling.</param>
/// <param name="RowsPseudoLabeled">Pool rows the final model was trained on with pseudo-labels.</param>
/// <param name="Iterations">Self-training rounds that re-fitted the model.</param>
/// <param name="Termination">Why self-training stopped.</param>
/// <param name="FitSeconds">Wall time of featurising the pool and self-training every candidate.</param>
/// <param name="Model">The self-trained end model.</param>
/// <param name="Options">The candidate setting that was kept (see <see cref="WrenchEndModelOptions.SelfTraining"/>).</param>
public sealed record WrenchSelfTrainingResult(double? Valid, double? Test, int PoolRows, int RowsPseudoLabeled, int Iterations,
    SelfTrainingTermination Termination, double FitSeconds, EndModel Model, SelfTrainingOptions Options);

/// <summary>The end model's part of a <see cref="WrenchResult"/>.</summary>
/// <param name="Name">The end model's name.</param>
/// <param name="FeaturesName">The features' name.</param>
/// <param name="TrainRows">Train rows it learned from (covered rows, labeled ids dropped as for the label model).</param>
/// <param name="Valid">Score on every row of valid.json in percent; null without valid.json.</param>
/// <param name="Test">Score on every row of test.json in percent; null without test.json.</param>
/// <param name="FitSeconds">Wall time of featurising every split and training every candidate.</param>
/// <param name="Candidate">0-based index of the chosen trainer among <see cref="WrenchEndModelOptions.Trainers"/>.</param>
/// <param name="Model">The fitted end model.</param>
public sealed record WrenchEndModelResult(string Name, string FeaturesName, int TrainRows, double? Valid, double? Test, double FitSeconds, int Candidate, EndModel Model)
{
    /// <summary>True when the kept end model learned from hard (argmax) labels rather than probabilities.</summary>
    public bool HardLabels { get; init; }

    /// <summary>The self-trained model's scores when <see cref="WrenchEndModelOptions.SelfTraining"/> was set; otherwise null.</summary>
    public WrenchSelfTrainingResult? SelfTraining { get; init; }
}

/// <summary>One grid point tried by the search, with its valid score.</summary>
/// <param name="HyperParameters">The point's settings.</param>
/// <param name="Valid">Its score on valid, in percent.</param>
/// <param name="FitSeconds">Wall time of its fit.</param>
public sealed record WrenchSearchPoint(IReadOnlyList<HyperParameterValue> HyperParameters, double Valid, double FitSeconds);

/// <summary>The outcome of one <see cref="WrenchProtocol.Run"/>.</summary>
public sealed record WrenchResult
{
    /// <summary>The data set's name (e.g. "sms").</summary>
    public required string Dataset { get; init; }

    /// <summary>The label model's CLI name (e.g. "mv").</summary>
    public required string LabelModel { get; init; }

    /// <summary>The metric of <see cref="Valid"/> and <see cref="Test"/>.</summary>
    public required WrenchMetric Metric { get; init; }

    /// <summary>Score on every row of <c>valid.json</c> in percent; null when there is no valid.json.</summary>
    public required double? Valid { get; init; }

    /// <summary>Score on every row of <c>test.json</c> in percent; null when there is no test.json.</summary>
    public required double? Test { get; init; }

    /// <summary>Wall time of the fit of the reported model (with a search, the chosen point's fit).</summary>
    public required double FitSeconds { get; init; }

    /// <summary>Wall time of the whole run: loading, every fit, every prediction.</summary>
    public required double TotalSeconds { get; init; }

    /// <summary>Rows the model was fitted on (train.json minus any dropped labeled ids).</summary>
    public required int TrainRows { get; init; }

    /// <summary>How many labeled-id rows were dropped from train.</summary>
    public required int DroppedLabeledRows { get; init; }

    /// <summary>Number of LFs, m.</summary>
    public required int LfCount { get; init; }

    /// <summary>Number of classes, k.</summary>
    public required int Cardinality { get; init; }

    /// <summary>Where <see cref="ClassBalance"/> came from.</summary>
    public required ClassBalanceSource ClassBalanceSource { get; init; }

    /// <summary>The class balance handed to the model (WRENCH's unnormalised (count + 1) / n, or uniform).</summary>
    public required IReadOnlyList<double> ClassBalance { get; init; }

    /// <summary>The hyper-parameters of the reported model (empty = the model's defaults).</summary>
    public required IReadOnlyList<HyperParameterValue> HyperParameters { get; init; }

    /// <summary>Every grid point tried, in grid order; empty without a search.</summary>
    public required IReadOnlyList<WrenchSearchPoint> SearchPoints { get; init; }

    /// <summary>The end model's scores when <see cref="WrenchProtocolOptions.EndModel"/> was set; otherwise null.</summary>
    public WrenchEndModelResult? EndModel { get; init; }

    /// <summary>The text end model's scores when <see cref="WrenchProtocolOptions.TextEndModel"/> was set; otherwise null.</summary>
    public WrenchTextEndModelResult? TextEndModel { get; init; }
}

/// <summary>
/// A second stage that learns from the texts themselves (e.g. a transformer fine-tuned on the weak labels, in
/// Skein.Transformers), plugged into <see cref="WrenchProtocol.Run"/> through <see cref="WrenchProtocolOptions.TextEndModel"/>.
/// </summary>
public interface IWrenchTextEndModel
{
    /// <summary>The model's name for reports (e.g. "finetune").</summary>
    string Name { get; }

    /// <summary>Trains on <paramref name="input"/> and scores every stage it runs.</summary>
    WrenchTextEndModelResult Fit(WrenchTextEndModelInput input);
}

/// <summary>Which rows a <see cref="IWrenchTextEndModel"/> selects on.</summary>
public enum WrenchValidSource
{
    /// <summary>The rows of <c>valid.json</c>.</summary>
    ValidFile,

    /// <summary>No valid.json: the <c>labeled_ids.json</c> rows, dropped from train, with their gold labels.</summary>
    LabeledIds,

    /// <summary>Nothing to select on.</summary>
    None,
}

/// <summary>What a <see cref="IWrenchTextEndModel"/> learns from and is scored on.</summary>
/// <param name="Dataset">The data set's name.</param>
/// <param name="Metric">The metric of every score.</param>
/// <param name="TrainTexts">Every train text the label model labelled (labeled ids dropped as for the label model).</param>
/// <param name="TrainLabels">The label model's probabilities of those rows.</param>
/// <param name="TrainHardLabels">Their argmax with WRENCH's SHA1 tie-break, one-hot.</param>
/// <param name="Covered">Whether some LF voted on each row.</param>
/// <param name="ValidTexts">Rows to select on (see <paramref name="ValidSource"/>); null when none.</param>
/// <param name="ValidGold">Their gold classes; null when none.</param>
/// <param name="ValidSource">Where the selection rows came from.</param>
/// <param name="TestTexts">test.json's texts; null without test.json.</param>
/// <param name="TestGold">Their gold classes; null without test.json.</param>
/// <param name="Seed">The run's seed; null lets the model pick.</param>
public sealed record WrenchTextEndModelInput(string Dataset, WrenchMetric Metric, IReadOnlyList<string> TrainTexts, ProbabilisticLabels TrainLabels,
    ProbabilisticLabels TrainHardLabels, IReadOnlyList<bool> Covered, IReadOnlyList<string>? ValidTexts, IReadOnlyList<int>? ValidGold,
    WrenchValidSource ValidSource, IReadOnlyList<string>? TestTexts, IReadOnlyList<int>? TestGold, int? Seed);

/// <summary>One stage of a text end model (e.g. "end_model" then "cosine") and its scores in percent.</summary>
/// <param name="Stage">The stage's name.</param>
/// <param name="Valid">Score on the selection rows; null without them.</param>
/// <param name="Test">Score on test.json; null without it.</param>
/// <param name="Seconds">Wall time of the stage.</param>
public sealed record WrenchStageScore(string Stage, double? Valid, double? Test, double Seconds);

/// <summary>The outcome of a <see cref="IWrenchTextEndModel"/>.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Stages">Each stage's scores, in the order they ran.</param>
public sealed record WrenchTextEndModelResult(string Name, IReadOnlyList<WrenchStageScore> Stages)
{
    /// <summary>Where the selection rows came from (set by <see cref="WrenchProtocol.Run"/>).</summary>
    public WrenchValidSource ValidSource { get; init; }

    /// <summary>The label model's score on the selection rows (equal to <see cref="WrenchResult.Valid"/> for valid.json; set by <see cref="WrenchProtocol.Run"/>).</summary>
    public double? LabelModelValid { get; init; }

    /// <summary>Rows the stages were selected on (set by <see cref="WrenchProtocol.Run"/>).</summary>
    public int SelectionRows { get; init; }

    /// <summary>Things the model wants said once in a report (e.g. how many texts it truncated).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Settings the model ran with, as name/value pairs for reports.</summary>
    public IReadOnlyList<HyperParameterValue> Settings { get; init; } = [];
}
