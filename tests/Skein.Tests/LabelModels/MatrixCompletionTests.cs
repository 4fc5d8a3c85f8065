using Skein.Data;
using Skein.LabelModels;
using Skein.LabelModels.Internal;

namespace Skein.Tests.LabelModels;

public sealed class MatrixCompletionTests
{
    // Expected numbers: /tmp/metal/ref.py, a float64 numpy transcription of Snorkel's LabelModel fit (indicator
    // matrix, O = ΛᵀΛ/n, μ_init from prec_init, u = np.random.random() after np.random.seed(seed), torch SGD/Adam
    // update rules, clamp, brute-force symmetry breaking over permutations), printed with repr().
    private static readonly LabelMatrix CaseA = LabelMatrix.FromRows(
    [
        [0, 0, 0], [0, 0, 1], [1, 1, 1], [1, 1, -1], [0, -1, 0],
        [-1, 1, 1], [0, 0, -1], [1, 0, 1], [-1, -1, -1], [1, 1, 0],
    ], 2);

    private static readonly LabelMatrix CaseB = LabelMatrix.FromRows(
    [
        [0, 0, 0, -1], [1, 1, -1, 1], [2, 2, 2, 2], [0, 1, 0, 0], [-1, 2, 2, 1], [1, 1, 1, -1],
        [2, -1, 2, 0], [0, 0, -1, 0], [1, 2, 1, 1], [-1, -1, -1, -1], [2, 2, 0, 2], [0, 0, 1, 0],
    ], 3);

    private static void AssertClose(double[] expected, Func<int, double> actual, double tolerance)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual(i)) <= tolerance, $"entry {i}: expected {expected[i]:R}, got {actual(i):R}");
        }
    }

    private static void AssertModel(MatrixCompletionModel model, LabelMatrix votes, double loss, double[] mu, double[] probs,
        double[] weights)
    {
        int k = model.Cardinality;
        Assert.Equal(loss, model.FinalLoss, 1e-12);
        AssertClose(mu, i => model.Mu(i / (k * k), i / k % k, i % k), 1e-10);
        var actual = model.PredictProba(votes);
        AssertClose(probs, i => actual[i / k, i % k], 1e-10);
        AssertClose(weights, i => model.LfAccuracies[i], 1e-10);
    }

    [Theory]
    [InlineData(0u, 0.5488135039273248, 0.7151893663724195)]
    [InlineData(1u, 0.417022004702574, 0.7203244934421581)]
    [InlineData(42u, 0.3745401188473625, 0.9507143064099162)]
    [InlineData(123u, 0.6964691855978616, 0.28613933495037946)]
    [InlineData(999999u, 0.308979188922057, 0.2926508774829689)]
    [InlineData(2147483647u, 0.3933911315501387, 0.6566618430544519)]
    public void Numpy_legacy_random_matches_numpy(uint seed, double first, double second)
    {
        // /usr/bin/python3, numpy 1.24.2: np.random.seed(seed); np.random.random(); np.random.random()
        var rng = new NumpyLegacyRandom(seed);

        Assert.Equal(first, rng.NextDouble());
        Assert.Equal(second, rng.NextDouble());
    }

    [Fact]
    public void Three_lfs_binary_default_options_match_the_numpy_reference()
    {
        var model = new MatrixCompletion(new MatrixCompletionOptions { Seed = 123 }).Fit(CaseA);

        Assert.Equal(123, model.Seed);
        Assert.Equal(0.01, model.MuEpsilon);
        AssertModel(model, CaseA, 0.013393331762438891,
            [0.9331237924574182, 0.01, 0.06477719214983625, 0.7537040174447556, 0.6337367054286671, 0.21076851795343918,
             0.06101459312646902, 0.7660951196268847, 0.38850757957285315, 0.20923234402158938, 0.3154970431491798,
             0.5098573865943956],
            [0.9980841825955061, 0.0019158174044938679, 0.9942731376409125, 0.00572686235908751, 0.004217773568177288,
             0.9957822264318228, 0.006798446789640707, 0.9932015532103592, 0.9942616011811588, 0.005738398818841228,
             0.0469683110099556, 0.9530316889900443, 0.9964484946575205, 0.00355150534247942, 0.13786287570096303,
             0.8621371242990369, 0.5, 0.5, 0.012550410240595205, 0.9874495897594048],
            [1.0, 0.8748948906597198, 0.641689261548035]);
    }

    [Fact]
    public void Four_lfs_three_classes_with_l2_and_class_balance_match_the_numpy_reference()
    {
        var model = new MatrixCompletion(new MatrixCompletionOptions
        {
            Seed = 7,
            L2 = 0.05,
            ClassBalance = ClassBalance.FromProbabilities([0.4, 0.3, 0.3]),
        }).Fit(CaseB);

        AssertModel(model, CaseB, 0.07484646665965987,
            [0.892356069924706, 0.05429300919657146, 0.01, 0.028343241824107097, 0.688419896567336, 0.08990324321662048,
             0.1414415817525112, 0.01, 0.6748914151040718, 0.648146215176265, 0.044473843720876635, 0.01,
             0.2451047496545659, 0.4877641204761237, 0.01, 0.01, 0.3758264078654258, 0.7941108796993602,
             0.4021509344670557, 0.04366943763862964, 0.2479119353192365, 0.23363835804584474, 0.4849724511528123,
             0.05872656062720057, 0.09558740798636724, 0.08731244918094225, 0.6166775958243184, 0.6756947039983351,
             0.05267327320102395, 0.07867033480636802, 0.01, 0.5744420285004388, 0.30350042840733044,
             0.04440162372489551, 0.01, 0.5903740962974324],
            [0.9995802308539895, 0.0003398637508244966, 7.990539518601563e-05, 0.0004793010712272483, 0.998108801715188,
             0.0014118972135847537, 4.101944173873931e-05, 1.6816585931500533e-05, 0.9999421639723298,
             0.9992073233288036, 0.0007680845608162263, 2.4592110380316755e-05, 7.6094028964399e-05, 0.11254360658134001,
             0.8873802993896955, 0.013110866160042206, 0.9865692758687014, 0.0003198579712563622, 0.27086928655651005,
             0.0010227257726522691, 0.7281079876708376, 0.9997408859422445, 0.00024402027729033575,
             1.5093780465110705e-05, 1.2037131157903847e-05, 0.9826403001947237, 0.017347662674118403, 0.4,
             0.30000000000000004, 0.30000000000000004, 0.0004291098753558503, 2.0913639915690645e-05,
             0.9995499764847285, 0.9994898116234407, 0.0005063954069049106, 3.792969654351522e-06],
            [0.9191229857655657, 0.7725851833477814, 0.6551405171732819, 0.8262969587182605]);
    }

    [Fact]
    public void Adam_with_uniform_prior_matches_the_numpy_reference()
    {
        var model = new MatrixCompletion(new MatrixCompletionOptions
        {
            Seed = 1,
            LearningRate = 0.05,
            Optimizer = MatrixCompletionOptimizer.Adam,
        }).Fit(CaseB);

        AssertModel(model, CaseB, 0.03214614549815787,
            [0.99, 0.07504943517704243, 0.01, 0.01, 0.99, 0.01, 0.24349856101582287, 0.01, 0.8070246970034628,
             0.714913828888322, 0.14287008496102124, 0.01, 0.24224313280808218, 0.4848685020276313, 0.042257191158346384,
             0.01, 0.3332952458076464, 0.812867799679171, 0.4110446122540938, 0.09367312140473835, 0.2715254398791532,
             0.2191468857441512, 0.4888728496086489, 0.08276522480714048, 0.0717461346738192, 0.0642303509949784,
             0.5975802816186054, 0.720210654607061, 0.12884871151297653, 0.12859589083540535, 0.01, 0.5262573111286821,
             0.30727944784004113, 0.01654628963707023, 0.01, 0.556939479006521],
            [0.9964667577526835, 0.0034402395619633703, 9.300268535312477e-05, 9.583615135917778e-05, 0.9993904609335449,
             0.0005137029150958444, 1.3239589294632927e-05, 9.805018050148998e-06, 0.9999769553926552,
             0.9936464930096266, 0.006146999895828445, 0.00020650709454502638, 4.4691821144198396e-05,
             0.07017737190947182, 0.929777936269384, 0.0022567620191860163, 0.997594559706561, 0.00014867827425290737,
             0.1684765971944329, 0.0011081677525918451, 0.8304152350529753, 0.9972719162479097, 0.002702924817493069,
             2.5158934597369732e-05, 2.5752505105865512e-06, 0.9975681003537303, 0.002429324395759113,
             0.3333333333333333, 0.3333333333333333, 0.3333333333333333, 0.00016690699767456452, 3.1465357813115255e-05,
             0.9998016276445123, 0.9939807441974573, 0.006009785382893077, 9.470419649764927e-06],
            [1.0, 0.8050600522380497, 0.6655545526583769, 0.8015144198854506]);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    public void Analytic_gradient_matches_central_finite_differences(double l2)
    {
        var stats = SufficientStatistics.Compute(CaseB);
        var objective = Objective.FromStatistics(stats, [0.5, 0.3, 0.2], l2);
        objective.InitialMu([0.7, 0.6, 0.8, 0.7], out var muInit);
        var rng = new Random(3);
        var mu = muInit.Select(_ => rng.NextDouble()).ToArray();
        var gradient = new double[mu.Length];
        var scratch = new double[mu.Length];
        objective.LossAndGradient(mu, muInit, gradient);

        const double h = 1e-6;
        for (int i = 0; i < mu.Length; i++)
        {
            double saved = mu[i];
            mu[i] = saved + h;
            double up = objective.LossAndGradient(mu, muInit, scratch);
            mu[i] = saved - h;
            double down = objective.LossAndGradient(mu, muInit, scratch);
            mu[i] = saved;
            Assert.Equal((up - down) / (2 * h), gradient[i], 1e-7);
        }
    }

    [Fact]
    public void Symmetry_breaking_picks_the_permutation_that_trusts_the_lfs()
    {
        // 3 LFs, k = 3, every LF's block is a column-permuted "accurate" block: old column 0 → 1, 1 → 2, 2 → 0.
        const int m = 3, k = 3;
        double[,] accurate = { { 0.8, 0.1, 0.1 }, { 0.1, 0.7, 0.1 }, { 0.1, 0.1, 0.6 } };
        int[] permutedFrom = [2, 0, 1]; // permuted[:, y] = accurate[:, permutedFrom[y]]
        var mu = new double[m * k * k];
        for (int j = 0; j < m; j++)
        {
            for (int c = 0; c < k; c++)
            {
                for (int y = 0; y < k; y++)
                {
                    mu[(((j * k) + c) * k) + y] = accurate[c, permutedFrom[y]];
                }
            }
        }

        MatrixCompletion.BreakColumnPermutationSymmetry(mu, [1.0 / 3, 1.0 / 3, 1.0 / 3], m, k);

        for (int j = 0; j < m; j++)
        {
            for (int c = 0; c < k; c++)
            {
                for (int y = 0; y < k; y++)
                {
                    Assert.Equal(accurate[c, y], mu[(((j * k) + c) * k) + y]);
                }
            }
        }
    }

    [Fact]
    public void Symmetry_breaking_never_swaps_classes_with_different_priors()
    {
        // Columns are swapped relative to "accurate", but class priors 0.6/0.4 differ: Snorkel leaves μ alone.
        double[] mu = [0.1, 0.8, 0.9, 0.2, 0.1, 0.8, 0.9, 0.2, 0.1, 0.8, 0.9, 0.2];
        var before = (double[])mu.Clone();

        MatrixCompletion.BreakColumnPermutationSymmetry(mu, [0.6, 0.4], 3, 2);

        Assert.Equal(before, mu);
    }

    [Fact]
    public void Hungarian_assignment_finds_the_minimum_over_all_permutations()
    {
        var rng = new Random(5);
        for (int trial = 0; trial < 50; trial++)
        {
            int n = 1 + rng.Next(6);
            var cost = new double[n, n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    cost[i, j] = Math.Round(rng.NextDouble() * 10, 1);
                }
            }

            var assigned = Assignment.Solve(cost);
            double best = Permutations(n).Min(perm => Enumerable.Range(0, n).Sum(i => cost[i, perm[i]]));

            Assert.Equal(Enumerable.Range(0, n), assigned.Order());
            Assert.Equal(best, Enumerable.Range(0, n).Sum(i => cost[i, assigned[i]]), 9);
        }
    }

    private static IEnumerable<int[]> Permutations(int n)
    {
        if (n == 0)
        {
            yield return [];
            yield break;
        }

        foreach (var rest in Permutations(n - 1))
        {
            for (int position = 0; position <= rest.Length; position++)
            {
                var perm = new int[n];
                rest.AsSpan(0, position).CopyTo(perm);
                perm[position] = n - 1;
                rest.AsSpan(position).CopyTo(perm.AsSpan(position + 1));
                yield return perm;
            }
        }
    }

    [Fact]
    public void Fewer_than_three_lfs_is_a_clear_error()
    {
        var two = LabelMatrix.FromRows([[0, 1], [1, 1]], 2);

        var error = Assert.Throws<ArgumentException>(() => new MatrixCompletion(new MatrixCompletionOptions { Seed = 1 }).Fit(two));
        Assert.Contains("at least 3 labeling functions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Statistics_without_joint_counts_are_rejected()
    {
        var stats = SufficientStatistics.Compute(CaseA, includeJointCounts: false);

        var error = Assert.Throws<ArgumentException>(() => new MatrixCompletion().Fit(stats));
        Assert.Contains("joint counts", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<MatrixCompletionOptions, string> BadOptions => new()
    {
        { new MatrixCompletionOptions { Epochs = 0 }, "Epochs" },
        { new MatrixCompletionOptions { LearningRate = 0 }, "LearningRate" },
        { new MatrixCompletionOptions { LearningRate = double.NaN }, "LearningRate" },
        { new MatrixCompletionOptions { L2 = -1 }, "L2" },
        { new MatrixCompletionOptions { L2 = double.PositiveInfinity }, "L2" },
        { new MatrixCompletionOptions { Momentum = 1 }, "Momentum" },
        { new MatrixCompletionOptions { Beta2 = double.NaN }, "Beta2" },
        { new MatrixCompletionOptions { PrecisionInit = double.NaN }, "PrecisionInit" },
        { new MatrixCompletionOptions { PrecisionInitPerLf = [0.7, 1.5, 0.7] }, "PrecisionInitPerLf[1]" },
        { new MatrixCompletionOptions { MuEpsilon = 0.5 }, "MuEpsilon" },
        { new MatrixCompletionOptions { MuEpsilon = double.NaN }, "MuEpsilon" },
        { new MatrixCompletionOptions { SchedulerGamma = 0 }, "SchedulerGamma" },
        { new MatrixCompletionOptions { StepSize = 0 }, "StepSize" },
        { new MatrixCompletionOptions { Seed = -1 }, "Seed" },
        { new MatrixCompletionOptions { Optimizer = (MatrixCompletionOptimizer)7 }, "Optimizer" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Invalid_options_are_rejected_naming_the_option(MatrixCompletionOptions options, string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new MatrixCompletion(options));
        Assert.Contains($"MatrixCompletionOptions.{name}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_that_do_not_fit_the_votes_are_rejected_at_fit()
    {
        var perLf = new MatrixCompletion(new MatrixCompletionOptions { Seed = 1, PrecisionInitPerLf = [0.7, 0.7] });
        var balance = new MatrixCompletion(new MatrixCompletionOptions
        {
            Seed = 1,
            ClassBalance = ClassBalance.FromProbabilities([0.2, 0.3, 0.5]),
        });

        Assert.Contains("PrecisionInitPerLf", Assert.Throws<ArgumentException>(() => perLf.Fit(CaseA)).Message, StringComparison.Ordinal);
        Assert.Contains("ClassBalance", Assert.Throws<ArgumentException>(() => balance.Fit(CaseA)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_diverging_fit_says_to_reduce_the_learning_rate()
    {
        var trainer = new MatrixCompletion(new MatrixCompletionOptions { Seed = 1, LearningRate = 1e6 });

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(CaseB));
        Assert.Contains("LearningRate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_seed_is_picked_recorded_and_reproduces_the_fit()
    {
        var votes = Fixtures.Synthetic(5_000, 3, seed: 4).Matrix;
        var picked = new MatrixCompletion().Fit(votes);
        var again = new MatrixCompletion(new MatrixCompletionOptions { Seed = picked.Seed }).Fit(votes);

        Assert.InRange(picked.Seed, 0, 999_999);
        Assert.True(picked.PredictProba(votes).BitwiseEquals(again.PredictProba(votes)));
        Assert.Equal(picked.FinalLoss, again.FinalLoss);
    }

    [Fact]
    public void Fit_from_merged_partition_statistics_equals_fit_from_the_matrix()
    {
        var votes = Fixtures.Synthetic(30_000, 3, seed: 8).Matrix;
        var merged = SufficientStatistics.Compute(votes.Slice(0, 12_345)).Merge(SufficientStatistics.Compute(votes.Slice(12_345, 30_000 - 12_345)));
        var trainer = new MatrixCompletion(new MatrixCompletionOptions { Seed = 3 });

        Assert.True(trainer.Fit(votes).PredictProba(votes).BitwiseEquals(trainer.Fit(merged).PredictProba(votes)));
    }

    [Fact]
    public void Conditional_probability_table_has_snorkels_shape_and_abstain_row()
    {
        var model = new MatrixCompletion(new MatrixCompletionOptions { Seed = 123 }).Fit(CaseA);
        var table = model.GetConditionalProbabilities();

        Assert.Equal([3, 3, 2], new[] { table.GetLength(0), table.GetLength(1), table.GetLength(2) });
        for (int j = 0; j < 3; j++)
        {
            for (int y = 0; y < 2; y++)
            {
                Assert.Equal(1 - model.Mu(j, 0, y) - model.Mu(j, 1, y), table[j, 0, y], 1e-15);
                Assert.Equal(model.Mu(j, 1, y), table[j, 2, y]);
                Assert.Equal(table[j, 0, y], model.ConditionalProbability(j, -1, y));
            }
        }
    }

    [Fact]
    public void Schedulers_change_the_fit_and_each_is_deterministic()
    {
        var results = Enum.GetValues<MatrixCompletionScheduler>()
            .Select(s => new MatrixCompletion(new MatrixCompletionOptions { Seed = 2, LearningRateScheduler = s }).Fit(CaseB).FinalLoss)
            .ToArray();

        Assert.Equal(results.Length, results.Distinct().Count());
    }
}
