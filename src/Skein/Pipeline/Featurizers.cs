using Skein.Features;

namespace Skein.Pipeline;

/// <summary>Turns items into features; <see cref="Fit"/> learns what it needs (e.g. IDF weights) from the training items.</summary>
/// <typeparam name="T">The item type.</typeparam>
public interface IFeaturizer<in T>
{
    /// <summary>Learns from the training items and returns a featurizer that can transform any items.</summary>
    IFittedFeaturizer<T> Fit(IReadOnlyList<T> items);
}

/// <summary>A fitted featurizer: immutable, applies the same mapping to training and new items.</summary>
/// <typeparam name="T">The item type.</typeparam>
public interface IFittedFeaturizer<in T>
{
    /// <summary>One feature row per item, in order.</summary>
    FeatureMatrix Transform(IReadOnlyList<T> items);
}

/// <summary>Ready-made featurizers.</summary>
public static class Featurizer
{
    /// <summary>A stateless featurizer from a function (e.g. sentence embeddings): fitting learns nothing.</summary>
    public static IFeaturizer<T> FromFunction<T>(Func<IReadOnlyList<T>, FeatureMatrix> transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        return new FunctionFeaturizer<T>(transform);
    }

    /// <summary>Hashed word and character n-gram TF-IDF of each item's text; IDF is learned at fit time.</summary>
    /// <param name="text">The item's text.</param>
    /// <param name="options">N-gram settings; null = <see cref="HashedNGramOptions"/> defaults.</param>
    public static IFeaturizer<T> TfIdf<T>(Func<T, string> text, HashedNGramOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new TfIdfFeaturizer<T>(text, new HashedNGramFeaturizer(options ?? new HashedNGramOptions()));
    }

    private sealed class FunctionFeaturizer<T>(Func<IReadOnlyList<T>, FeatureMatrix> transform) : IFeaturizer<T>, IFittedFeaturizer<T>
    {
        public IFittedFeaturizer<T> Fit(IReadOnlyList<T> items) => this;

        public FeatureMatrix Transform(IReadOnlyList<T> items) => transform(items);
    }

    private sealed class TfIdfFeaturizer<T>(Func<T, string> text, HashedNGramFeaturizer featurizer) : IFeaturizer<T>
    {
        public IFittedFeaturizer<T> Fit(IReadOnlyList<T> items) => new Fitted(text, featurizer.Fit(items.Select(text).ToArray()));

        private sealed class Fitted(Func<T, string> text, HashedNGramModel model) : IFittedFeaturizer<T>
        {
            public FeatureMatrix Transform(IReadOnlyList<T> items) => model.Transform(items.Select(text).ToArray());
        }
    }
}
