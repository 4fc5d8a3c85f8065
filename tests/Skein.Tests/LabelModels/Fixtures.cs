using Skein.Data;
using Skein.LabelModels;

namespace Skein.Tests.LabelModels;

/// <summary>Shared inputs: every label model under test, and matrices to run them on.</summary>
internal static class Fixtures
{
    public static readonly IReadOnlyDictionary<string, Func<ILabelModelTrainer>> Trainers =
        new Dictionary<string, Func<ILabelModelTrainer>>
        {
            ["mv-wrench"] = () => new MajorityVote(),
            ["triplet"] = () => new Triplet(),
            ["triplet-median-wrench"] = () => new Triplet(new TripletOptions
            {
                Method = TripletMethod.TripletMedian,
                Multiclass = TripletMulticlass.OneVsRestWrenchSoftmax,
            }),
            ["dp"] = () => new DataProgramming(),
            ["dp-learned-prior-1-thread"] = () => new DataProgramming(new DataProgrammingOptions
            {
                LearnClassPrior = true,
                MaxDegreeOfParallelism = 1,
            }),
            ["mv-snorkel"] = () => new MajorityVote(new MajorityVoteOptions { Variant = MajorityVoteVariant.Snorkel }),
            ["mv-prior"] = () => new MajorityVote(new MajorityVoteOptions
            {
                UncoveredPrior = ClassBalance.FromProbabilities([0.5, 0.3, 0.2]),
            }),
            ["wmv-uniform"] = () => new WeightedMajorityVote(),
            ["wmv-balance"] = () => new WeightedMajorityVote(new WeightedMajorityVoteOptions
            {
                ClassBalance = ClassBalance.FromLabels([0, 0, 1, 2, 2, 2], 3),
            }),
            ["ds"] = () => new DawidSkene(),
            ["ds-1-thread"] = () => new DawidSkene(new DawidSkeneOptions { MaxDegreeOfParallelism = 1 }),
            ["metal"] = () => new MatrixCompletion(new MatrixCompletionOptions { Seed = 42 }),
        };

    public static TheoryData<string> TrainerNames => new(Trainers.Keys);

    /// <summary>
    /// 3 classes, 5 LFs, 2,000 rows with low coverage (so some rows are uncovered) and the first rows fixed by hand
    /// to include all-abstain rows and ties.
    /// </summary>
    public static LabelMatrix Small { get; } = BuildSmall();

    /// <summary>20,000 rows: enough row blocks to exercise the parallel paths.</summary>
    public static LabelMatrix Large { get; } = Synthetic(20_000, 3, seed: 11).Matrix;

    public static SyntheticVotes Synthetic(int n, int k, int seed, double[]? accuracies = null, double[]? propensities = null,
        double[]? prior = null) =>
        SyntheticVotes.Generate(new SyntheticVotesOptions
        {
            RowCount = n,
            Cardinality = k,
            Accuracies = accuracies ?? [0.85, 0.7, 0.6, 0.75, 0.9],
            Propensities = propensities ?? [0.4, 0.5, 0.3, 0.6, 0.2],
            ClassPrior = prior,
            Seed = seed,
        });

    public static LabelMatrix AllAbstain(int rows, int lfs, int k) =>
        LabelMatrix.FromRowMajor(Enumerable.Repeat(LabelMatrix.Abstain, rows * lfs).ToArray(), LabelMatrix.DefaultNames(lfs), k);

    private static LabelMatrix BuildSmall()
    {
        var random = Synthetic(2_000, 3, seed: 7).Matrix;
        var votes = random.Votes.ToArray();
        int[][] head =
        [
            [-1, -1, -1, -1, -1],
            [0, 1, 2, -1, -1],
            [1, 1, 2, 2, -1],
            [-1, -1, -1, -1, -1],
            [2, -1, -1, -1, 0],
        ];
        for (int i = 0; i < head.Length; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                votes[(i * 5) + j] = (sbyte)head[i][j];
            }
        }

        return LabelMatrix.FromRowMajor(votes, random.LfNames, 3);
    }
}
