namespace Skein.Data;

/// <summary>Options of <see cref="SyntheticVotes.Generate"/>.</summary>
public sealed record SyntheticVotesOptions
{
    /// <summary>Number of items, n ≥ 0.</summary>
    public required int RowCount { get; init; }

    /// <summary>Number of classes, k in [2, 127]. Default 2.</summary>
    public int Cardinality { get; init; } = 2;

    /// <summary>P(λ_j = Y | λ_j votes) of each LF, in [0, 1]; its length is the LF count m ≥ 1.</summary>
    public required IReadOnlyList<double> Accuracies { get; init; }

    /// <summary>P(λ_j votes) of each LF (its coverage), in [0, 1]; same length as <see cref="Accuracies"/>.</summary>
    public required IReadOnlyList<double> Propensities { get; init; }

    /// <summary>P(Y = y); null (default) = uniform. Must sum to 1 within 1e-6.</summary>
    public IReadOnlyList<double>? ClassPrior { get; init; }

    /// <summary>Seed; null picks one, recorded in <see cref="SyntheticVotes.Seed"/>.</summary>
    public int? Seed { get; init; }
}

/// <summary>
/// Votes drawn from the conditionally independent model of data programming: Y ~ prior; each LF j independently
/// votes with probability propensity_j, and a vote is Y with probability accuracy_j, otherwise uniform over the
/// other k − 1 classes. Deterministic per seed, whatever the thread count.
/// </summary>
public sealed class SyntheticVotes
{
    // Rows per independently seeded block: fixed so the draw never depends on scheduling.
    private const int BlockRows = 8192;

    private readonly int[] _gold;

    private SyntheticVotes(LabelMatrix matrix, int[] gold, int seed)
    {
        Matrix = matrix;
        _gold = gold;
        Seed = seed;
    }

    /// <summary>The n×m votes.</summary>
    public LabelMatrix Matrix { get; }

    /// <summary>The true class of every row.</summary>
    public IReadOnlyList<int> Gold => _gold;

    /// <summary>The seed used (the given one, or the one picked).</summary>
    public int Seed { get; }

    /// <summary>Draws a label matrix and its gold labels.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static SyntheticVotes Generate(SyntheticVotesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prior = Validate(options);
        int n = options.RowCount, m = options.Accuracies.Count, k = options.Cardinality;
        int seed = options.Seed ?? Random.Shared.Next();
        var accuracies = options.Accuracies.ToArray();
        var propensities = options.Propensities.ToArray();
        var cumulative = new double[k];
        double acc = 0;
        for (int c = 0; c < k; c++)
        {
            acc += prior[c];
            cumulative[c] = acc;
        }

        var votes = new sbyte[(long)n * m];
        var gold = new int[n];
        int blocks = (n + BlockRows - 1) / BlockRows;
        Parallel.For(0, blocks, b =>
        {
            var rng = new SplitMix64(((ulong)(uint)seed << 32) ^ (ulong)b);
            int start = b * BlockRows, end = Math.Min(n, start + BlockRows);
            for (int i = start; i < end; i++)
            {
                double u = rng.NextDouble();
                int y = 0;
                while (y < k - 1 && u >= cumulative[y])
                {
                    y++;
                }

                gold[i] = y;
                for (int j = 0; j < m; j++)
                {
                    sbyte vote = LabelMatrix.Abstain;
                    if (rng.NextDouble() < propensities[j])
                    {
                        if (rng.NextDouble() < accuracies[j])
                        {
                            vote = (sbyte)y;
                        }
                        else
                        {
                            // Uniform over the k − 1 wrong classes: draw from [0, k-1) and skip y.
                            int wrong = (int)(rng.NextDouble() * (k - 1));
                            vote = (sbyte)(wrong >= y ? wrong + 1 : wrong);
                        }
                    }

                    votes[((long)i * m) + j] = vote;
                }
            }
        });

        return new SyntheticVotes(LabelMatrix.FromRowMajor(votes, LabelMatrix.DefaultNames(m), k), gold, seed);
    }

    private static double[] Validate(SyntheticVotesOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.RowCount, "SyntheticVotesOptions.RowCount");
        if (options.Cardinality < 2 || options.Cardinality > LabelMatrix.MaxCardinality)
        {
            throw new ArgumentException(
                $"SyntheticVotesOptions.Cardinality = {options.Cardinality}; it must be in [2, {LabelMatrix.MaxCardinality}].",
                nameof(options));
        }

        if (options.Accuracies is null || options.Accuracies.Count == 0)
        {
            throw new ArgumentException("SyntheticVotesOptions.Accuracies must list at least one LF.", nameof(options));
        }

        if (options.Propensities is null || options.Propensities.Count != options.Accuracies.Count)
        {
            throw new ArgumentException(
                "SyntheticVotesOptions.Propensities must have one entry per LF, like Accuracies.", nameof(options));
        }

        for (int j = 0; j < options.Accuracies.Count; j++)
        {
            RequireProbability(options, options.Accuracies[j], $"SyntheticVotesOptions.Accuracies[{j}]");
            RequireProbability(options, options.Propensities[j], $"SyntheticVotesOptions.Propensities[{j}]");
        }

        int k = options.Cardinality;
        if (options.ClassPrior is null)
        {
            return Enumerable.Repeat(1.0 / k, k).ToArray();
        }

        if (options.ClassPrior.Count != k)
        {
            throw new ArgumentException(
                $"SyntheticVotesOptions.ClassPrior has {options.ClassPrior.Count} entries; Cardinality is {k}.", nameof(options));
        }

        double sum = 0;
        for (int c = 0; c < k; c++)
        {
            RequireProbability(options, options.ClassPrior[c], $"SyntheticVotesOptions.ClassPrior[{c}]");
            sum += options.ClassPrior[c];
        }

        if (Math.Abs(sum - 1) > 1e-6)
        {
            throw new ArgumentException($"SyntheticVotesOptions.ClassPrior sums to {sum}; it must sum to 1.", nameof(options));
        }

        return options.ClassPrior.ToArray();
    }

    private static void RequireProbability(SyntheticVotesOptions options, double value, string option)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ArgumentException($"{option} = {value}; it must be in [0, 1].", nameof(options));
        }
    }

    /// <summary>SplitMix64: tiny, fast, and its output is fixed by the algorithm (unlike System.Random's).</summary>
    private struct SplitMix64(ulong state)
    {
        private ulong _state = state;

        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        // 53 random bits → [0, 1).
        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
    }
}
