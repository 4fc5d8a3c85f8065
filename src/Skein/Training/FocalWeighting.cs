using Skein.EndModels;

namespace Skein.Training;

/// <summary>
/// Focal-style reweighting as an <see cref="Mlp"/> objective: each row's weight is multiplied by (1 − p_t)^γ, where
/// p_t = Σ_c t_c·p_c is the probability the network currently gives the row's target (a soft generalisation of the
/// focal loss's p of the true class). p_t is taken from this step's forward pass and treated as a constant
/// (detached), so the gradient is that of a reweighted cross-entropy, not of the focal loss itself.
/// </summary>
/// <remarks>
/// Caution under weak supervision: the weight grows with how badly the network fits a row, so it concentrates
/// training on hard rows, and with noisy labels the hard rows are disproportionately the mislabeled ones. That is
/// the opposite of small-loss selection (<see cref="CoTeaching"/>). Use it on a trusted or high-confidence subset,
/// or after removing the rows <see cref="ConfidentLearning"/> flags.
/// </remarks>
public sealed class FocalWeightingObjective : ISoftTargetObjective
{
    /// <summary>The focal exponent used when none is given, γ = 2 (Lin et al. 2017).</summary>
    public const double DefaultGamma = 2;

    /// <summary>Focal weighting with γ = 2.</summary>
    public FocalWeightingObjective()
        : this(DefaultGamma)
    {
    }

    /// <summary>Focal weighting with the given γ.</summary>
    /// <param name="gamma">Focusing exponent, finite and ≥ 0; 0 leaves every weight unchanged.</param>
    /// <exception cref="ArgumentOutOfRangeException">γ is negative or not finite.</exception>
    public FocalWeightingObjective(double gamma)
    {
        if (!(double.IsFinite(gamma) && gamma >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "The focal γ must be a finite number ≥ 0.");
        }

        Gamma = gamma;
    }

    /// <summary>The focusing exponent γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    public void Adjust(SoftTargetBatch batch)
    {
        if (Gamma == 0)
        {
            return;
        }

        int k = batch.Cardinality;
        for (int r = 0; r < batch.Count; r++)
        {
            double pt = 0;
            for (int c = 0; c < k; c++)
            {
                pt += batch.Targets[(r * k) + c] * batch.Probabilities[(r * k) + c];
            }

            batch.Weights[r] *= Math.Pow(Math.Max(0, 1 - pt), Gamma);
        }
    }
}
