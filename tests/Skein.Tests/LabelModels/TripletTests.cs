using Skein.Data;
using Skein.LabelModels;

namespace Skein.Tests.LabelModels;

public sealed class TripletTests
{
    // Expected numbers: a numpy transcription of FlyingSquid's conditionally independent triplet_mean path
    // (second moments over all rows, triplet candidates with zero skipped, the B·e = r system built with FlyingSquid's
    // Kronecker construction and solved by inverse, negative entries flipped and renormalised, inference
    // P(Y) Π P(λ_i | Y)), run with Debian's python3-numpy and printed with repr(). LF 0's clique needs the flip.
    private static readonly LabelMatrix Votes = LabelMatrix.FromRows(
    [
        [1, 1, 0, -1],
        [1, 1, 1, 1],
        [0, 0, -1, 0],
        [1, -1, 1, 0],
        [0, 0, 0, 1],
        [-1, 1, 1, 1],
        [0, 1, 0, 0],
        [1, 0, -1, 1],
        [0, 0, 1, -1],
        [1, 1, 1, -1],
    ], 2);

    private static readonly TripletOptions Balance = new() { ClassBalance = ClassBalance.FromProbabilities([0.4, 0.6]) };

    [Fact]
    public void Binary_clique_marginals_match_the_numpy_transcription()
    {
        var model = new Triplet(Balance).Fit(Votes);
        double[][] expected =
        [
            [0.5, 0.027191431667205633, 0.05673702819993533, 0.037824685466623556, 0.010633253799417954, 0.36761360086681755],
            [0.3862870929175276, 0.11371290708247231, 0.06, 0.04000000000000001, 0.15371290708247234, 0.24628709291752768],
            [0.3726449516716656, 0.12735504832833444, 0.12, 0.08000000000000002, 0.10735504832833437, 0.1926449516716656],
            [0.29954972243679034, 0.10045027756320965, 0.18, 0.12, 0.12045027756320967, 0.1795497224367903],
        ];
        for (int i = 0; i < 4; i++)
        {
            int s = 0;
            foreach (int v in new[] { 1, 0, -1 })
            {
                foreach (int y in new[] { 1, -1 })
                {
                    Assert.Equal(expected[i][s++], model.CliqueMarginal(0, i, v, y), 1e-14);
                }
            }
        }
    }

    [Fact]
    public void Binary_posteriors_match_the_numpy_transcription()
    {
        var probs = new Triplet(Balance).Fit(Votes).PredictProba(Votes);
        double[] class1 =
        [
            0.9465110608505618, 0.9946154090733015, 0.006118703135433427, 0.9483161827011617, 0.0100646801526041,
            0.9377645258385437, 0.012295808557406866, 0.9456443216529582, 0.02615007331352987, 0.9893518339189892,
        ];
        for (int i = 0; i < class1.Length; i++)
        {
            Assert.Equal(class1[i], probs[i, 1], 1e-14);
            Assert.Equal(1 - class1[i], probs[i, 0], 1e-14);
        }
    }

    [Fact]
    public void Triplet_candidates_skip_zero_moments()
    {
        // M_13 = 0 in the fixture: LF 0 and LF 2 each have one pair fewer. The mean |a| of LF 0 is 0.935…, so
        // with the flip its accuracy among votes stays near (1 + a − z)/(2(1 − z)).
        var model = new Triplet(Balance).Fit(Votes);
        Assert.InRange(model.LfAccuracies[0], 0.9, 1.0);
        Assert.All(model.LfAccuracies, a => Assert.InRange(a, 0.5, 1.0));
    }

    [Fact]
    public void Median_and_mean_agree_when_each_lf_has_at_most_two_candidates()
    {
        var mean = new Triplet(Balance).Fit(Votes).PredictProba(Votes);
        var median = new Triplet(Balance with { Method = TripletMethod.TripletMedian }).Fit(Votes).PredictProba(Votes);

        Assert.True(mean.BitwiseEquals(median));
    }

    [Fact]
    public void Recovers_binary_accuracies_within_0_02_at_100k_rows()
    {
        double[] accuracies = [0.85, 0.7, 0.6, 0.75, 0.9, 0.65];
        var data = Fixtures.Synthetic(100_000, 2, seed: 3, accuracies, [0.5, 0.6, 0.7, 0.4, 0.3, 0.8]);

        var model = new Triplet().Fit(data.Matrix);

        for (int j = 0; j < accuracies.Length; j++)
        {
            Assert.InRange(model.LfAccuracies[j], accuracies[j] - 0.02, accuracies[j] + 0.02);
        }
    }

    [Fact]
    public void Proper_multiclass_is_better_calibrated_than_wrench_softmax()
    {
        var data = Fixtures.Synthetic(50_000, 3, seed: 21, [0.8, 0.7, 0.65, 0.75, 0.6], [0.6, 0.5, 0.7, 0.4, 0.5]);
        var proper = new Triplet().Fit(data.Matrix).PredictProba(data.Matrix);
        var wrench = new Triplet(new TripletOptions { Multiclass = TripletMulticlass.OneVsRestWrenchSoftmax })
            .Fit(data.Matrix).PredictProba(data.Matrix);

        var (properLoss, properAccuracy) = Score(proper, data.Gold);
        var (wrenchLoss, wrenchAccuracy) = Score(wrench, data.Gold);

        Assert.True(properLoss < wrenchLoss - 0.05, $"log-loss proper {properLoss}, WRENCH softmax {wrenchLoss}");
        Assert.True(properAccuracy >= wrenchAccuracy - 0.002, $"accuracy proper {properAccuracy}, WRENCH softmax {wrenchAccuracy}");

        // WRENCH's softmax of probabilities can never leave [1/(1 + 2e), e/(e + 2)] ≈ [0.155, 0.576]: no row is confident.
        for (int i = 0; i < wrench.RowCount; i++)
        {
            Assert.InRange(wrench[i, 0], 0.155, 0.577);
        }
    }

    private static (double LogLoss, double Accuracy) Score(ProbabilisticLabels probs, IReadOnlyList<int> gold)
    {
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < gold.Count; i++)
        {
            var row = probs.Row(i).ToArray();
            loss -= Math.Log(Math.Max(row[gold[i]], 1e-15));
            correct += Array.IndexOf(row, row.Max()) == gold[i] ? 1 : 0;
        }

        return (loss / gold.Count, (double)correct / gold.Count);
    }

    [Fact]
    public void Fewer_than_three_lfs_is_a_clear_error()
    {
        var two = LabelMatrix.FromRows([[0, 1], [1, 1]], 2);

        var error = Assert.Throws<ArgumentException>(() => new Triplet().Fit(two));
        Assert.Contains("at least 3 LFs", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Triplet().Fit(SufficientStatistics.Compute(two)));
    }

    [Fact]
    public void Statistics_without_joint_counts_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(
            () => new Triplet().Fit(SufficientStatistics.Compute(Votes, includeJointCounts: false)));
        Assert.Contains("includeJointCounts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_from_merged_partition_statistics_equals_the_matrix_fit()
    {
        var matrix = Fixtures.Large;
        var parts = new[] { matrix.Slice(0, 7_000), matrix.Slice(7_000, 13_000) }
            .Select(p => SufficientStatistics.Compute(p)).ToArray();

        var fromParts = new Triplet().Fit(SufficientStatistics.Merge(parts)).PredictProba(matrix);
        var direct = new Triplet().Fit(matrix).PredictProba(matrix);

        Assert.True(direct.BitwiseEquals(fromParts));
    }

    [Fact]
    public void Class_balance_of_another_cardinality_names_the_option()
    {
        var options = new TripletOptions { ClassBalance = ClassBalance.Uniform(3) };

        var error = Assert.Throws<ArgumentException>(() => new Triplet(options).Fit(Votes));
        Assert.Contains("TripletOptions.ClassBalance", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conditional_tables_are_distributions()
    {
        var model = new Triplet().Fit(Fixtures.Large);
        for (int j = 0; j < model.LfCount; j++)
        {
            for (int y = 0; y < 3; y++)
            {
                double sum = Enumerable.Range(-1, 4).Sum(v => model.ConditionalProbability(j, v, y));
                Assert.Equal(1.0, sum, 12);
            }
        }
    }
}
