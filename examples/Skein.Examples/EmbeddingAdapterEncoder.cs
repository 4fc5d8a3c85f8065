using Skein.Transformers;

namespace Skein.Examples;

/// <summary>
/// A cheap real <see cref="ITrainableEncoder"/>: frozen sentence embeddings (looked up by text) followed by a trainable
/// tanh(W·e + b) layer with dropout on e. It lets the fine-tuning and COSINE trainers run on real WRENCH texts in
/// seconds, long before the managed transformer is available; it is not the transformer.
/// </summary>
internal sealed class EmbeddingAdapterEncoder : ITrainableEncoder
{
    private readonly Dictionary<string, int> _index;
    private readonly float[][] _embeddings;
    private readonly int _input;
    private readonly double _dropout;

    public EmbeddingAdapterEncoder(IReadOnlyList<string> texts, float[][] embeddings, int hidden, double dropout, int seed)
    {
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < texts.Count; i++)
        {
            _index.TryAdd(texts[i], i);
        }

        _embeddings = embeddings;
        _input = embeddings[0].Length;
        _dropout = dropout;
        HiddenSize = hidden;
        var rng = new Random(seed);
        double scale = Math.Sqrt(6.0 / (_input + hidden));
        Weight = new Parameter("adapter.weight", [.. Enumerable.Range(0, hidden * _input).Select(_ => (float)(scale * ((2 * rng.NextDouble()) - 1)))], [hidden, _input], true);
        Bias = new Parameter("adapter.bias", new float[hidden], [hidden], false);
        TrainableParameters = [Weight, Bias];
    }

    public int HiddenSize { get; }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    public IReadOnlyList<Parameter> TrainableParameters { get; }

    public TokenBatch Tokenize(IReadOnlyList<string> texts, int maxLength)
    {
        var ids = new int[texts.Count];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = _index.TryGetValue(texts[i], out int row)
                ? row
                : throw new ArgumentException($"Text {i} has no precomputed embedding.", nameof(texts));
        }

        return new TokenBatch(texts.Count, 1, ids, [.. Enumerable.Repeat(1, texts.Count)]);
    }

    public EncoderPass Forward(TokenBatch batch, bool training, ulong dropoutSeed)
    {
        int b = batch.BatchSize, d = _input, h = HiddenSize;
        var rng = new Random((int)(dropoutSeed % int.MaxValue));
        var inputs = new float[b * d];
        var pooled = new float[b * h];
        float keep = (float)(1 / (1 - _dropout));
        for (int r = 0; r < b; r++)
        {
            var e = _embeddings[batch.InputIds[r]];
            for (int t = 0; t < d; t++)
            {
                inputs[(r * d) + t] = training && _dropout > 0 ? (rng.NextDouble() < _dropout ? 0 : e[t] * keep) : e[t];
            }

            var x = inputs.AsSpan(r * d, d);
            for (int o = 0; o < h; o++)
            {
                float u = Bias.Value[o] + System.Numerics.Tensors.TensorPrimitives.Dot(x, Weight.Value.AsSpan(o * d, d));
                pooled[(r * h) + o] = MathF.Tanh(u);
            }
        }

        return new Pass(b, h, pooled, inputs);
    }

    public void Backward(EncoderPass pass, ReadOnlySpan<float> pooledGradient)
    {
        var p = (Pass)pass;
        int d = _input, h = HiddenSize;
        for (int r = 0; r < p.BatchSize; r++)
        {
            var x = p.Inputs.AsSpan(r * d, d);
            for (int o = 0; o < h; o++)
            {
                float y = p.Pooled[(r * h) + o];
                float du = pooledGradient[(r * h) + o] * (1 - (y * y));
                if (du == 0)
                {
                    continue;
                }

                Bias.Gradient[o] += du;
                var g = Weight.Gradient.AsSpan(o * d, d);
                for (int t = 0; t < d; t++)
                {
                    g[t] += du * x[t];
                }
            }
        }
    }

    private sealed class Pass(int b, int h, float[] pooled, float[] inputs) : EncoderPass(b, h, pooled)
    {
        public float[] Inputs { get; } = inputs;
    }
}
