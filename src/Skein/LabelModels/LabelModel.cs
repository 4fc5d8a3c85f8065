using System.Text.Json;
using Skein.Data;
using Skein.Evaluation;
using Skein.IO;

namespace Skein.LabelModels;

/// <summary>
/// A fitted label model: turns LF votes into class probabilities P(Y | λ(x)). Immutable and thread-safe;
/// obtained from an <see cref="ILabelModelTrainer"/> or from <see cref="Load"/>.
/// </summary>
public abstract class LabelModel
{
    /// <summary>The value of the "format" field of a saved model.</summary>
    public const string FormatName = "skein.label-model";

    /// <summary>The version of the saved-model format this build writes and reads.</summary>
    public const int FormatVersion = 1;

    // Rows per parallel prediction block; fixed so that the work split never depends on the thread count.
    private const int PredictBlockRows = 8192;

    private protected LabelModel(int lfCount, int cardinality)
    {
        LfCount = lfCount;
        Cardinality = cardinality;
    }

    /// <summary>Number of classes, k.</summary>
    public int Cardinality { get; }

    /// <summary>Number of labeling functions the model was fitted on, m.</summary>
    public int LfCount { get; }

    /// <summary>The stable name that identifies the model type in saved JSON (e.g. "dawid_skene").</summary>
    public abstract string ModelName { get; }

    /// <summary>P(Y = y | votes) for every row: an n×k matrix whose rows sum to 1.</summary>
    /// <exception cref="ArgumentException">The matrix has a different LF count or cardinality than the model.</exception>
    public ProbabilisticLabels PredictProba(LabelMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        RequireShape(matrix);
        int n = matrix.RowCount, m = LfCount, k = Cardinality;
        var output = new double[checked(n * k)];
        int blocks = (n + PredictBlockRows - 1) / PredictBlockRows;
        if (blocks <= 1)
        {
            PredictBlock(matrix.Votes, n, output);
        }
        else
        {
            Parallel.For(0, blocks, b =>
            {
                int start = b * PredictBlockRows;
                int count = Math.Min(PredictBlockRows, n - start);
                PredictBlock(matrix.Votes.Slice(start * m, count * m), count, output.AsSpan(start * k, count * k));
            });
        }

        return ProbabilisticLabels.Wrap(output, k);
    }

    /// <summary>
    /// The most probable class of every row. Classes within 1e-5 of the row maximum count as tied and are
    /// resolved by <paramref name="policy"/>, exactly as Snorkel's <c>probs_to_preds</c>.
    /// </summary>
    /// <param name="matrix">The votes.</param>
    /// <param name="policy">How ties are broken; the default, like Snorkel's <c>LabelModel.predict</c>, abstains (-1).</param>
    /// <param name="seed">Seed for <see cref="TieBreakPolicy.TrueRandom"/>; null picks one.</param>
    public int[] Predict(LabelMatrix matrix, TieBreakPolicy policy = TieBreakPolicy.Abstain, int? seed = null) =>
        TieBreaking.ProbsToPreds(PredictProba(matrix), policy, seed);

    /// <summary>
    /// What the model learned: per-LF accuracy and propensity and the class prior, where the model has them
    /// (Snorkel's <c>get_weights</c>). Generative models derive propensity as Σ_y P(y)·(1 − P(abstain | y)).
    /// </summary>
    /// <param name="lfNames">LF names for the report; null names them lf0, lf1, ….</param>
    /// <exception cref="ArgumentException"><paramref name="lfNames"/> has another length than the LF count.</exception>
    public LabelModelWeights Describe(IReadOnlyList<string>? lfNames = null)
    {
        if (lfNames is not null && lfNames.Count != LfCount)
        {
            throw new ArgumentException($"{lfNames.Count} LF names for a model of {LfCount} LFs.", nameof(lfNames));
        }

        var names = lfNames ?? LabelMatrix.DefaultNames(LfCount);
        if (this is not IGenerativeLabelModel generative)
        {
            return new LabelModelWeights(ModelName, Cardinality, names, null, null, DescribePrior());
        }

        var prior = generative.ClassPrior;
        var propensities = new double[LfCount];
        for (int j = 0; j < LfCount; j++)
        {
            double abstain = 0;
            for (int y = 0; y < Cardinality; y++)
            {
                abstain += prior[y] * generative.ConditionalProbability(j, LabelMatrix.Abstain, y);
            }

            propensities[j] = 1 - abstain;
        }

        return new LabelModelWeights(ModelName, Cardinality, names, generative.LfAccuracies.ToArray(), propensities, prior.ToArray());
    }

    /// <summary>The class prior of a model without a generative story, or null; overridden where one exists.</summary>
    private protected virtual IReadOnlyList<double>? DescribePrior() => null;

    /// <summary>Writes the model as versioned JSON. Doubles are written shortest-round-trip, so a load is exact.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = ModelJson.WriteHeader(stream, FormatName, FormatVersion);
        writer.WriteString("model", ModelName);
        writer.WriteNumber("lfCount", LfCount);
        writer.WriteNumber("cardinality", Cardinality);
        writer.WriteStartObject("parameters");
        WriteParameters(writer);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Reads a model written by <see cref="Save"/>; the concrete type comes from its "model" field.</summary>
    /// <exception cref="DataFormatException">The JSON is malformed, of another format or version, or inconsistent.</exception>
    public static LabelModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ModelJson.Read(() => LoadCore(stream));
    }

    private static LabelModel LoadCore(Stream stream)
    {
        using (var document = ModelJson.ParseHeader(stream, FormatName, FormatVersion))
        {
            var root = document.RootElement;
            int m = ModelJson.GetInt(root, "lfCount");
            int k = ModelJson.GetInt(root, "cardinality");
            if (m < 1 || k < 2 || k > LabelMatrix.MaxCardinality)
            {
                throw new DataFormatException($"Invalid shape lfCount={m}, cardinality={k}.", column: "cardinality");
            }

            _ = ModelJson.Size("lfCount", m, k, k + 1);

            var parameters = ModelJson.GetProperty(root, "parameters");
            var name = ModelJson.GetString(root, "model");
            return name switch
            {
                MajorityVoteModel.Name => MajorityVoteModel.ReadParameters(parameters, m, k),
                WeightedMajorityVoteModel.Name => WeightedMajorityVoteModel.ReadParameters(parameters, m, k),
                DawidSkeneModel.Name => DawidSkeneModel.ReadParameters(parameters, m, k),
                DataProgrammingModel.Name => DataProgrammingModel.ReadParameters(parameters, m, k),
                TripletModel.Name => TripletModel.ReadParameters(parameters, m, k),
                MatrixCompletionModel.Name => MatrixCompletionModel.ReadParameters(parameters, m, k),
                _ => throw new DataFormatException($"Unknown label model '{name}'.", column: "model"),
            };
        }
    }

    /// <summary>Fills <paramref name="output"/> (rows×k) with the probabilities of <paramref name="rows"/> rows of votes.</summary>
    private protected abstract void PredictBlock(ReadOnlySpan<sbyte> votes, int rows, Span<double> output);

    /// <summary>Writes the model-specific fields inside the "parameters" object.</summary>
    private protected abstract void WriteParameters(Utf8JsonWriter writer);

    private void RequireShape(LabelMatrix matrix)
    {
        if (matrix.LfCount != LfCount || matrix.Cardinality != Cardinality)
        {
            throw new ArgumentException(
                $"The model was fitted on {LfCount} LFs with cardinality {Cardinality}; the matrix has " +
                $"{matrix.LfCount} LFs with cardinality {matrix.Cardinality}.", nameof(matrix));
        }
    }

    /// <summary>Range checks shared by the models' P(λ_j = vote | Y = trueClass) (vote −1 = abstain).</summary>
    private protected void CheckConditionalArguments(int lf, int vote, int trueClass)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lf);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(lf, LfCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(vote, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(vote, Cardinality);
        ArgumentOutOfRangeException.ThrowIfNegative(trueClass);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(trueClass, Cardinality);
    }

    /// <summary>Rejects an empty matrix before a fit, with a message a user can act on.</summary>
    internal static void RequireRows(LabelMatrix matrix, string modelName)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.RowCount == 0)
        {
            throw new ArgumentException($"Cannot fit {modelName} to a label matrix with no rows.", nameof(matrix));
        }
    }

    /// <summary>Rejects statistics of no rows before a fit, like <see cref="RequireRows(LabelMatrix, string)"/>.</summary>
    internal static void RequireRows(SufficientStatistics statistics, string modelName)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        if (statistics.RowCount == 0)
        {
            throw new ArgumentException($"Cannot fit {modelName} to statistics of no rows.", nameof(statistics));
        }
    }
}
