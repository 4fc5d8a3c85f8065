using System.Buffers;
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
    /// <remarks>
    /// K and V of the head are first transposed to [headSize × len], so every inner loop runs along a row's length:
    /// a score row is headSize vector multiply-adds over len, a context entry one dot product over len.
    /// </remarks>
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
            var buffer = ArrayPool<float>.Shared.Rent((2 * headSize * len) + (2 * len));
            try
            {
                var kt = buffer.AsSpan(0, headSize * len);
                var vt = buffer.AsSpan(headSize * len, headSize * len);
                var dropped = buffer.AsSpan(2 * headSize * len, len);
                var scratch = buffer.AsSpan((2 * headSize * len) + len, len);
                TransposeHead(k, start, len, h * headSize, headSize, hidden, kt);
                TransposeHead(v, start, len, h * headSize, headSize, hidden, vt);
                for (int i = 0; i < len; i++)
                {
                    var qi = q.AsSpan(((start + i) * hidden) + (h * headSize), headSize);
                    var row = probabilities is null ? scratch : probabilities.AsSpan((int)(baseOffset + ((long)i * len)), len);
                    row.Clear();
                    for (int d = 0; d < headSize; d++)
                    {
                        TensorPrimitives.MultiplyAdd(kt.Slice(d * len, len), qi[d] * scale, row, row);
                    }

                    float max = TensorPrimitives.Max<float>(row);
                    TensorPrimitives.Subtract(row, max, row);
                    TensorPrimitives.Exp(row, row);
                    TensorPrimitives.Multiply(row, 1f / Reduce.Sum(row), row);
                    row.CopyTo(dropped);
                    Dropout.Apply(dropped, seed, site, (ulong)(baseOffset + ((long)i * len)), dropout);
                    var ci = context.AsSpan(((start + i) * hidden) + (h * headSize), headSize);
                    for (int d = 0; d < headSize; d++)
                    {
                        ci[d] = Reduce.Dot(dropped, vt.Slice(d * len, len));
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
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
            int block = headSize * len;
            var buffer = ArrayPool<float>.Shared.Rent((4 * block) + (2 * len));
            try
            {
                var kt = buffer.AsSpan(0, block);
                var vt = buffer.AsSpan(block, block);
                var dkt = buffer.AsSpan(2 * block, block);
                var dvt = buffer.AsSpan(3 * block, block);
                var ds = buffer.AsSpan(4 * block, len);
                var dropped = buffer.AsSpan((4 * block) + len, len);
                TransposeHead(k, start, len, h * headSize, headSize, hidden, kt);
                TransposeHead(v, start, len, h * headSize, headSize, hidden, vt);
                dkt.Clear();
                dvt.Clear();
                for (int i = 0; i < len; i++)
                {
                    var p = probabilities.AsSpan((int)(baseOffset + ((long)i * len)), len);
                    var dci = dContext.AsSpan(((start + i) * hidden) + (h * headSize), headSize);
                    ulong first = (ulong)(baseOffset + ((long)i * len));
                    // P̃ = P ⊙ mask/(1 − p); dV += P̃ᵀ dctx; dP̃ = dctx Vᵀ, then dP = dP̃ ⊙ mask/(1 − p).
                    for (int j = 0; j < len; j++)
                    {
                        dropped[j] = dropout <= 0f ? 1f : Dropout.Keep(seed, site, first + (ulong)j, dropout) ? keepScale : 0f;
                    }

                    ds.Clear();
                    for (int d = 0; d < headSize; d++)
                    {
                        TensorPrimitives.MultiplyAdd(vt.Slice(d * len, len), dci[d], ds, ds);
                    }

                    TensorPrimitives.Multiply(ds, dropped, ds);
                    TensorPrimitives.Multiply(dropped, p, dropped);
                    for (int d = 0; d < headSize; d++)
                    {
                        var dvd = dvt.Slice(d * len, len);
                        TensorPrimitives.MultiplyAdd(dropped, dci[d], dvd, dvd);
                    }

                    // Softmax: dS = P ⊙ (dP − Σ_j dP ⊙ P), then the 1/√d of the scores.
                    float inner = Reduce.Dot(ds, p);
                    TensorPrimitives.Subtract(ds, inner, ds);
                    TensorPrimitives.Multiply(ds, p, ds);
                    TensorPrimitives.Multiply(ds, scale, ds);
                    var qi = q.AsSpan(((start + i) * hidden) + (h * headSize), headSize);
                    var dqi = dq.AsSpan(((start + i) * hidden) + (h * headSize), headSize);
                    for (int d = 0; d < headSize; d++)
                    {
                        dqi[d] = Reduce.Dot(ds, kt.Slice(d * len, len));
                        var dkd = dkt.Slice(d * len, len);
                        TensorPrimitives.MultiplyAdd(ds, qi[d], dkd, dkd);
                    }
                }

                for (int j = 0; j < len; j++)
                {
                    int o = ((start + j) * hidden) + (h * headSize);
                    for (int d = 0; d < headSize; d++)
                    {
                        dk[o + d] = dkt[(d * len) + j];
                        dv[o + d] = dvt[(d * len) + j];
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }

        Run(seg.Rows * heads, threads, seg.Tokens, Item);
    }

    /// <summary>dst[d, j] = x[(start + j) · hidden + offset + d]: one head of one row, transposed.</summary>
    private static void TransposeHead(float[] x, int start, int len, int offset, int headSize, int hidden, Span<float> dst)
    {
        for (int j = 0; j < len; j++)
        {
            int src = ((start + j) * hidden) + offset;
            for (int d = 0; d < headSize; d++)
            {
                dst[(d * len) + j] = x[src + d];
            }
        }
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
