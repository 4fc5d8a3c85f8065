namespace Skein.Transformers;

/// <summary>Options of <see cref="AdamW"/> (PyTorch's defaults except the weight decay, which BERT fine-tuning sets to 0.01 too).</summary>
public sealed record AdamWOptions
{
    /// <summary>Decay of the first-moment average, in [0, 1). Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Decay of the second-moment average, in [0, 1). Default 0.999.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Added to √v̂ in the denominator; finite, &gt; 0. Default 1e-8.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Decoupled weight decay λ (θ ← θ − lr·λ·θ), applied only to parameters with <see cref="Parameter.ApplyWeightDecay"/>; finite, ≥ 0. Default 0.01.</summary>
    public double WeightDecay { get; init; } = 0.01;

    internal void Validate(string owner)
    {
        var check = new OptionChecks(owner);
        check.InRange(Beta1, 0, 1, maxOpen: true);
        check.InRange(Beta2, 0, 1, maxOpen: true);
        check.Positive(Epsilon);
        check.NonNegative(WeightDecay);
    }
}

/// <summary>
/// AdamW in PyTorch's form (Loshchilov &amp; Hutter): per step t, θ ← θ − lr·λ·θ (decoupled decay, only where the
/// parameter asks for it), m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − lr·m̂/(√v̂ + ε) with the bias-corrected
/// m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ). Moments are stored in float32 as in PyTorch (the arithmetic runs in float64). The
/// update is element-wise, so it runs on several threads over fixed chunks and gives the same bits on any number of
/// them. The learning rate is passed per step so a schedule can drive it.
/// </summary>
public sealed class AdamW
{
    private const int ChunkSize = 1 << 15;
    private readonly Parameter[] _parameters;
    private readonly float[][] _m;
    private readonly float[][] _v;
    private readonly (int Parameter, int Start, int Length)[] _chunks;
    private readonly ParallelOptions _parallel;

    /// <summary>An optimiser over <paramref name="parameters"/> with zeroed moments.</summary>
    /// <param name="parameters">The parameters it updates.</param>
    /// <param name="options">Betas, ε and weight decay; null = defaults.</param>
    /// <param name="maxDegreeOfParallelism">Threads per step; -1 (default) = all cores. Results are bit-identical for every value.</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public AdamW(IReadOnlyList<Parameter> parameters, AdamWOptions? options = null, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Options = options ?? new AdamWOptions();
        Options.Validate(nameof(AdamWOptions));
        if (maxDegreeOfParallelism is not (-1 or > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "Use -1 or a positive thread count.");
        }

        _parameters = [.. parameters];
        _m = [.. _parameters.Select(p => new float[p.Value.Length])];
        _v = [.. _parameters.Select(p => new float[p.Value.Length])];
        var chunks = new List<(int, int, int)>();
        for (int index = 0; index < _parameters.Length; index++)
        {
            for (int start = 0; start < _parameters[index].Value.Length; start += ChunkSize)
            {
                chunks.Add((index, start, Math.Min(ChunkSize, _parameters[index].Value.Length - start)));
            }
        }

        _chunks = [.. chunks];
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
    }

    /// <summary>The validated options.</summary>
    public AdamWOptions Options { get; }

    /// <summary>Steps taken so far (t of the bias correction).</summary>
    public int StepCount { get; private set; }

    /// <summary>Applies one update with the parameters' current gradients (which it leaves untouched).</summary>
    /// <param name="learningRate">This step's learning rate; finite, ≥ 0.</param>
    /// <param name="learningRateScales">Optional per-parameter multiplier of the learning rate (e.g. a faster head), aligned with the parameter list.</param>
    public void Step(double learningRate, IReadOnlyList<double>? learningRateScales = null)
    {
        if (!(double.IsFinite(learningRate) && learningRate >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a finite number ≥ 0.");
        }

        if (learningRateScales is not null && learningRateScales.Count != _parameters.Length)
        {
            throw new ArgumentException($"{learningRateScales.Count} learning-rate scales for {_parameters.Length} parameters.", nameof(learningRateScales));
        }

        StepCount++;
        double beta1 = Options.Beta1, beta2 = Options.Beta2, eps = Options.Epsilon, weightDecay = Options.WeightDecay;
        double correction1 = 1 - Math.Pow(beta1, StepCount), correction2 = 1 - Math.Pow(beta2, StepCount);
        Parallel.For(0, _chunks.Length, _parallel, c =>
        {
            var (index, start, length) = _chunks[c];
            var parameter = _parameters[index];
            double lr = learningRate * (learningRateScales?[index] ?? 1.0);
            double decay = parameter.ApplyWeightDecay ? 1 - (lr * weightDecay) : 1;
            var value = parameter.Value.AsSpan(start, length);
            var gradient = parameter.Gradient.AsSpan(start, length);
            var m = _m[index].AsSpan(start, length);
            var v = _v[index].AsSpan(start, length);
            for (int i = 0; i < value.Length; i++)
            {
                double g = gradient[i];
                double mi = (beta1 * m[i]) + ((1 - beta1) * g);
                double vi = (beta2 * v[i]) + ((1 - beta2) * g * g);
                m[i] = (float)mi;
                v[i] = (float)vi;
                double theta = value[i] * decay;
                value[i] = (float)(theta - (lr * (mi / correction1) / (Math.Sqrt(vi / correction2) + eps)));
            }
        });
    }
}
