namespace Skein.Evaluation;

/// <summary>Classification metrics with scikit-learn's semantics, scored over every row.</summary>
public static class Metrics
{
    /// <summary>Fraction of rows where the prediction equals the gold label (a -1 prediction is wrong).</summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    public static double Accuracy(IReadOnlyList<int> gold, IReadOnlyList<int> predicted)
    {
        RequireSameLength(gold, predicted);
        int correct = 0;
        for (int i = 0; i < gold.Count; i++)
        {
            correct += gold[i] == predicted[i] ? 1 : 0;
        }

        return (double)correct / gold.Count;
    }

    /// <summary>
    /// Binary F1 of <paramref name="positiveClass"/> (sklearn <c>f1_score(pos_label=1)</c>): 2TP / (2TP + FP + FN),
    /// and 0 instead of an error when there are no positive predictions or labels.
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    public static double BinaryF1(IReadOnlyList<int> gold, IReadOnlyList<int> predicted, int positiveClass = 1)
    {
        RequireSameLength(gold, predicted);
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < gold.Count; i++)
        {
            bool g = gold[i] == positiveClass, p = predicted[i] == positiveClass;
            tp += g && p ? 1 : 0;
            fp += !g && p ? 1 : 0;
            fn += g && !p ? 1 : 0;
        }

        long denominator = (2 * tp) + fp + fn;
        return denominator == 0 ? 0 : 2.0 * tp / denominator;
    }

    private static void RequireSameLength(IReadOnlyList<int> gold, IReadOnlyList<int> predicted)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(predicted);
        if (gold.Count != predicted.Count)
        {
            throw new ArgumentException(
                $"{gold.Count} gold labels but {predicted.Count} predictions; they must match row for row.", nameof(predicted));
        }

        if (gold.Count == 0)
        {
            throw new ArgumentException("Cannot score zero rows.", nameof(gold));
        }
    }
}
