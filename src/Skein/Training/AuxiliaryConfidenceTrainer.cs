using Skein.Data;
using Skein.EndModels;
using Skein.Features;

namespace Skein.Training;

/// <summary>What <see cref="AuxiliaryConfidenceTrainer"/> did: the fitted student and how often it overruled its supervisor.</summary>
/// <param name="Model">The fitted student.</param>
/// <param name="HardenedRows">Row-steps whose target got a hardened part (α &gt; 0).</param>
/// <param name="OverruledRows">Of those, row-steps hardened to a class other than the weak label's argmax.</param>
public sealed record AuxiliaryConfidenceFit(MlpModel Model, long HardenedRows, long OverruledRows)
{
    /// <summary>OverruledRows / HardenedRows, or 0 when nothing was hardened.</summary>
    public double OverruledShare => HardenedRows == 0 ? 0 : (double)OverruledRows / HardenedRows;
}

/// <summary>
/// Trains an <see cref="Mlp"/> student on weak soft labels with the <see cref="AuxiliaryConfidenceObjective"/>
/// (Burns et al.'s auxiliary confidence loss). As an <see cref="IEndModelTrainer"/> it drops into any place that
/// takes a trainer; <see cref="FitWithReport"/> also says how often the student overruled the weak labels.
/// </summary>
public sealed class AuxiliaryConfidenceTrainer : IEndModelTrainer
{
    /// <summary>A trainer for the given student and objective options.</summary>
    /// <param name="student">The network trainer (use BatchSize 32 to match the repo's hardening batch).</param>
    /// <param name="options">The confidence loss's options; null = defaults.</param>
    /// <exception cref="ArgumentException">An objective option is out of range.</exception>
    public AuxiliaryConfidenceTrainer(Mlp student, AuxiliaryConfidenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(student);
        Student = student;
        // Validate now rather than at the first Fit.
        Options = new AuxiliaryConfidenceObjective(options ?? new AuxiliaryConfidenceOptions()).Options;
    }

    /// <summary>The student's trainer.</summary>
    public Mlp Student { get; }

    /// <summary>The confidence loss's options.</summary>
    public AuxiliaryConfidenceOptions Options { get; }

    EndModel IEndModelTrainer.Fit(FeatureMatrix features, ProbabilisticLabels labels, IReadOnlyList<double>? weights, ValidationSet? validation) =>
        FitWithReport(features, labels, weights, validation).Model;

    /// <summary>Fits the student on the weak labels with the confidence loss.</summary>
    /// <param name="features">n×d student features.</param>
    /// <param name="labels">n×k weak soft labels.</param>
    /// <param name="weights">Optional per-row weights.</param>
    /// <param name="validation">Optional validation set for early stopping (scored with plain cross-entropy on its labels).</param>
    /// <exception cref="ArgumentException">As <see cref="Mlp.Fit(FeatureMatrix, ProbabilisticLabels, IReadOnlyList{double}?, ValidationSet?)"/>.</exception>
    public AuxiliaryConfidenceFit FitWithReport(FeatureMatrix features, ProbabilisticLabels labels, IReadOnlyList<double>? weights = null,
        ValidationSet? validation = null)
    {
        var objective = new AuxiliaryConfidenceObjective(Options);
        var model = Student.Fit(features, labels, weights, validation, objective);
        return new AuxiliaryConfidenceFit(model, objective.HardenedRows, objective.OverruledRows);
    }
}
