namespace Skein.EndModels;

/// <summary>
/// What a <see cref="ISoftTargetObjective"/> sees of one minibatch: the student's current probabilities and the
/// targets and row weights of the soft cross-entropy step about to be taken, which it may rewrite.
/// </summary>
/// <remarks>
/// Cross-entropy is linear in its target, so a convex mix of targets is exactly the same mix of cross-entropies; a
/// target computed from the student's own prediction is treated as a constant (stop-gradient), as in Burns et al.'s
/// confidence loss. The step's loss is Σ_r w_r·CE(p_r, t_r) / Σ_r w_r over the batch with the rewritten weights;
/// a batch whose weights all become 0 is skipped.
/// </remarks>
public readonly ref struct SoftTargetBatch
{
    internal SoftTargetBatch(ReadOnlySpan<int> rows, int cardinality, ReadOnlySpan<double> probabilities, Span<double> targets,
        Span<double> weights, int epoch, long step, long totalSteps)
    {
        Rows = rows;
        Cardinality = cardinality;
        Probabilities = probabilities;
        Targets = targets;
        Weights = weights;
        Epoch = epoch;
        Step = step;
        TotalSteps = totalSteps;
    }

    /// <summary>Training-set indices of the batch's rows.</summary>
    public ReadOnlySpan<int> Rows { get; }

    /// <summary>Number of rows in the batch.</summary>
    public int Count => Rows.Length;

    /// <summary>Number of classes, k.</summary>
    public int Cardinality { get; }

    /// <summary>The student's class probabilities for the batch (Count×k, row-major), from the forward pass of this step (with dropout).</summary>
    public ReadOnlySpan<double> Probabilities { get; }

    /// <summary>Targets (Count×k, row-major), initialised to the training labels; each row must stay a distribution.</summary>
    public Span<double> Targets { get; }

    /// <summary>Per-row weights, initialised to the training weights; must stay finite and ≥ 0.</summary>
    public Span<double> Weights { get; }

    /// <summary>1-based epoch.</summary>
    public int Epoch { get; }

    /// <summary>0-based optimiser step (minibatch) since training started.</summary>
    public long Step { get; }

    /// <summary>Steps the whole training would take if it ran every epoch (the schedule's length).</summary>
    public long TotalSteps { get; }

    /// <summary>Step / TotalSteps, in [0, 1): where a schedule (warm-up, ramp) is.</summary>
    public double Progress => TotalSteps == 0 ? 0 : (double)Step / TotalSteps;
}

/// <summary>
/// Rewrites the targets and weights of each minibatch before a gradient step (label smoothing, the weak-to-strong
/// confidence loss, focal weighting, …). Implementations may keep state across steps but must be deterministic.
/// </summary>
public interface ISoftTargetObjective
{
    /// <summary>Adjusts <see cref="SoftTargetBatch.Targets"/> and <see cref="SoftTargetBatch.Weights"/> in place.</summary>
    void Adjust(SoftTargetBatch batch);
}
