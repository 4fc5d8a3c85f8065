using System.Text.Json;
using Skein.Data;
using Skein.IO;

namespace Skein.LabelModels;

/// <summary>Options of <see cref="DawidSkene"/>; the defaults are WRENCH's.</summary>
public sealed record DawidSkeneOptions
{
    /// <summary>Most EM iterations (M-step + E-step) to run; at least 1. Default 10,000.</summary>
    public int MaxIterations { get; init; } = 10_000;

    /// <summary>
    /// EM stops once Σ|Δ class marginals| and Σ|Δ confusion entries| between iterations are both below this;
    /// finite and ≥ 0. Default 1e-5.
    /// </summary>
    public double Tolerance { get; init; } = 1e-5;

    /// <summary>Threads per pass; -1 (default) = all cores. Results are bit-identical for every value.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}

/// <summary>
/// Dawid–Skene EM with WRENCH's semantics: each LF has a confusion matrix over k+1 outputs with abstain as an
/// output (abstention depends on the class); initialisation from majority-vote shares (uniform on uncovered rows);
/// M-step ρ_y = mean posterior, π_j[y, l] ∝ Σ_x P(y | x)·1[λ_j(x) = l]; E-step P(y | x) ∝ ρ_y Π_j π_j[y, λ_j(x)];
/// no smoothing. Class balance is ignored, as in WRENCH.
/// </summary>
public sealed class DawidSkene : ILabelModelTrainer
{
    /// <summary>A trainer with WRENCH's defaults.</summary>
    public DawidSkene()
        : this(new DawidSkeneOptions())
    {
    }

    /// <summary>A trainer with the given options.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public DawidSkene(DawidSkeneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = new OptionChecks(nameof(DawidSkeneOptions));
        check.AtLeast(options.MaxIterations, 1);
        check.NonNegative(options.Tolerance);
        check.Parallelism(options.MaxDegreeOfParallelism);

        Options = options;
    }

    /// <summary>The validated options.</summary>
    public DawidSkeneOptions Options { get; }

    LabelModel ILabelModelTrainer.Fit(LabelMatrix matrix) => Fit(matrix);

    /// <summary>Runs EM on the votes.</summary>
    /// <exception cref="ArgumentException">The matrix has no rows.</exception>
    public DawidSkeneModel Fit(LabelMatrix matrix)
    {
        LabelModel.RequireRows(matrix, nameof(DawidSkene));
        return Fit(LabelMatrixSource.FromMatrix(matrix));
    }

    /// <summary>
    /// Runs EM over a re-readable source, one pass per iteration, without holding the rows. The result is
    /// bit-identical to <see cref="Fit(LabelMatrix)"/> on the concatenated rows, whatever the chunking.
    /// </summary>
    /// <exception cref="ArgumentException">The source yields no rows, or a chunk of another shape.</exception>
    public DawidSkeneModel Fit(ILabelMatrixSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        int m = source.LfCount, k = source.Cardinality;
        int piLength = m * (k + 1) * k;

        // Totals: [0, piLength) = Σ P(y|x)·1[λ_j = l] at (j·(k+1) + l)·k + y; then k class sums.
        var totals = new double[piLength + k];
        var rho = new double[k];
        var pi = new double[piLength];
        var rhoOld = new double[k];
        var piOld = new double[piLength];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism };

        long n = BlockedPass.Run(source, (votes, rows, sums) => Accumulate(votes, rows, m, k, null, null, sums), totals, parallel);
        if (n == 0)
        {
            throw new ArgumentException($"Cannot fit {nameof(DawidSkene)} to a label matrix with no rows.", nameof(source));
        }

        MStep(totals, n, m, k, rho, pi);
        int iterations = 1;
        bool converged = false;
        while (iterations < Options.MaxIterations)
        {
            Array.Copy(rho, rhoOld, k);
            Array.Copy(pi, piOld, piLength);
            BlockedPass.Run(source, (votes, rows, sums) => Accumulate(votes, rows, m, k, rhoOld, piOld, sums), totals, parallel);
            MStep(totals, n, m, k, rho, pi);
            iterations++;
            if (SumAbsDiff(rho, rhoOld) < Options.Tolerance && SumAbsDiff(pi, piOld) < Options.Tolerance)
            {
                converged = true;
                break;
            }
        }

        return new DawidSkeneModel(m, k, rho, pi, iterations, converged);
    }

    /// <summary>
    /// Adds rows into the sufficient statistics of the next M-step: the posterior of each row (majority-vote
    /// shares when <paramref name="pi"/> is null, else the E-step) at each LF's vote.
    /// </summary>
    private static void Accumulate(ReadOnlySpan<sbyte> votes, int count, int m, int k, double[]? rho, double[]? pi, Span<double> sums)
    {
        int piLength = m * (k + 1) * k;
        Span<double> post = stackalloc double[k];
        Span<int> offsets = m <= 1024 ? stackalloc int[m] : new int[m];
        for (int i = 0; i < count; i++)
        {
            var row = votes.Slice(i * m, m);
            RowOffsets(row, k, offsets);
            if (pi is null)
            {
                VoteShares(row, post);
            }
            else
            {
                Posterior(offsets, rho!, pi, post, zeroRowsUniform: false);
            }

            foreach (int offset in offsets)
            {
                for (int y = 0; y < k; y++)
                {
                    sums[offset + y] += post[y];
                }
            }

            for (int y = 0; y < k; y++)
            {
                sums[piLength + y] += post[y];
            }
        }
    }

    private static void MStep(double[] totals, long n, int m, int k, double[] rho, double[] pi)
    {
        int piLength = m * (k + 1) * k;
        for (int y = 0; y < k; y++)
        {
            rho[y] = totals[piLength + y] / n;
        }

        for (int j = 0; j < m; j++)
        {
            for (int y = 0; y < k; y++)
            {
                double s = 0;
                for (int l = 0; l <= k; l++)
                {
                    s += totals[(((j * (k + 1)) + l) * k) + y];
                }

                for (int l = 0; l <= k; l++)
                {
                    int idx = (((j * (k + 1)) + l) * k) + y;

                    // A class with no posterior mass has no confusion row; WRENCH leaves it undefined, we use 0.
                    pi[idx] = s != 0 ? totals[idx] / s : 0;
                }
            }
        }
    }

    private static double SumAbsDiff(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += Math.Abs(a[i] - b[i]);
        }

        return sum;
    }

    /// <summary>Where each LF's vote selects its k-vector of π (and of the partial sums): ((j·(k+1)) + vote + 1)·k.</summary>
    internal static void RowOffsets(ReadOnlySpan<sbyte> row, int k, Span<int> offsets)
    {
        for (int j = 0; j < row.Length; j++)
        {
            offsets[j] = ((j * (k + 1)) + row[j] + 1) * k;
        }
    }

    private static void VoteShares(ReadOnlySpan<sbyte> row, Span<double> post)
    {
        post.Clear();
        int total = 0;
        foreach (var v in row)
        {
            if (v >= 0)
            {
                post[v]++;
                total++;
            }
        }

        if (total == 0)
        {
            post.Fill(1.0 / post.Length);
            return;
        }

        for (int y = 0; y < post.Length; y++)
        {
            post[y] /= total;
        }
    }

    /// <summary>
    /// E-step for one row: ρ_y Π_j π_j[y, λ_j] normalised, in linear space like WRENCH. A row whose every class
    /// has probability 0 stays all-zero during training (as in WRENCH) and becomes uniform for prediction.
    /// </summary>
    internal static void Posterior(ReadOnlySpan<int> offsets, double[] rho, double[] pi, Span<double> post, bool zeroRowsUniform)
    {
        int k = post.Length;
        post.Fill(1.0);
        foreach (int offset in offsets)
        {
            var factors = pi.AsSpan(offset, k);
            for (int y = 0; y < k; y++)
            {
                post[y] *= factors[y];
            }
        }

        double sum = 0;
        for (int y = 0; y < k; y++)
        {
            post[y] = rho[y] * post[y];
            sum += post[y];
        }

        if (sum != 0)
        {
            for (int y = 0; y < k; y++)
            {
                post[y] /= sum;
            }
        }
        else if (zeroRowsUniform)
        {
            post.Fill(1.0 / k);
        }
    }
}

/// <summary>A fitted Dawid–Skene model.</summary>
public sealed class DawidSkeneModel : LabelModel, IGenerativeLabelModel
{
    internal const string Name = "dawid_skene";

    // Documents the flat layout of "confusion" in the saved JSON.
    private const string ConfusionLayout = "index ((lf*(k+1) + vote+1)*k + trueClass); vote -1 = abstain";

    private readonly double[] _rho;
    private readonly double[] _pi; // (j·(k+1) + l)·k + y, l = 0 abstain, l = c + 1 vote c
    private readonly double[] _accuracies;

    internal DawidSkeneModel(int lfCount, int cardinality, double[] rho, double[] pi, int iterations, bool converged)
        : base(lfCount, cardinality)
    {
        _rho = rho;
        _pi = pi;
        Iterations = iterations;
        Converged = converged;
        _accuracies = ComputeAccuracies();
    }

    /// <inheritdoc />
    public override string ModelName => Name;

    /// <summary>EM iterations run (number of M-steps, as WRENCH counts them).</summary>
    public int Iterations { get; }

    /// <summary>Whether EM met the tolerance before the iteration limit.</summary>
    public bool Converged { get; }

    /// <summary>The learned class marginals ρ.</summary>
    public IReadOnlyList<double> ClassPrior => _rho;

    /// <inheritdoc />
    public IReadOnlyList<double> LfAccuracies => _accuracies;

    /// <inheritdoc />
    public double ConditionalProbability(int lf, int vote, int trueClass)
    {
        CheckConditionalArguments(lf, vote, trueClass);
        return _pi[(((lf * (Cardinality + 1)) + vote + 1) * Cardinality) + trueClass];
    }

    private double[] ComputeAccuracies()
    {
        var result = new double[LfCount];
        for (int j = 0; j < LfCount; j++)
        {
            double correct = 0, voted = 0;
            for (int y = 0; y < Cardinality; y++)
            {
                correct += _rho[y] * ConditionalProbability(j, y, y);
                voted += _rho[y] * (1 - ConditionalProbability(j, -1, y));
            }

            result[j] = voted > 0 ? correct / voted : 0;
        }

        return result;
    }

    private protected override void PredictBlock(ReadOnlySpan<sbyte> votes, int rows, Span<double> output)
    {
        int m = LfCount, k = Cardinality;
        Span<int> offsets = m <= 1024 ? stackalloc int[m] : new int[m];
        for (int i = 0; i < rows; i++)
        {
            DawidSkene.RowOffsets(votes.Slice(i * m, m), k, offsets);
            DawidSkene.Posterior(offsets, _rho, _pi, output.Slice(i * k, k), zeroRowsUniform: true);
        }
    }

    private protected override void WriteParameters(Utf8JsonWriter writer)
    {
        writer.WriteNumber("iterations", Iterations);
        writer.WriteBoolean("converged", Converged);
        ModelJson.WriteDoubles(writer, "classMarginals", _rho);
        writer.WriteString("confusionLayout", ConfusionLayout);
        ModelJson.WriteDoubles(writer, "confusion", _pi);
    }

    internal static DawidSkeneModel ReadParameters(JsonElement parameters, int lfCount, int cardinality)
    {
        int iterations = ModelJson.GetInt(parameters, "iterations");
        bool converged = ModelJson.GetBool(parameters, "converged");
        var rho = ModelJson.GetDoubles(parameters, "classMarginals", cardinality, 0, 1);
        var pi = ModelJson.GetDoubles(parameters, "confusion", ModelJson.Size("confusion", lfCount, cardinality + 1, cardinality), 0, 1);
        if (iterations < 1)
        {
            throw new DataFormatException("Field 'iterations' must be at least 1.", column: "iterations");
        }

        return new DawidSkeneModel(lfCount, cardinality, rho, pi, iterations, converged);
    }
}
