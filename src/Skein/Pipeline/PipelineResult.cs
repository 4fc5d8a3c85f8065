using Skein.Analysis;
using Skein.Data;
using Skein.EndModels;
using Skein.Labeling;
using Skein.LabelModels;

namespace Skein.Pipeline;

/// <summary>Accuracies of a pipeline run against gold labels (rows with gold -1 are not counted).</summary>
/// <param name="LabelModelAccuracy">Argmax of the label model's probabilities (ties to the lower class) over every row with gold.</param>
/// <param name="EndModelAccuracy">The end model's predictions over every row with gold, covered or not.</param>
/// <param name="CoveredLabelModelAccuracy">The label model's accuracy over covered rows with gold only; null if none.</param>
/// <param name="GoldCount">Rows with a known gold label.</param>
public sealed record PipelineMetrics(double LabelModelAccuracy, double EndModelAccuracy, double? CoveredLabelModelAccuracy, int GoldCount);

/// <summary>Everything a <see cref="WeakSupervisionPipeline{T}.Run"/> produced.</summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class PipelineResult<T>
{
    internal PipelineResult(ApplyResult apply, LabelMatrixSummary summary, LabelModel labelModel, ProbabilisticLabels labels,
        IReadOnlyList<int> trainingRows, IFittedFeaturizer<T> featurizer, EndModel endModel, PipelineMetrics? metrics)
    {
        Apply = apply;
        Summary = summary;
        LabelModel = labelModel;
        ProbabilisticLabels = labels;
        TrainingRows = trainingRows;
        Featurizer = featurizer;
        EndModel = endModel;
        Metrics = metrics;
    }

    /// <summary>The label matrix the LFs produced (and their fault counts).</summary>
    public ApplyResult Apply { get; }

    /// <summary>Coverage, overlap and conflict per LF (with empirical accuracy when gold was given).</summary>
    public LabelMatrixSummary Summary { get; }

    /// <summary>The fitted label model.</summary>
    public LabelModel LabelModel { get; }

    /// <summary>The label model's probabilities for every item (uncovered rows included).</summary>
    public ProbabilisticLabels ProbabilisticLabels { get; }

    /// <summary>The item indices the featurizer and end model were trained on (all, or the covered ones).</summary>
    public IReadOnlyList<int> TrainingRows { get; }

    /// <summary>The fitted featurizer, to featurize new items for <see cref="EndModel"/>.</summary>
    public IFittedFeaturizer<T> Featurizer { get; }

    /// <summary>The fitted end model.</summary>
    public EndModel EndModel { get; }

    /// <summary>Accuracies when gold labels were given; otherwise null.</summary>
    public PipelineMetrics? Metrics { get; }

    /// <summary>Class probabilities of new items from the fitted featurizer and end model (no LFs needed).</summary>
    public ProbabilisticLabels PredictProba(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return EndModel.PredictProba(Featurizer.Transform(items));
    }
}
