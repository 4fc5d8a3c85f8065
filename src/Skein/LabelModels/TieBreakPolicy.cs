namespace Skein.LabelModels;

/// <summary>
/// How <see cref="LabelModel.Predict"/> turns a row whose largest probabilities tie (within 1e-5, as in
/// Snorkel's <c>probs_to_preds</c>) into a single label.
/// </summary>
public enum TieBreakPolicy
{
    /// <summary>Tied rows get -1 (abstain). Snorkel's <c>LabelModel.predict</c> default.</summary>
    Abstain,

    /// <summary>
    /// Snorkel's deterministic "random" rule, the default of <c>probs_to_preds</c> and of WRENCH's evaluation:
    /// the tied class at position int(SHA1(decimal row index)) mod (number of ties).
    /// </summary>
    Random,

    /// <summary>A uniformly random tied class from a seeded generator (Snorkel's "true-random").</summary>
    TrueRandom,

    /// <summary>The lowest tied class index (numpy's argmax).</summary>
    LowestClass,
}
