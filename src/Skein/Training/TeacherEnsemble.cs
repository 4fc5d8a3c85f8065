using Skein.Data;
using Skein.EndModels;
using Skein.Features;

namespace Skein.Training;

/// <summary>
/// K weak teachers (e.g. the same model trained with different seeds, or on different feature views) whose class
/// probabilities are averaged into one soft label set: the "ensemble as supervisor" of Lang, Huang &amp; Li (2025),
/// "Debate helps weak-to-strong generalization". When an ensemble supervises a weak-to-strong student, the weak
/// baseline of <see cref="PerformanceGapRecovered"/> is the ensemble's score, not a single member's.
/// </summary>
public sealed class TeacherEnsemble
{
    private readonly double[] _weights;

    /// <summary>An ensemble of fitted teachers.</summary>
    /// <param name="teachers">At least one fitted model, all with the same number of classes.</param>
    /// <param name="weights">Optional per-teacher weights (finite, ≥ 0, not all 0); null = plain mean.</param>
    /// <exception cref="ArgumentException">No teachers, differing class counts, or bad weights.</exception>
    public TeacherEnsemble(IReadOnlyList<EndModel> teachers, IReadOnlyList<double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(teachers);
        if (teachers.Count == 0)
        {
            throw new ArgumentException("An ensemble needs at least one teacher.", nameof(teachers));
        }

        if (teachers.Any(t => t is null))
        {
            throw new ArgumentException("A teacher is null.", nameof(teachers));
        }

        if (teachers.Select(t => t.Cardinality).Distinct().Count() > 1)
        {
            throw new ArgumentException(
                $"The teachers disagree on the number of classes ({string.Join(", ", teachers.Select(t => t.Cardinality))}).", nameof(teachers));
        }

        Teachers = [.. teachers];
        _weights = Normalise(weights, teachers.Count);
    }

    /// <summary>The members, in the order given.</summary>
    public IReadOnlyList<EndModel> Teachers { get; }

    /// <summary>Number of classes, k.</summary>
    public int Cardinality => Teachers[0].Cardinality;

    /// <summary>Trains one teacher per trainer on the same gold (or soft) labels and features.</summary>
    /// <param name="trainers">One trainer per member (e.g. the same model with K seeds).</param>
    /// <param name="features">The members' shared features.</param>
    /// <param name="labels">The labels every member is trained on.</param>
    /// <exception cref="ArgumentException">No trainers, or a trainer refuses the data.</exception>
    public static TeacherEnsemble Fit(IReadOnlyList<IEndModelTrainer> trainers, FeatureMatrix features, ProbabilisticLabels labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        return Fit(trainers, [.. Enumerable.Repeat(features, trainers?.Count ?? 0)], labels);
    }

    /// <summary>Trains member i on <paramref name="views"/>[i] (one feature view per member) and the same labels.</summary>
    /// <exception cref="ArgumentException">No trainers, a view count that differs from the trainer count, or a trainer refuses the data.</exception>
    public static TeacherEnsemble Fit(IReadOnlyList<IEndModelTrainer> trainers, IReadOnlyList<FeatureMatrix> views, ProbabilisticLabels labels)
    {
        ArgumentNullException.ThrowIfNull(trainers);
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(labels);
        if (trainers.Count == 0 || trainers.Count != views.Count)
        {
            throw new ArgumentException($"{trainers.Count} trainers and {views.Count} feature views; give at least one trainer and one view per trainer.",
                nameof(views));
        }

        return new TeacherEnsemble([.. trainers.Select((t, i) => t.Fit(views[i], labels))]);
    }

    /// <summary>The weighted mean of the members' probabilities on one shared feature view.</summary>
    public ProbabilisticLabels PredictProba(FeatureMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        return Average([.. Teachers.Select(t => t.PredictProba(features))], _weights);
    }

    /// <summary>The weighted mean of member i's probabilities on <paramref name="views"/>[i].</summary>
    /// <exception cref="ArgumentException">The number of views differs from the number of teachers.</exception>
    public ProbabilisticLabels PredictProba(IReadOnlyList<FeatureMatrix> views)
    {
        ArgumentNullException.ThrowIfNull(views);
        if (views.Count != Teachers.Count)
        {
            throw new ArgumentException($"{views.Count} feature views for {Teachers.Count} teachers; give one per teacher.", nameof(views));
        }

        return Average([.. Teachers.Select((t, i) => t.PredictProba(views[i]))], _weights);
    }

    /// <summary>
    /// The (weighted) mean of probability matrices of the same shape, summed in member order so the result does not
    /// depend on threading.
    /// </summary>
    /// <param name="predictions">At least one n×k matrix.</param>
    /// <param name="weights">Optional per-matrix weights (finite, ≥ 0, not all 0); null = plain mean.</param>
    /// <exception cref="ArgumentException">No matrices, differing shapes, or bad weights.</exception>
    public static ProbabilisticLabels Average(IReadOnlyList<ProbabilisticLabels> predictions, IReadOnlyList<double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        if (predictions.Count == 0)
        {
            throw new ArgumentException("Averaging needs at least one prediction matrix.", nameof(predictions));
        }

        var first = predictions[0] ?? throw new ArgumentException("A prediction matrix is null.", nameof(predictions));
        foreach (var p in predictions)
        {
            if (p is null || p.RowCount != first.RowCount || p.Cardinality != first.Cardinality)
            {
                throw new ArgumentException(
                    $"The prediction matrices differ in shape ({string.Join(", ", predictions.Select(q => q is null ? "null" : $"{q.RowCount}×{q.Cardinality}"))}).",
                    nameof(predictions));
            }
        }

        var w = Normalise(weights, predictions.Count);
        var sum = new double[first.Values.Length];
        for (int m = 0; m < predictions.Count; m++)
        {
            var values = predictions[m].Values;
            for (int i = 0; i < sum.Length; i++)
            {
                sum[i] += w[m] * values[i];
            }
        }

        return ProbabilisticLabels.FromRowMajor(sum, first.Cardinality);
    }

    private static double[] Normalise(IReadOnlyList<double>? weights, int count)
    {
        if (weights is null)
        {
            return [.. Enumerable.Repeat(1.0 / count, count)];
        }

        if (weights.Count != count || weights.Any(w => !double.IsFinite(w) || w < 0) || weights.Sum() <= 0)
        {
            throw new ArgumentException($"Give {count} weights, each finite and ≥ 0, not all 0.", nameof(weights));
        }

        double total = weights.Sum();
        return [.. weights.Select(w => w / total)];
    }
}
