namespace Skein.Labeling;

/// <summary>
/// A fitted model used as a labeling function: votes the class of highest probability when that probability
/// reaches <see cref="Threshold"/>, else abstains. Also abstains when the probabilities are empty, hold a NaN,
/// or two classes share the top probability. Thread-safe when the probability function is.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class ModelLabelingFunction<T> : ILabelingFunction<T>
{
    private readonly Func<T, int> _vote;

    /// <summary>An LF over a model's class probabilities for one item (e.g. an end model's PredictProba).</summary>
    /// <param name="name">The LF's name.</param>
    /// <param name="predictProba">Class probabilities of one item, index = class.</param>
    /// <param name="threshold">Least probability at which the LF votes, in [0, 1]; default 0.9.</param>
    /// <exception cref="ArgumentException">An empty name, or a threshold outside [0, 1].</exception>
    public ModelLabelingFunction(string name, Func<T, ReadOnlySpan<double>> predictProba, double threshold = 0.9)
    {
        ArgumentNullException.ThrowIfNull(predictProba);
        (Name, Threshold) = Validate(name, threshold);
        _vote = item => Decide(predictProba(item), threshold);
    }

    /// <summary>As the double overload, for models that give single-precision probabilities.</summary>
    /// <exception cref="ArgumentException">An empty name, or a threshold outside [0, 1].</exception>
    public ModelLabelingFunction(string name, Func<T, ReadOnlySpan<float>> predictProba, double threshold = 0.9)
    {
        ArgumentNullException.ThrowIfNull(predictProba);
        (Name, Threshold) = Validate(name, threshold);
        _vote = item => Decide(predictProba(item), threshold);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Least probability at which the LF votes.</summary>
    public double Threshold { get; }

    /// <inheritdoc />
    public int Vote(T item) => _vote(item);

    /// <inheritdoc />
    public override string ToString() => $"{Name}: p ≥ {Threshold}";

    private static (string Name, double Threshold) Validate(string name, double threshold)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("An LF needs a non-empty name.", nameof(name));
        }

        if (!(threshold is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"LF '{name}': threshold must be in [0, 1].");
        }

        return (name, threshold);
    }

    private static int Decide<TValue>(ReadOnlySpan<TValue> probabilities, double threshold)
        where TValue : struct, IConvertible
    {
        int best = LabelingFunction.Abstain;
        double top = double.NegativeInfinity;
        bool tied = false;
        for (int c = 0; c < probabilities.Length; c++)
        {
            double p = probabilities[c].ToDouble(null);
            if (double.IsNaN(p))
            {
                return LabelingFunction.Abstain;
            }

            if (p > top)
            {
                (best, top, tied) = (c, p, false);
            }
            else if (p == top)
            {
                tied = true;
            }
        }

        return best >= 0 && !tied && top >= threshold ? best : LabelingFunction.Abstain;
    }
}
