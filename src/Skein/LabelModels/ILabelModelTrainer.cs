using Skein.Data;

namespace Skein.LabelModels;

/// <summary>
/// Fits a label model to a label matrix. A trainer holds validated options only; every call to
/// <see cref="Fit"/> returns a new, immutable <see cref="LabelModel"/>.
/// </summary>
public interface ILabelModelTrainer
{
    /// <summary>Fits a model to the votes of <paramref name="matrix"/>.</summary>
    /// <exception cref="ArgumentException">The matrix is empty or does not suit the model.</exception>
    LabelModel Fit(LabelMatrix matrix);
}

/// <summary>
/// A trainer that needs only the mergeable <see cref="SufficientStatistics"/> of the votes, so a model can
/// be fitted from partitions that never sit in one process.
/// </summary>
public interface ISufficientStatisticsTrainer
{
    /// <summary>Fits a model from the (merged) statistics of the votes.</summary>
    /// <exception cref="ArgumentException">The statistics cover no rows or do not suit the model.</exception>
    LabelModel Fit(SufficientStatistics statistics);
}
