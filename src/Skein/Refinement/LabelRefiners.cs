using Skein.Data;

namespace Skein.Refinement;

/// <summary>A step between the label model and the end model that refines weak labels with a feature space.</summary>
public interface ILabelRefiner
{
    /// <summary>Short name (none, knn, gmm).</summary>
    string Name { get; }

    /// <summary>Refines <paramref name="labels"/>; <paramref name="covered"/> marks rows whose weak label is trusted (null = all).</summary>
    ProbabilisticLabels Refine(IReadOnlyList<float[]> features, ProbabilisticLabels labels, IReadOnlyList<bool>? covered = null);
}

/// <summary>The refiners by name, for command lines and configuration files.</summary>
public static class LabelRefiners
{
    /// <summary>The names <see cref="FromName"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["none", "knn", "gmm"];

    /// <summary>The refiner called <paramref name="name"/> (case-insensitive) with default options.</summary>
    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static ILabelRefiner FromName(string name) => name?.ToUpperInvariant() switch
    {
        "NONE" => new NoRefinement(),
        "KNN" => new KnnLabelRefiner(),
        "GMM" => new GaussianMixtureLabelRefiner(),
        _ => throw new ArgumentException($"Unknown label refinement '{name}'; use one of {string.Join(", ", Names)}.", nameof(name)),
    };
}

/// <summary>Leaves the labels as they are.</summary>
public sealed class NoRefinement : ILabelRefiner
{
    /// <inheritdoc/>
    public string Name => "none";

    /// <inheritdoc/>
    public ProbabilisticLabels Refine(IReadOnlyList<float[]> features, ProbabilisticLabels labels, IReadOnlyList<bool>? covered = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return labels;
    }
}

/// <summary><see cref="KnnLabelRefinement"/> as an <see cref="ILabelRefiner"/>.</summary>
/// <param name="options">Its options; null = defaults.</param>
public sealed class KnnLabelRefiner(KnnRefinementOptions? options = null) : ILabelRefiner
{
    /// <summary>The options (null = defaults).</summary>
    public KnnRefinementOptions? Options { get; } = options;

    /// <inheritdoc/>
    public string Name => "knn";

    /// <inheritdoc/>
    public ProbabilisticLabels Refine(IReadOnlyList<float[]> features, ProbabilisticLabels labels, IReadOnlyList<bool>? covered = null) =>
        KnnLabelRefinement.Refine(features, labels, covered, Options);
}

/// <summary><see cref="GaussianMixtureRefinement"/> as an <see cref="ILabelRefiner"/>.</summary>
/// <param name="options">Its options; null = defaults.</param>
public sealed class GaussianMixtureLabelRefiner(GaussianMixtureRefinementOptions? options = null) : ILabelRefiner
{
    /// <summary>The options (null = defaults).</summary>
    public GaussianMixtureRefinementOptions? Options { get; } = options;

    /// <inheritdoc/>
    public string Name => "gmm";

    /// <inheritdoc/>
    public ProbabilisticLabels Refine(IReadOnlyList<float[]> features, ProbabilisticLabels labels, IReadOnlyList<bool>? covered = null) =>
        GaussianMixtureRefinement.Refine(features, labels, covered, Options);
}
