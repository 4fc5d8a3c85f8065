using System.Text.Json;
using Skein.Data;

namespace Skein.LabelModels;

/// <summary>Options of <see cref="WeightedMajorityVote"/>.</summary>
public sealed record WeightedMajorityVoteOptions
{
    /// <summary>
    /// The class weights. For the WRENCH protocol pass <see cref="ClassBalance.FromLabels"/> of the validation
    /// labels. Null (default) = uniform, which makes the model equal to WRENCH's plain majority vote.
    /// </summary>
    public ClassBalance? ClassBalance { get; init; }
}

/// <summary>
/// WRENCH's <c>MajorityWeightedVoting</c>: each vote for y counts balance_y, so P(y | x) ∝ balance_y · (# votes
/// for y); rows with no votes are uniform. A class-prior-weighted vote, not an accuracy-weighted one.
/// </summary>
public sealed class WeightedMajorityVote : ILabelModelTrainer, ISufficientStatisticsTrainer
{
    /// <summary>A trainer with uniform class weights.</summary>
    public WeightedMajorityVote()
        : this(new WeightedMajorityVoteOptions())
    {
    }

    /// <summary>A trainer with the given options.</summary>
    public WeightedMajorityVote(WeightedMajorityVoteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public WeightedMajorityVoteOptions Options { get; }

    /// <summary>Fits to a label matrix (only its shape is used; the weights come from the options).</summary>
    public WeightedMajorityVoteModel Fit(LabelMatrix matrix)
    {
        LabelModel.RequireRows(matrix, nameof(WeightedMajorityVote));
        return Create(matrix.LfCount, matrix.Cardinality);
    }

    /// <summary>Fits from sufficient statistics (only their shape is used).</summary>
    public WeightedMajorityVoteModel Fit(SufficientStatistics statistics)
    {
        LabelModel.RequireRows(statistics, nameof(WeightedMajorityVote));

        return Create(statistics.LfCount, statistics.Cardinality);
    }

    LabelModel ILabelModelTrainer.Fit(LabelMatrix matrix) => Fit(matrix);

    LabelModel ISufficientStatisticsTrainer.Fit(SufficientStatistics statistics) => Fit(statistics);

    private WeightedMajorityVoteModel Create(int lfCount, int cardinality)
    {
        Options.ClassBalance?.RequireCardinality(cardinality, "WeightedMajorityVoteOptions.ClassBalance");
        var weights = Options.ClassBalance?.Weights.ToArray() ?? MajorityVote.UniformRow(cardinality);
        return new WeightedMajorityVoteModel(lfCount, cardinality, weights);
    }
}

/// <summary>A fitted weighted majority vote.</summary>
public sealed class WeightedMajorityVoteModel : LabelModel
{
    internal const string Name = "weighted_majority_vote";

    private readonly double[] _weights;

    internal WeightedMajorityVoteModel(int lfCount, int cardinality, double[] weights)
        : base(lfCount, cardinality)
    {
        _weights = weights;
    }

    /// <inheritdoc />
    public override string ModelName => Name;

    /// <summary>The weight of one vote for each class (as given, not renormalised).</summary>
    public IReadOnlyList<double> ClassWeights => _weights;

    // The class weights act as a prior on every vote; reported normalised.
    private protected override IReadOnlyList<double>? DescribePrior()
    {
        double sum = _weights.Sum();
        return _weights.Select(w => w / sum).ToArray();
    }

    private protected override void PredictBlock(ReadOnlySpan<sbyte> votes, int rows, Span<double> output)
    {
        int m = LfCount, k = Cardinality;
        for (int i = 0; i < rows; i++)
        {
            var row = votes.Slice(i * m, m);
            var target = output.Slice(i * k, k);
            target.Clear();
            bool any = false;
            foreach (var v in row)
            {
                if (v >= 0)
                {
                    // Repeated addition, as WRENCH does, so the sums match it bit for bit.
                    target[v] += _weights[v];
                    any = true;
                }
            }

            if (!any)
            {
                target.Fill(1.0 / k);
                continue;
            }

            double sum = 0;
            foreach (var p in target)
            {
                sum += p;
            }

            for (int c = 0; c < k; c++)
            {
                target[c] /= sum;
            }
        }
    }

    private protected override void WriteParameters(Utf8JsonWriter writer) =>
        ModelJson.WriteDoubles(writer, "classWeights", _weights);

    internal static WeightedMajorityVoteModel ReadParameters(JsonElement parameters, int lfCount, int cardinality)
    {
        var weights = ModelJson.GetDoubles(parameters, "classWeights", cardinality, double.Epsilon);
        return new WeightedMajorityVoteModel(lfCount, cardinality, weights);
    }
}
