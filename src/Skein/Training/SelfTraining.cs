using Skein.Data;
using Skein.EndModels;
using Skein.Features;

namespace Skein.Training;

/// <summary>
/// Self-training (Amini et al., "Self-Training: A Survey"): fit an end model on the labelled rows, predict the unlabelled
/// pool, pseudo-label the rows the selection strategy accepts, re-fit on labelled + pseudo-labelled rows, and repeat
/// until a round adds nothing, the pool is used up, or <see cref="SelfTrainingOptions.MaxIterations"/> rounds ran.
/// </summary>
/// <remarks>
/// Every round fits a new model from scratch through the wrapped trainer (trainers never warm-start), so the model is
/// re-initialised each round; a per-round factory can also vary the seed or the budget. Selection breaks confidence
/// ties by row index and uses no randomness, so the result is deterministic whenever the trainers are.
/// Pseudo-labels are kept once given (the survey's "remove from the pool"), except under
/// <see cref="PseudoLabelSelection.PercentileCurriculum"/>, which replaces them every round.
/// </remarks>
public sealed class SelfTraining
{
    private readonly Func<int, IEndModelTrainer> _trainerForRound;

    /// <summary>Self-training with the default options around one trainer, used for every round.</summary>
    public SelfTraining(IEndModelTrainer trainer)
        : this(trainer, new SelfTrainingOptions())
    {
    }

    /// <summary>Self-training around one trainer, used for every round.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public SelfTraining(IEndModelTrainer trainer, SelfTrainingOptions options)
        : this(Always(trainer), options)
    {
    }

    /// <summary>Self-training with a trainer per round: 0 for the first fit on the labelled rows, r ≥ 1 for round r.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public SelfTraining(Func<int, IEndModelTrainer> trainerForRound, SelfTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(trainerForRound);
        ArgumentNullException.ThrowIfNull(options);
        var check = new OptionChecks(nameof(SelfTrainingOptions));
        check.Defined(options.Selection);
        check.Defined(options.Confidence);
        check.Defined(options.Weighting);
        check.Probability(options.Threshold);
        check.AtLeast(options.RowsPerRound, 1);
        check.InRange(options.CurriculumStep, 0, 1, minOpen: true);
        check.Positive(options.PseudoLabelWeight);
        check.AtLeast(options.MaxIterations, 1);
        _trainerForRound = trainerForRound;
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public SelfTrainingOptions Options { get; }

    /// <summary>Runs self-training.</summary>
    /// <param name="features">n×d features of every row, labelled and pool.</param>
    /// <param name="labels">n×k soft labels; the rows of pool items are ignored (any distribution, e.g. a label model's uniform row).</param>
    /// <param name="pool">Per row, true for an unlabelled pool row (e.g. no LF covered it); at least one row must be false.</param>
    /// <param name="weights">Optional weights of the labelled rows (finite, ≥ 0); pool entries are ignored. Default 1.</param>
    /// <param name="validation">Optional validation set handed to every fit (early stopping).</param>
    /// <exception cref="ArgumentException">Row counts differ, no row is labelled, or a weight is negative or not finite.</exception>
    public SelfTrainingResult Fit(FeatureMatrix features, ProbabilisticLabels labels, IReadOnlyList<bool> pool,
        IReadOnlyList<double>? weights = null, ValidationSet? validation = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(pool);
        int n = features.RowCount, k = labels.Cardinality;
        if (labels.RowCount != n || pool.Count != n || (weights is not null && weights.Count != n))
        {
            throw new ArgumentException(
                $"{n} feature rows, {labels.RowCount} label rows, {pool.Count} pool flags{(weights is null ? "" : $" and {weights.Count} weights")}; they must match.",
                nameof(labels));
        }

        var o = Options;
        var iteration = new int[n];
        var targets = labels.ToArray();
        var rowWeights = new double[n];
        var prior = new double[k];
        var poolRows = new List<int>();
        int labeledCount = 0;
        for (int i = 0; i < n; i++)
        {
            if (pool[i])
            {
                iteration[i] = -1;
                poolRows.Add(i);
                continue;
            }

            double w = weights?[i] ?? 1;
            if (!double.IsFinite(w) || w < 0)
            {
                throw new ArgumentException($"Weight {w} of row {i} must be a finite number ≥ 0.", nameof(weights));
            }

            rowWeights[i] = w;
            labeledCount++;
            for (int c = 0; c < k; c++)
            {
                prior[c] += targets[(i * k) + c];
            }
        }

        if (labeledCount == 0)
        {
            throw new ArgumentException("Every row is in the pool; self-training needs labelled rows to fit the first model.", nameof(pool));
        }

        for (int c = 0; c < k; c++)
        {
            prior[c] /= labeledCount;
        }

        var poolFeatures = features.SelectRows(poolRows);
        var model = Train(0, features, targets, rowWeights, iteration, k, validation);
        var rounds = new List<SelfTrainingRound>();
        var termination = poolRows.Count == 0 ? SelfTrainingTermination.PoolExhausted : SelfTrainingTermination.MaxIterations;
        int fits = 0;
        for (int r = 1; r <= o.MaxIterations && poolRows.Count > 0; r++)
        {
            var probabilities = model.PredictProba(poolFeatures);
            var (predicted, confidence) = Score(probabilities);
            var (selected, thresholds) = Select(r, poolRows, iteration, predicted, confidence, prior, k);
            var classCounts = new int[k];
            foreach (int j in selected)
            {
                classCounts[predicted[j]]++;
            }

            int added = selected.Count(j => iteration[poolRows[j]] < 0);
            if (o.Selection == PseudoLabelSelection.PercentileCurriculum)
            {
                // Replace, not accumulate: rows that drop out of this round's top share lose their pseudo-label.
                var keep = new HashSet<int>(selected);
                for (int j = 0; j < poolRows.Count; j++)
                {
                    if (!keep.Contains(j))
                    {
                        iteration[poolRows[j]] = -1;
                        rowWeights[poolRows[j]] = 0;
                    }
                }
            }

            if (added == 0 && o.Selection != PseudoLabelSelection.PercentileCurriculum)
            {
                rounds.Add(new SelfTrainingRound(r, 0, CountPseudo(iteration, poolRows), Remaining(iteration, poolRows), classCounts, thresholds));
                termination = SelfTrainingTermination.NoNewLabels;
                break;
            }

            foreach (int j in selected)
            {
                int row = poolRows[j];
                if (iteration[row] < 0)
                {
                    iteration[row] = r;
                }

                var target = targets.AsSpan(row * k, k);
                if (o.SoftPseudoLabels)
                {
                    probabilities.Row(j).CopyTo(target);
                }
                else
                {
                    target.Clear();
                    target[predicted[j]] = 1;
                }

                rowWeights[row] = o.PseudoLabelWeight * (o.Weighting == PseudoLabelWeighting.Confidence ? confidence[j] : 1);
            }

            model = Train(r, features, targets, rowWeights, iteration, k, validation);
            fits = r;
            int remaining = Remaining(iteration, poolRows);
            rounds.Add(new SelfTrainingRound(r, added, CountPseudo(iteration, poolRows), remaining, classCounts, thresholds));
            if (remaining == 0)
            {
                termination = SelfTrainingTermination.PoolExhausted;
                break;
            }
        }

        // Never-labelled rows report the final model's prediction, with weight 0.
        var unlabeled = poolRows.Where(i => iteration[i] < 0).ToArray();
        if (unlabeled.Length > 0)
        {
            var final = model.PredictProba(features.SelectRows(unlabeled));
            for (int j = 0; j < unlabeled.Length; j++)
            {
                final.Row(j).CopyTo(targets.AsSpan(unlabeled[j] * k, k));
                rowWeights[unlabeled[j]] = 0;
            }
        }

        return new SelfTrainingResult
        {
            Model = model,
            LabeledAtIteration = iteration,
            PseudoLabels = ProbabilisticLabels.Wrap(targets, k),
            Weights = rowWeights,
            Iterations = fits,
            Termination = termination,
            Rounds = rounds,
        };
    }

    private static Func<int, IEndModelTrainer> Always(IEndModelTrainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        return _ => trainer;
    }

    private static int Remaining(int[] iteration, List<int> poolRows) => poolRows.Count(i => iteration[i] < 0);

    private static int CountPseudo(int[] iteration, List<int> poolRows) => poolRows.Count(i => iteration[i] > 0);

    /// <summary>Fits round <paramref name="round"/>'s trainer on every row labelled so far, in row order.</summary>
    private EndModel Train(int round, FeatureMatrix features, double[] targets, double[] rowWeights, int[] iteration, int k, ValidationSet? validation)
    {
        var rows = new List<int>();
        for (int i = 0; i < iteration.Length; i++)
        {
            if (iteration[i] >= 0)
            {
                rows.Add(i);
            }
        }

        var labels = new double[rows.Count * k];
        var weights = new double[rows.Count];
        for (int j = 0; j < rows.Count; j++)
        {
            targets.AsSpan(rows[j] * k, k).CopyTo(labels.AsSpan(j * k, k));
            weights[j] = rowWeights[rows[j]];
        }

        var trainer = _trainerForRound(round)
            ?? throw new InvalidOperationException($"The trainer factory returned null for round {round}.");
        return trainer.Fit(features.SelectRows(rows), ProbabilisticLabels.Wrap(labels, k), weights, validation);
    }

    /// <summary>Most probable class (ties: lowest) and its confidence for every pool row.</summary>
    private (int[] Predicted, double[] Confidence) Score(ProbabilisticLabels probabilities)
    {
        var predicted = probabilities.ArgMax();
        var confidence = new double[predicted.Length];
        for (int j = 0; j < predicted.Length; j++)
        {
            var row = probabilities.Row(j);
            double p1 = row[predicted[j]], p2 = 0;
            for (int c = 0; c < row.Length; c++)
            {
                if (c != predicted[j])
                {
                    p2 = Math.Max(p2, row[c]);
                }
            }

            confidence[j] = Options.Confidence == ConfidenceMeasure.Margin ? p1 - p2 : p1;
        }

        return (predicted, confidence);
    }

    /// <summary>Pool positions (into <paramref name="poolRows"/>) selected this round, and the per-class cuts used.</summary>
    private (List<int> Selected, double[] Thresholds) Select(int round, List<int> poolRows, int[] iteration, int[] predicted, double[] confidence,
        double[] prior, int k)
    {
        var o = Options;
        var selected = new List<int>();
        var thresholds = new double[k];
        switch (o.Selection)
        {
            case PseudoLabelSelection.FixedThreshold:
                Array.Fill(thresholds, o.Threshold);
                for (int j = 0; j < poolRows.Count; j++)
                {
                    if (iteration[poolRows[j]] < 0 && confidence[j] >= o.Threshold)
                    {
                        selected.Add(j);
                    }
                }

                break;

            case PseudoLabelSelection.TopKPerClass:
            {
                var quota = Apportion(o.RowsPerRound, prior);
                Array.Fill(thresholds, double.NaN);
                var taken = new int[k];
                foreach (int j in ByConfidence(confidence, j => iteration[poolRows[j]] < 0))
                {
                    int c = predicted[j];
                    if (taken[c] < quota[c])
                    {
                        taken[c]++;
                        thresholds[c] = confidence[j];
                        selected.Add(j);
                    }
                }

                selected.Sort();
                break;
            }

            case PseudoLabelSelection.PercentileCurriculum:
            {
                // Round r takes the top min(1, r·step) of the whole pool, rounded up (after rounding off float noise such
                // as 3 × 0.2 = 0.6000000000000001), so the last round takes every row.
                double share = Math.Min(1, round * o.CurriculumStep);
                int count = (int)Math.Min(poolRows.Count, Math.Ceiling(Math.Round(share * poolRows.Count, 6)));
                var order = ByConfidence(confidence, _ => true);
                Array.Fill(thresholds, count > 0 ? confidence[order[count - 1]] : double.NaN);
                selected.AddRange(order.Take(count));
                selected.Sort();
                break;
            }

            case PseudoLabelSelection.ClassAdaptive:
            {
                // FlexMatch: σ(c) = pool rows predicted c with confidence ≥ τ (over the whole pool, with the current model).
                var sigma = new double[k];
                int confident = 0;
                for (int j = 0; j < poolRows.Count; j++)
                {
                    if (confidence[j] >= o.Threshold)
                    {
                        sigma[predicted[j]]++;
                        confident++;
                    }
                }

                double denominator = sigma.Max();
                if (o.FlexMatchWarmup)
                {
                    denominator = Math.Max(denominator, poolRows.Count - confident);
                }

                for (int c = 0; c < k; c++)
                {
                    double beta = denominator > 0 ? sigma[c] / denominator : 0;
                    thresholds[c] = beta / (2 - beta) * o.Threshold;
                }

                for (int j = 0; j < poolRows.Count; j++)
                {
                    if (iteration[poolRows[j]] < 0 && confidence[j] >= thresholds[predicted[j]])
                    {
                        selected.Add(j);
                    }
                }

                break;
            }
        }

        return (selected, thresholds);
    }

    /// <summary>Positions passing <paramref name="include"/>, most confident first; ties by position.</summary>
    private static int[] ByConfidence(double[] confidence, Func<int, bool> include)
    {
        var order = Enumerable.Range(0, confidence.Length).Where(include).ToArray();
        Array.Sort(order, (a, b) => confidence[a] != confidence[b] ? confidence[b].CompareTo(confidence[a]) : a.CompareTo(b));
        return order;
    }

    /// <summary>Splits <paramref name="total"/> rows over classes in proportion to the prior (largest remainder; ties to the lower class).</summary>
    internal static int[] Apportion(int total, double[] prior)
    {
        int k = prior.Length;
        var quota = new int[k];
        var remainder = new double[k];
        int assigned = 0;
        for (int c = 0; c < k; c++)
        {
            double exact = total * prior[c];
            quota[c] = (int)Math.Floor(exact);
            remainder[c] = exact - quota[c];
            assigned += quota[c];
        }

        foreach (int c in Enumerable.Range(0, k).OrderByDescending(c => remainder[c]).ThenBy(c => c).Take(Math.Max(0, total - assigned)))
        {
            quota[c]++;
        }

        return quota;
    }
}
