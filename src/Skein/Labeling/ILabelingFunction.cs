namespace Skein.Labeling;

/// <summary>
/// A labeling function (LF): a cheap, noisy heuristic that votes a class index in [0, k) for an item, or
/// abstains with -1. Implementations must be thread-safe: the applier calls them from several threads.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public interface ILabelingFunction<in T>
{
    /// <summary>A unique, human-readable name (a column header of the label matrix).</summary>
    string Name { get; }

    /// <summary>The class voted for <paramref name="item"/>, or <see cref="LabelingFunction.Abstain"/>.</summary>
    int Vote(T item);
}
