using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace Skein.Transformers.Kernels;

/// <summary>
/// The tokens of a batch packed without padding: row r owns tokens [Start[r], Start[r] + Length[r]) of every
/// activation matrix. Attention runs within a row, so padding never enters a product, which is exactly what the
/// −10000 mask bias of the ONNX graph achieves (its softmax weights on padding underflow to 0).
/// </summary>
internal sealed class Segments
{
    public Segments(int[] start, int[] length, int[] ids, int[] positions, int heads)
    {
        Start = start;
        Length = length;
        Ids = ids;
        Positions = positions;
        Tokens = ids.Length;
        ProbabilityOffset = new long[start.Length + 1];
        for (int r = 0; r < start.Length; r++)
        {
            ProbabilityOffset[r + 1] = ProbabilityOffset[r] + ((long)heads * length[r] * length[r]);
        }
    }

    public int Rows => Start.Length;

    public int[] Start { get; }

    public int[] Length { get; }

    /// <summary>Word-piece id of each packed token.</summary>
    public int[] Ids { get; }

    /// <summary>Position (column in the padded batch) of each packed token.</summary>
    public int[] Positions { get; }

    public int Tokens { get; }

    /// <summary>Where row r's attention probabilities [heads, len, len] begin in the probability buffer.</summary>
    public long[] ProbabilityOffset { get; }
}

/// <summary>Multi-head scaled dot-product self-attention over packed rows, with attention-probability dropout.</summary>
internal static class Attention
{
    /// <summary>
    /// ctx = dropout(softmax(QKᵀ/√d)) V per row and head; <paramref name="probabilities"/>, when given, receives the
    /// softmax output before dropout (the backward pass recomputes the dropout mask from the seed). Without it (at
    /// inference) each score row lives only in a scratch row, so memory does not grow with heads × length².
    /// </summary>
    public static void Forward(float[] q, float[] k, float[] v, float[] context, float[]? probabilities, Segments seg,
        int heads, int headSize, float dropout, ulong seed, ulong site, int threads)
    {
        int hidden = heads * headSize;
        float scale = 1f / MathF.Sqrt(headSize);
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void Item(int item)
        {
            int r = item / heads, h = item % heads, len = seg.Length[r], start = seg.Start[r];
            long baseOffset = seg.ProbabilityOffset[r] + ((long)h * len * len);
            Span<float> dropped = len <= 1024 ? stackalloc float[len] : new float[len];
            Span<float> scratch = probabilities is null ? (len <= 1024 ? stackalloc float[len] : new float[len]) : default;
            for (int i = 0; i < len; i++)
            {
                var qi = q.AsSpan(((start + i) * hidden) + (h * headSize), headSize);
                var row = probabilities is null ? scratch : probabilities.AsSpan((int)(baseOffset + ((long)i * len)), len);
                for (int j = 0; j < len; j++)
                {
                    row[j] = Reduce.Dot(qi, k.AsSpan(((start + j) * hidden) + (h * headSize), headSize)) * scale;
                }

                float max = TensorPrimitives.Max<float>(row);
                TensorPrimitives.Subtract(row, max, row);
                TensorPrimitives.Exp(row, row);
                TensorPrimitives.Multiply(row, 1f / Reduce.Sum(row), row);
                row.CopyTo(dropped);
                Dropout.Apply(dropped, seed, site, (ulong)(baseOffset + ((long)i * len)), dropout);
                var ci = context.AsSpan(((start + i) * hidden) + (h * headSize), headSize);
                ci.Clear();
                for (int j = 0; j < len; j++)
                {
                    TensorPrimitives.MultiplyAdd(v.AsSpan(((start + j) * hidden) + (h * headSize), headSize), dropped[j], ci, ci);
                }
            }
        }

        Run(seg.Rows * heads, threads, seg.Tokens, Item);
    }

    /// <summary>dQ, dK, dV (overwritten) from dContext.</summary>
    public static void Backward(float[] q, float[] k, float[] v, float[] probabilities, float[] dContext,
        float[] dq, float[] dk, float[] dv, Segments seg, int heads, int headSize, float dropout, ulong seed, ulong site,
        int threads)
    {
        int hidden = heads * headSize;
        float scale = 1f / MathF.Sqrt(headSize);
        float keepScale = dropout > 0f ? 1f / (1f - dropout) : 1f;
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void Item(int item)
        {
            int r = item / heads, h = item % heads, len = seg.Length[r], start = seg.Start[r];
            long baseOffset = seg.ProbabilityOffset[r] + ((long)h * len * len);
            for (int t = 0; t < len; t++)
            {
                int o = ((start + t) * hidden) + (h * headSize);
                dq.AsSpan(o, headSize).Clear();
                dk.AsSpan(o, headSize).Clear();
                dv.AsSpan(o, headSize).Clear();
            }

            Span<float> ds = len <= 1024 ? stackalloc float[len] : new float[len];
            for (int i = 0; i < len; i++)
            {
                var p = probabilities.AsSpan((int)(baseOffset + ((long)i * len)), len);
                var dci = dContext.AsSpan(((start + i) * hidden) + (h * headSize), headSize);
                ulong first = (ulong)(baseOffset + ((long)i * len));
                for (int j = 0; j < len; j++)
                {
                    bool keep = dropout <= 0f || Dropout.Keep(seed, site, first + (ulong)j, dropout);
                    float mask = keep ? keepScale : 0f;
                    var vj = v.AsSpan(((start + j) * hidden) + (h * headSize), headSize);
                    // dV_j += P̃_ij dctx_i; dP_ij = (dctx_i · v_j) · mask_ij
                    if (keep)
                    {
                        var dvj = dv.AsSpan(((start + j) * hidden) + (h * headSize), headSize);
                        TensorPrimitives.MultiplyAdd(dci, p[j] * mask, dvj, dvj);
                    }

                    ds[j] = keep ? Reduce.Dot(dci, vj) * mask : 0f;
                }

                // Softmax: dS = P ⊙ (dP − Σ_j dP ⊙ P), then the 1/√d of the scores.
                float inner = Reduce.Dot(ds, p);
                TensorPrimitives.Subtract(ds, inner, ds);
                TensorPrimitives.Multiply(ds, p, ds);
                TensorPrimitives.Multiply(ds, scale, ds);
                var qi = q.AsSpan(((start + i) * hidden) + (h * headSize), headSize);
                var dqi = dq.AsSpan(((start + i) * hidden) + (h * headSize), headSize);
                for (int j = 0; j < len; j++)
                {
                    int o = ((start + j) * hidden) + (h * headSize);
                    TensorPrimitives.MultiplyAdd(k.AsSpan(o, headSize), ds[j], dqi, dqi);
                    var dkj = dk.AsSpan(o, headSize);
                    TensorPrimitives.MultiplyAdd(qi, ds[j], dkj, dkj);
                }
            }
        }

        Run(seg.Rows * heads, threads, seg.Tokens, Item);
    }

    private static void Run(int items, int threads, int tokens, Action<int> item)
    {
        if (threads <= 1 || items < 2 || tokens < 16)
        {
            for (int i = 0; i < items; i++)
            {
                item(i);
            }
        }
        else
        {
            Parallel.For(0, items, new ParallelOptions { MaxDegreeOfParallelism = threads }, item);
        }
    }
}
