using System.Text.Json;
using Skein.Data;
using Skein.IO;

namespace Skein.LabelModels;

/// <summary>Which majority vote <see cref="MajorityVote"/> computes.</summary>
public enum MajorityVoteVariant
{
    /// <summary>WRENCH's <c>MajorityVoting</c>: vote shares, P(y) = (# votes for y) / (# votes).</summary>
    Wrench,

    /// <summary>Snorkel's <c>MajorityLabelVoter</c>: the indicator of the most-voted class, ties split evenly.</summary>
    Snorkel,
}

/// <summary>Options of <see cref="MajorityVote"/>.</summary>
public sealed record MajorityVoteOptions
{
    /// <summary>Vote shares (WRENCH, default) or the indicator of the argmax (Snorkel).</summary>
    public MajorityVoteVariant Variant { get; init; } = MajorityVoteVariant.Wrench;

    /// <summary>
    /// What a row with no votes gets: null (default, as both WRENCH and Snorkel) = uniform 1/k; otherwise this
    /// prior, normalised.
    /// </summary>
    public ClassBalance? UncoveredPrior { get; init; }
}

/// <summary>
/// Majority vote "trainer": it learns nothing from the votes but k, so it also fits from sufficient statistics.
/// </summary>
public sealed class MajorityVote : ILabelModelTrainer, ISufficientStatisticsTrainer
{
    /// <summary>A trainer with default options (WRENCH vote shares, uniform on uncovered rows).</summary>
    public MajorityVote()
        : this(new MajorityVoteOptions())
    {
    }

    /// <summary>A trainer with the given options.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public MajorityVote(MajorityVoteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Enum.IsDefined(options.Variant))
        {
            throw new ArgumentException(
                $"MajorityVoteOptions.Variant = {(int)options.Variant} is not one of Wrench, Snorkel.", nameof(options));
        }

        Options = options;
    }

    /// <summary>The validated options.</summary>
    public MajorityVoteOptions Options { get; }

    /// <summary>Fits to a label matrix (only its shape is used).</summary>
    public MajorityVoteModel Fit(LabelMatrix matrix)
    {
        LabelModel.RequireRows(matrix, nameof(MajorityVote));
        return Create(matrix.LfCount, matrix.Cardinality);
    }

    /// <summary>Fits from sufficient statistics (only their shape is used).</summary>
    public MajorityVoteModel Fit(SufficientStatistics statistics)
    {
        LabelModel.RequireRows(statistics, nameof(MajorityVote));

        return Create(statistics.LfCount, statistics.Cardinality);
    }

    LabelModel ILabelModelTrainer.Fit(LabelMatrix matrix) => Fit(matrix);

    LabelModel ISufficientStatisticsTrainer.Fit(SufficientStatistics statistics) => Fit(statistics);

    private MajorityVoteModel Create(int lfCount, int cardinality)
    {
        Options.UncoveredPrior?.RequireCardinality(cardinality, "MajorityVoteOptions.UncoveredPrior");
        var prior = Options.UncoveredPrior?.ToProbabilities() ?? UniformRow(cardinality);
        return new MajorityVoteModel(lfCount, cardinality, Options.Variant, prior);
    }

    internal static double[] UniformRow(int k) => Enumerable.Repeat(1.0 / k, k).ToArray();
}

/// <summary>A fitted majority vote.</summary>
public sealed class MajorityVoteModel : LabelModel
{
    internal const string Name = "majority_vote";

    private readonly double[] _uncoveredPrior;

    internal MajorityVoteModel(int lfCount, int cardinality, MajorityVoteVariant variant, double[] uncoveredPrior)
        : base(lfCount, cardinality)
    {
        Variant = variant;
        _uncoveredPrior = uncoveredPrior;
    }

    /// <inheritdoc />
    public override string ModelName => Name;

    /// <summary>Vote shares or argmax indicator.</summary>
    public MajorityVoteVariant Variant { get; }

    /// <summary>The distribution given to rows with no votes.</summary>
    public IReadOnlyList<double> UncoveredPrior => _uncoveredPrior;

    private protected override void PredictBlock(ReadOnlySpan<sbyte> votes, int rows, Span<double> output)
    {
        int m = LfCount, k = Cardinality;
        Span<double> counts = stackalloc double[k];
        for (int i = 0; i < rows; i++)
        {
            var row = votes.Slice(i * m, m);
            var target = output.Slice(i * k, k);
            counts.Clear();
            int total = 0;
            foreach (var v in row)
            {
                if (v >= 0)
                {
                    counts[v]++;
                    total++;
                }
            }

            if (total == 0)
            {
                _uncoveredPrior.CopyTo(target);
            }
            else if (Variant == MajorityVoteVariant.Wrench)
            {
                for (int c = 0; c < k; c++)
                {
                    target[c] = counts[c] / total;
                }
            }
            else
            {
                double max = 0;
                foreach (var c in counts)
                {
                    max = Math.Max(max, c);
                }

                int ties = 0;
                foreach (var c in counts)
                {
                    ties += c == max ? 1 : 0;
                }

                for (int c = 0; c < k; c++)
                {
                    target[c] = counts[c] == max ? 1.0 / ties : 0.0;
                }
            }
        }
    }

    private protected override void WriteParameters(Utf8JsonWriter writer)
    {
        writer.WriteString("variant", Variant.ToString());
        ModelJson.WriteDoubles(writer, "uncoveredPrior", _uncoveredPrior);
    }

    internal static MajorityVoteModel ReadParameters(JsonElement parameters, int lfCount, int cardinality)
    {
        var variant = ModelJson.GetEnum<MajorityVoteVariant>(parameters, "variant");
        var prior = ModelJson.GetDoubles(parameters, "uncoveredPrior", cardinality, 0, 1);
        if (Math.Abs(prior.Sum() - 1) > ClassBalance.SumTolerance)
        {
            throw new DataFormatException("Field 'uncoveredPrior' must sum to 1.", column: "uncoveredPrior");
        }

        return new MajorityVoteModel(lfCount, cardinality, variant, prior);
    }
}
