namespace Skein.LabelModels;

/// <summary>
/// A fitted label model with an explicit generative story P(Y) · Π_j P(λ_j | Y): it exposes the learned class
/// prior, each LF's conditional vote probabilities and the LF accuracies they imply.
/// </summary>
public interface IGenerativeLabelModel
{
    /// <summary>The learned or given class prior P(Y = y).</summary>
    IReadOnlyList<double> ClassPrior { get; }

    /// <summary>
    /// Learned accuracy of each LF: P(λ_j = Y | λ_j ≠ abstain) under the model.
    /// </summary>
    IReadOnlyList<double> LfAccuracies { get; }

    /// <summary>P(λ_<paramref name="lf"/> = <paramref name="vote"/> | Y = <paramref name="trueClass"/>); vote -1 is abstain.</summary>
    double ConditionalProbability(int lf, int vote, int trueClass);
}
