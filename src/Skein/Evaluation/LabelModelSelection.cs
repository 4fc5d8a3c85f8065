using Skein.Analysis;
using Skein.Data;
using Skein.LabelModels;

namespace Skein.Evaluation;

/// <summary>How <see cref="LabelModelSelection.Auto"/> scored the candidates.</summary>
public enum LabelModelSelectionCriterion
{
    /// <summary>Accuracy of the argmax on the gold rows some LF covers (ties to the lower class).</summary>
    CoveredGoldAccuracy,

    /// <summary>
    /// No gold: held-out-LF agreement. For each LF j, the model predicts every row with j's column masked to abstain
    /// (no refit), and the score is the mean probability it gives the class j voted for, over every (row, j) where j
    /// votes and another LF does too. If LFs err independently given Y and beat chance, this expectation grows with
    /// the accuracy of the masked prediction, so it ranks models without gold.
    /// </summary>
    HeldOutLfAgreement,
}

/// <summary>One candidate's outcome: its score, or why it could not be fitted.</summary>
/// <param name="Name">Catalog name (mv, wmv, …).</param>
/// <param name="Score">Its score under the criterion (higher is better), or null when it was skipped.</param>
/// <param name="Skipped">Why it was skipped (too few LFs, failed fit), or null.</param>
public sealed record LabelModelCandidateScore(string Name, double? Score, string? Skipped);

/// <summary>The model <see cref="LabelModelSelection.Auto"/> chose, its calibration and every candidate's score.</summary>
/// <param name="Chosen">The chosen model's catalog entry.</param>
/// <param name="Model">The chosen model, fitted on the training votes.</param>
/// <param name="Temperature">The temperature fitted on the chosen model's covered gold rows, or null without (enough) gold.</param>
/// <param name="Criterion">How candidates were scored.</param>
/// <param name="Candidates">Every candidate, in catalog order.</param>
public sealed record LabelModelAutoResult(
    LabelModelSpec Chosen,
    LabelModel Model,
    TemperatureScaling? Temperature,
    LabelModelSelectionCriterion Criterion,
    IReadOnlyList<LabelModelCandidateScore> Candidates)
{
    /// <summary>The chosen model's probabilities, temperature-scaled when a temperature was fitted (argmax unchanged).</summary>
    public ProbabilisticLabels PredictProba(LabelMatrix matrix)
    {
        var p = Model.PredictProba(matrix);
        return Temperature is { } t ? t.Apply(p) : p;
    }
}

/// <summary>
/// Chooses a label model for the user: every catalog model is fitted on the training votes and scored, on gold when
/// there is some, else by <see cref="LabelModelSelectionCriterion.HeldOutLfAgreement"/>. A score within 1e-9 of the
/// best counts as a tie and goes to the earlier, simpler model of <see cref="LabelModelCatalog.All"/>.
/// With gold, a temperature is then fitted on the chosen model's covered gold rows (fitting it and measuring ECE on
/// the same rows is in-sample; cross-fit for an honest figure).
/// </summary>
public static class LabelModelSelection
{
    private const double TieTolerance = 1e-9;

    /// <summary>Chooses, fits and (with gold) calibrates a label model.</summary>
    /// <param name="train">Votes to fit every candidate on.</param>
    /// <param name="settings">Class balance and seed passed to every candidate.</param>
    /// <param name="valid">Votes of the gold rows; may be <paramref name="train"/> itself. Null: no gold.</param>
    /// <param name="validGold">Gold for <paramref name="valid"/>, -1 = unknown.</param>
    /// <param name="candidates">Models to consider; null = every available catalog model.</param>
    /// <exception cref="ArgumentException">Shapes disagree, or no candidate could be fitted.</exception>
    public static LabelModelAutoResult Auto(LabelMatrix train, LabelModelSettings settings, LabelMatrix? valid = null,
        IReadOnlyList<int>? validGold = null, IReadOnlyList<LabelModelSpec>? candidates = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(settings);
        if ((valid is null) != (validGold is null))
        {
            throw new ArgumentException("Give both the valid votes and their gold, or neither.", nameof(validGold));
        }

        if (valid is not null && (valid.LfCount != train.LfCount || valid.Cardinality != train.Cardinality || validGold!.Count != valid.RowCount))
        {
            throw new ArgumentException("The valid votes and gold must match the training votes' LFs and cardinality, and each other's rows.", nameof(valid));
        }

        // Gold counts only on covered rows: on uncovered rows every model falls back to a prior.
        int[] goldRows = [];
        if (valid is not null)
        {
            var covered = valid.CoveredRows();
            goldRows = Enumerable.Range(0, valid.RowCount).Where(i => covered[i] && validGold![i] >= 0).ToArray();
        }

        var criterion = goldRows.Length > 0 ? LabelModelSelectionCriterion.CoveredGoldAccuracy : LabelModelSelectionCriterion.HeldOutLfAgreement;
        var scores = new List<LabelModelCandidateScore>();
        LabelModelSpec? best = null;
        LabelModel? bestModel = null;
        double bestScore = double.NegativeInfinity;
        foreach (var spec in candidates ?? LabelModelCatalog.All.Where(s => s.IsAvailable).ToArray())
        {
            if (train.LfCount < spec.MinLfCount)
            {
                scores.Add(new LabelModelCandidateScore(spec.Name, null, $"needs at least {spec.MinLfCount} LFs"));
                continue;
            }

            LabelModel model;
            try
            {
                model = spec.CreateTrainer(settings).Fit(train);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
            {
                scores.Add(new LabelModelCandidateScore(spec.Name, null, e.Message));
                continue;
            }

            double score = criterion == LabelModelSelectionCriterion.CoveredGoldAccuracy
                ? GoldAccuracy(model.PredictProba(valid!).SelectRows(goldRows), goldRows.Select(i => validGold![i]).ToArray())
                : HeldOutAgreement(model, train);
            if (!double.IsFinite(score))
            {
                scores.Add(new LabelModelCandidateScore(spec.Name, null, "its probabilities are not finite"));
                continue;
            }

            scores.Add(new LabelModelCandidateScore(spec.Name, score, null));
            if (score > bestScore + TieTolerance)
            {
                (best, bestModel, bestScore) = (spec, model, score);
            }
        }

        if (best is null || bestModel is null)
        {
            throw new ArgumentException($"No label model could be fitted: {string.Join("; ", scores.Select(s => $"{s.Name}: {s.Skipped}"))}.", nameof(train));
        }

        TemperatureScaling? temperature = null;
        if (goldRows.Length >= 2)
        {
            temperature = TemperatureScaling.Fit(bestModel.PredictProba(valid!).SelectRows(goldRows), goldRows.Select(i => validGold![i]).ToArray());
        }

        return new LabelModelAutoResult(best, bestModel, temperature, criterion, scores);
    }

    private static double GoldAccuracy(ProbabilisticLabels probabilities, int[] gold)
    {
        var predicted = probabilities.ArgMax();
        int correct = 0;
        for (int i = 0; i < gold.Length; i++)
        {
            correct += predicted[i] == gold[i] ? 1 : 0;
        }

        return (double)correct / gold.Length;
    }

    private static double HeldOutAgreement(LabelModel model, LabelMatrix matrix)
    {
        int n = matrix.RowCount, m = matrix.LfCount;
        double sum = 0;
        long count = 0;
        for (int j = 0; j < m; j++)
        {
            // One masked copy at a time, so memory stays one matrix whatever the LF count.
            var votes = matrix.Votes.ToArray();
            for (int i = 0; i < n; i++)
            {
                votes[(i * m) + j] = LabelMatrix.Abstain;
            }

            var masked = LabelMatrix.FromRowMajor(votes, matrix.LfNames, matrix.Cardinality);
            var p = model.PredictProba(masked);
            var maskedVotes = masked.Votes;
            for (int i = 0; i < n; i++)
            {
                int v = matrix[i, j];
                if (v < 0 || !AnyVote(maskedVotes.Slice(i * m, m)))
                {
                    continue;
                }

                sum += p[i, v];
                count++;
            }
        }

        return count == 0 ? double.NaN : sum / count;
    }

    private static bool AnyVote(ReadOnlySpan<sbyte> row)
    {
        foreach (var v in row)
        {
            if (v >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
