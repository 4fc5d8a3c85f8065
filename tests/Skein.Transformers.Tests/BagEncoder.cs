namespace Skein.Transformers.Tests;

/// <summary>
/// A small stand-in for the BERT encoder: hashed word ids → embedding (with dropout) → tanh(W·e + b) per token →
/// mean over the tokens. Its backward pass is exact, so trainer gradients can be checked by finite differences.
/// </summary>
internal sealed class BagEncoder : ITrainableEncoder
{
    private const int ClsId = 1;
    private readonly int _vocabulary;
    private readonly int _embedding;
    private int _forwardCalls;

    public BagEncoder(int hidden = 12, int embedding = 10, int vocabulary = 211, ulong seed = 7, double dropout = 0.0)
    {
        HiddenSize = hidden;
        _embedding = embedding;
        _vocabulary = vocabulary;
        Dropout = dropout;
        var rng = new Random((int)seed);
        float Draw(double scale) => (float)(scale * ((rng.NextDouble() * 2) - 1));
        Embeddings = new Parameter("embeddings", Enumerable.Range(0, vocabulary * embedding).Select(_ => Draw(0.5)).ToArray(), [vocabulary, embedding], true);
        Dense = new Parameter("dense.weight", Enumerable.Range(0, hidden * embedding).Select(_ => Draw(0.5)).ToArray(), [hidden, embedding], true);
        DenseBias = new Parameter("dense.bias", new float[hidden], [hidden], false);
        TrainableParameters = [Embeddings, Dense, DenseBias];
    }

    public int HiddenSize { get; }

    public double Dropout { get; }

    /// <summary>When set, forward calls after this many return NaN pooled vectors (to test divergence handling).</summary>
    public int? NanAfterForwardCalls { get; set; }

    /// <summary>Row ids seen by the forward passes (to check the trainers pass them).</summary>
    public List<int[]?> SeenRowIds { get; } = [];

    public Parameter Embeddings { get; }

    public Parameter Dense { get; }

    public Parameter DenseBias { get; }

    public IReadOnlyList<Parameter> TrainableParameters { get; }

    public TokenBatch Tokenize(IReadOnlyList<string> texts, int maxLength)
    {
        var rows = texts.Select(t => new[] { ClsId }.Concat(t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Id)).Take(maxLength).ToArray()).ToArray();
        int length = rows.Max(r => r.Length);
        var ids = new int[rows.Length * length];
        var mask = new int[rows.Length * length];
        for (int r = 0; r < rows.Length; r++)
        {
            for (int j = 0; j < rows[r].Length; j++)
            {
                ids[(r * length) + j] = rows[r][j];
                mask[(r * length) + j] = 1;
            }
        }

        return new TokenBatch(rows.Length, length, ids, mask);
    }

    public EncoderPass Forward(TokenBatch batch, bool training, ulong dropoutSeed)
    {
        _forwardCalls++;
        SeenRowIds.Add(batch.RowIds);
        int b = batch.BatchSize, s = batch.SequenceLength, e = _embedding, h = HiddenSize;
        var rng = new Random((int)(dropoutSeed % int.MaxValue));
        var embedded = new float[b * s * e];
        var dropMask = new float[b * s * e];
        var activations = new float[b * s * h];
        var pooled = new float[b * h];
        var counts = new int[b];
        for (int r = 0; r < b; r++)
        {
            for (int j = 0; j < s; j++)
            {
                int at = (r * s) + j;
                if (batch.AttentionMask[at] == 0)
                {
                    continue;
                }

                counts[r]++;
                int id = batch.InputIds[at];
                for (int q = 0; q < e; q++)
                {
                    float keep = training && Dropout > 0 ? (rng.NextDouble() < Dropout ? 0f : (float)(1 / (1 - Dropout))) : 1f;
                    dropMask[(at * e) + q] = keep;
                    embedded[(at * e) + q] = Embeddings.Value[(id * e) + q] * keep;
                }

                for (int o = 0; o < h; o++)
                {
                    double u = DenseBias.Value[o];
                    for (int q = 0; q < e; q++)
                    {
                        u += Dense.Value[(o * e) + q] * embedded[(at * e) + q];
                    }

                    float t = (float)Math.Tanh(u);
                    activations[(at * h) + o] = t;
                    pooled[(r * h) + o] += t;
                }
            }

            for (int o = 0; o < h; o++)
            {
                pooled[(r * h) + o] /= counts[r];
            }
        }

        if (_forwardCalls > NanAfterForwardCalls)
        {
            Array.Fill(pooled, float.NaN);
        }

        return new Pass(batch, embedded, dropMask, activations, counts, b, h, pooled);
    }

    public void Backward(EncoderPass pass, ReadOnlySpan<float> pooledGradient)
    {
        var p = (Pass)pass;
        int b = p.BatchSize, s = p.Batch.SequenceLength, e = _embedding, h = HiddenSize;
        var du = new float[h];
        for (int r = 0; r < b; r++)
        {
            for (int j = 0; j < s; j++)
            {
                int at = (r * s) + j;
                if (p.Batch.AttentionMask[at] == 0)
                {
                    continue;
                }

                for (int o = 0; o < h; o++)
                {
                    float t = p.Activations[(at * h) + o];
                    du[o] = pooledGradient[(r * h) + o] / p.Counts[r] * (1 - (t * t));
                    DenseBias.Gradient[o] += du[o];
                }

                int id = p.Batch.InputIds[at];
                for (int q = 0; q < e; q++)
                {
                    float dx = 0;
                    for (int o = 0; o < h; o++)
                    {
                        Dense.Gradient[(o * e) + q] += du[o] * p.Embedded[(at * e) + q];
                        dx += du[o] * Dense.Value[(o * e) + q];
                    }

                    Embeddings.Gradient[(id * e) + q] += dx * p.DropMask[(at * e) + q];
                }
            }
        }
    }

    private int Id(string word)
    {
        uint hash = 2166136261;
        foreach (char c in word.ToLowerInvariant())
        {
            hash = (hash ^ c) * 16777619;
        }

        return 2 + (int)(hash % (uint)(_vocabulary - 2));
    }

    private sealed class Pass(TokenBatch batch, float[] embedded, float[] dropMask, float[] activations, int[] counts, int b, int h, float[] pooled)
        : EncoderPass(b, h, pooled)
    {
        public TokenBatch Batch { get; } = batch;

        public float[] Embedded { get; } = embedded;

        public float[] DropMask { get; } = dropMask;

        public float[] Activations { get; } = activations;

        public int[] Counts { get; } = counts;
    }
}
