using System.Numerics.Tensors;
using Skein.Transformers.Kernels;

namespace Skein.Transformers;

public sealed partial class BertEncoder
{
    /// <inheritdoc />
    /// <exception cref="ArgumentException">The batch's arrays do not match its shape, or a token id or position is out of range.</exception>
    public EncoderPass Forward(TokenBatch batch, bool training, ulong dropoutSeed)
    {
        var seg = BuildSegments(batch);
        int frozen = Options.FrozenLayers;
        var pass = new BertPass(this, seg, training, dropoutSeed, new float[batch.BatchSize * Config.Hidden]);
        float[] x;
        if (frozen == 0)
        {
            x = EmbeddingsForward(seg, training, dropoutSeed, pass);
        }
        else
        {
            x = FrozenStack(batch, seg);
        }

        for (int l = frozen; l < Config.Layers; l++)
        {
            var act = training ? new LayerActivations() : null;
            x = LayerForward(l, x, seg, training, dropoutSeed, act);
            if (act is not null)
            {
                pass.Layers.Add(act);
            }
        }

        Pool(x, seg, pass.Pooled, Config.Hidden);
        return pass;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The pass is not a training pass of this encoder, or the gradient's length is wrong.</exception>
    public void Backward(EncoderPass pass, ReadOnlySpan<float> pooledGradient)
    {
        if (pass is not BertPass p || !ReferenceEquals(p.Owner, this) || !p.Training)
        {
            throw new ArgumentException("Backward needs a pass that this encoder's Forward returned with training = true.", nameof(pass));
        }

        int h = Config.Hidden;
        if (pooledGradient.Length != p.BatchSize * h)
        {
            throw new ArgumentException($"pooledGradient holds {pooledGradient.Length} values, not {p.BatchSize}×{h}.", nameof(pooledGradient));
        }

        var seg = p.Segments;
        // Mean pooling: every real token of row r receives dPooled[r]/len.
        var dx = new float[seg.Tokens * h];
        for (int r = 0; r < seg.Rows; r++)
        {
            var g = pooledGradient.Slice(r * h, h);
            float inv = 1f / Math.Max(1, seg.Length[r]);
            for (int t = seg.Start[r]; t < seg.Start[r] + seg.Length[r]; t++)
            {
                TensorPrimitives.Multiply(g, inv, dx.AsSpan(t * h, h));
            }
        }

        int frozen = Options.FrozenLayers;
        for (int l = Config.Layers - 1; l >= frozen; l--)
        {
            dx = LayerBackward(l, p.Layers[l - frozen], dx, seg, p.Seed);
        }

        if (frozen == 0)
        {
            EmbeddingsBackward(p, dx, seg);
        }
    }

    private Segments BuildSegments(TokenBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int rows = batch.BatchSize, length = batch.SequenceLength;
        if (rows < 0 || length < 0 || batch.InputIds is null || batch.AttentionMask is null
            || batch.InputIds.Length != (long)rows * length || batch.AttentionMask.Length != batch.InputIds.Length)
        {
            throw new ArgumentException($"TokenBatch arrays do not hold {rows}×{length} values.", nameof(batch));
        }

        if (batch.RowIds is not null && batch.RowIds.Length != rows)
        {
            throw new ArgumentException($"TokenBatch.RowIds holds {batch.RowIds.Length} ids for {rows} rows.", nameof(batch));
        }

        var start = new int[rows];
        var lengths = new int[rows];
        var ids = new List<int>(rows * length);
        var positions = new List<int>(rows * length);
        for (int r = 0; r < rows; r++)
        {
            start[r] = ids.Count;
            for (int t = 0; t < length; t++)
            {
                int m = batch.AttentionMask[(r * length) + t];
                if (m == 0)
                {
                    continue;
                }

                int id = batch.InputIds[(r * length) + t];
                if (m != 1 || id < 0 || id >= Config.VocabularySize || t >= Config.MaxPositions)
                {
                    throw new ArgumentException(
                        $"TokenBatch row {r}, position {t}: mask {m}, id {id} (ids must be in [0, {Config.VocabularySize}), "
                        + $"masks 0 or 1, positions below {Config.MaxPositions}).", nameof(batch));
                }

                ids.Add(id);
                positions.Add(t);
            }

            lengths[r] = ids.Count - start[r];
        }

        return new Segments(start, lengths, [.. ids], [.. positions], Config.Heads);
    }

    private static Segments Subset(Segments seg, List<int> rows, int heads)
    {
        var start = new int[rows.Count];
        var lengths = new int[rows.Count];
        var ids = new List<int>();
        var positions = new List<int>();
        for (int i = 0; i < rows.Count; i++)
        {
            int r = rows[i];
            start[i] = ids.Count;
            lengths[i] = seg.Length[r];
            ids.AddRange(seg.Ids.AsSpan(seg.Start[r], seg.Length[r]));
            positions.AddRange(seg.Positions.AsSpan(seg.Start[r], seg.Length[r]));
        }

        return new Segments(start, lengths, [.. ids], [.. positions], heads);
    }

    private static void Pool(float[] x, Segments seg, float[] pooled, int h)
    {
        for (int r = 0; r < seg.Rows; r++)
        {
            var dst = pooled.AsSpan(r * h, h);
            dst.Clear();
            for (int t = seg.Start[r]; t < seg.Start[r] + seg.Length[r]; t++)
            {
                TensorPrimitives.Add(dst, x.AsSpan(t * h, h), dst);
            }

            if (seg.Length[r] > 0)
            {
                TensorPrimitives.Divide(dst, seg.Length[r], dst);
            }
        }
    }

    /// <summary>The frozen stack's output for the batch, from the cache where the batch names its rows.</summary>
    private float[] FrozenStack(TokenBatch batch, Segments seg)
    {
        int h = Config.Hidden;
        if (!Options.CacheFrozenOutputs || batch.RowIds is null)
        {
            return RunFrozen(seg);
        }

        var result = new float[seg.Tokens * h];
        var missing = new List<int>();
        for (int r = 0; r < seg.Rows; r++)
        {
            if (_cache.TryGetValue(batch.RowIds[r], out var row))
            {
                if (!row.Ids.AsSpan().SequenceEqual(seg.Ids.AsSpan(seg.Start[r], seg.Length[r]))
                    || !row.Positions.AsSpan().SequenceEqual(seg.Positions.AsSpan(seg.Start[r], seg.Length[r])))
                {
                    throw new ArgumentException(
                        $"TokenBatch row {r}: row id {batch.RowIds[r]} was cached with other tokens; row ids must identify rows.", nameof(batch));
                }

                row.Hidden.CopyTo(result, seg.Start[r] * h);
            }
            else
            {
                missing.Add(r);
            }
        }

        if (missing.Count > 0)
        {
            // A row's result does not depend on the rows beside it (attention is per row, products per token), so
            // computing only the missing rows gives the same bits as the whole batch.
            var sub = Subset(seg, missing, Config.Heads);
            var output = RunFrozen(sub);
            for (int i = 0; i < missing.Count; i++)
            {
                int r = missing[i];
                var hidden = output.AsSpan(sub.Start[i] * h, sub.Length[i] * h).ToArray();
                hidden.CopyTo(result, seg.Start[r] * h);
                _cache[batch.RowIds[r]] = new CachedRow(
                    seg.Ids.AsSpan(seg.Start[r], seg.Length[r]).ToArray(),
                    seg.Positions.AsSpan(seg.Start[r], seg.Length[r]).ToArray(), hidden);
                _cachedFloats += hidden.Length;
            }
        }

        return result;
    }

    private float[] RunFrozen(Segments seg)
    {
        var x = EmbeddingsForward(seg, false, 0, null);
        for (int l = 0; l < Options.FrozenLayers; l++)
        {
            x = LayerForward(l, x, seg, false, 0, null);
        }

        return x;
    }

    private static ulong Site(int layer, int kind) => (ulong)(1 + (3 * layer) + kind);

    private float[] EmbeddingsForward(Segments seg, bool training, ulong seed, BertPass? pass)
    {
        int h = Config.Hidden, n = seg.Tokens;
        var e = _embeddings;
        var sum = new float[n * h];
        var type = e.Type.Value.AsSpan(0, h);
        for (int t = 0; t < n; t++)
        {
            var dst = sum.AsSpan(t * h, h);
            // (word + type) + position, the order of the ONNX graph's adds.
            TensorPrimitives.Add(e.Word.Value.AsSpan(seg.Ids[t] * h, h), type, dst);
            TensorPrimitives.Add(dst, e.Position.Value.AsSpan(seg.Positions[t] * h, h), dst);
        }

        var y = new float[n * h];
        float[]? hat = null, rstd = null;
        if (training && pass is not null)
        {
            hat = pass.EmbeddingHat = new float[n * h];
            rstd = pass.EmbeddingInverseStd = new float[n];
        }

        LayerNorm.Forward(sum, y, n, h, e.NormWeight.Value, e.NormBias.Value, Config.LayerNormEpsilon, hat, rstd);
        if (training)
        {
            Dropout.Apply(y, seed, 0, 0, Options.HiddenDropout);
        }

        return y;
    }

    private void EmbeddingsBackward(BertPass pass, float[] dy, Segments seg)
    {
        int h = Config.Hidden, n = seg.Tokens;
        var e = _embeddings;
        DropoutBackward(dy, pass.Seed, 0, Options.HiddenDropout);
        var dSum = new float[n * h];
        LayerNorm.Backward(dy, pass.EmbeddingHat!, pass.EmbeddingInverseStd!, e.NormWeight.Value, n, h, dSum,
            e.NormWeight.Gradient, e.NormBias.Gradient);
        var dType = e.Type.Gradient.AsSpan(0, h);
        for (int t = 0; t < n; t++)
        {
            var g = dSum.AsSpan(t * h, h);
            var dw = e.Word.Gradient.AsSpan(seg.Ids[t] * h, h);
            TensorPrimitives.Add(dw, g, dw);
            var dp = e.Position.Gradient.AsSpan(seg.Positions[t] * h, h);
            TensorPrimitives.Add(dp, g, dp);
            TensorPrimitives.Add(dType, g, dType);
        }
    }

    private static void DropoutBackward(float[] dy, ulong seed, ulong site, float p) => Dropout.Apply(dy, seed, site, 0, p);

    private float[] Dense(float[] x, int n, Parameter weight, Parameter bias)
    {
        int input = weight.Shape[0], output = weight.Shape[1];
        var y = new float[n * output];
        MatrixProduct.Multiply(x, false, weight.Value, false, y, n, input, output, Options.Threads);
        for (int t = 0; t < n; t++)
        {
            var row = y.AsSpan(t * output, output);
            TensorPrimitives.Add(row, bias.Value, row);
        }

        return y;
    }

    /// <summary>dW += xᵀdy, db += Σ dy, dx (=|+=) dy Wᵀ.</summary>
    private void DenseBackward(float[] x, int n, Parameter weight, Parameter bias, float[] dy, float[] dx, bool accumulate)
    {
        int input = weight.Shape[0], output = weight.Shape[1];
        MatrixProduct.Multiply(x, true, dy, false, weight.Gradient, input, n, output, Options.Threads, accumulate: true);
        Reduce.AddColumnSums(dy, n, output, bias.Gradient);
        MatrixProduct.Multiply(dy, false, weight.Value, true, dx, n, output, input, Options.Threads, accumulate);
    }

    private float[] LayerForward(int l, float[] x, Segments seg, bool training, ulong seed, LayerActivations? act)
    {
        var w = _layers[l];
        int n = seg.Tokens, h = Config.Hidden, f = Config.Intermediate;
        float hiddenDrop = training ? Options.HiddenDropout : 0f;
        var q = Dense(x, n, w.QueryWeight, w.QueryBias);
        var k = Dense(x, n, w.KeyWeight, w.KeyBias);
        var v = Dense(x, n, w.ValueWeight, w.ValueBias);
        var probabilities = act is null ? null : new float[seg.ProbabilityOffset[^1]];
        var context = new float[n * h];
        Attention.Forward(q, k, v, context, probabilities, seg, Config.Heads, Config.HeadSize,
            training ? Options.AttentionDropout : 0f, seed, Site(l, 0), Options.Threads);

        var a = Dense(context, n, w.AttentionOutputWeight, w.AttentionOutputBias);
        Dropout.Apply(a, seed, Site(l, 1), 0, hiddenDrop);
        TensorPrimitives.Add(a, x, a);
        var h1 = new float[n * h];
        float[]? hat1 = act is null ? null : new float[n * h], rstd1 = act is null ? null : new float[n];
        LayerNorm.Forward(a, h1, n, h, w.AttentionNormWeight.Value, w.AttentionNormBias.Value, Config.LayerNormEpsilon, hat1, rstd1);

        var pre = Dense(h1, n, w.IntermediateWeight, w.IntermediateBias);
        var gelu = act is null ? pre : new float[n * f];
        for (int t = 0; t < n; t++)
        {
            Gelu.Forward(pre.AsSpan(t * f, f), gelu.AsSpan(t * f, f));
        }

        var o = Dense(gelu, n, w.OutputWeight, w.OutputBias);
        Dropout.Apply(o, seed, Site(l, 2), 0, hiddenDrop);
        TensorPrimitives.Add(o, h1, o);
        var output = new float[n * h];
        float[]? hat2 = act is null ? null : new float[n * h], rstd2 = act is null ? null : new float[n];
        LayerNorm.Forward(o, output, n, h, w.OutputNormWeight.Value, w.OutputNormBias.Value, Config.LayerNormEpsilon, hat2, rstd2);

        if (act is not null)
        {
            act.Input = x;
            act.Query = q;
            act.Key = k;
            act.Value = v;
            act.Probabilities = probabilities!;
            act.Context = context;
            act.Hat1 = hat1!;
            act.InverseStd1 = rstd1!;
            act.Hidden1 = h1;
            act.PreActivation = pre;
            act.Activation = gelu;
            act.Hat2 = hat2!;
            act.InverseStd2 = rstd2!;
        }

        return output;
    }

    private float[] LayerBackward(int l, LayerActivations act, float[] dOut, Segments seg, ulong seed)
    {
        var w = _layers[l];
        int n = seg.Tokens, h = Config.Hidden, f = Config.Intermediate;
        float hiddenDrop = Options.HiddenDropout;

        // Output LayerNorm, then its residual: dH1 gets the gradient directly and through the FFN.
        var dO = new float[n * h];
        LayerNorm.Backward(dOut, act.Hat2, act.InverseStd2, w.OutputNormWeight.Value, n, h, dO,
            w.OutputNormWeight.Gradient, w.OutputNormBias.Gradient);
        var dH1 = (float[])dO.Clone();
        DropoutBackward(dO, seed, Site(l, 2), hiddenDrop);
        var dG = new float[n * f];
        DenseBackward(act.Activation, n, w.OutputWeight, w.OutputBias, dO, dG, accumulate: false);
        for (int t = 0; t < n; t++)
        {
            Gelu.Backward(act.PreActivation.AsSpan(t * f, f), dG.AsSpan(t * f, f), dG.AsSpan(t * f, f));
        }

        DenseBackward(act.Hidden1, n, w.IntermediateWeight, w.IntermediateBias, dG, dH1, accumulate: true);

        // Attention LayerNorm, then its residual: dX gets the gradient directly and through the attention.
        var dA = new float[n * h];
        LayerNorm.Backward(dH1, act.Hat1, act.InverseStd1, w.AttentionNormWeight.Value, n, h, dA,
            w.AttentionNormWeight.Gradient, w.AttentionNormBias.Gradient);
        var dX = (float[])dA.Clone();
        DropoutBackward(dA, seed, Site(l, 1), hiddenDrop);
        var dContext = new float[n * h];
        DenseBackward(act.Context, n, w.AttentionOutputWeight, w.AttentionOutputBias, dA, dContext, accumulate: false);

        var dq = new float[n * h];
        var dk = new float[n * h];
        var dv = new float[n * h];
        Attention.Backward(act.Query, act.Key, act.Value, act.Probabilities, dContext, dq, dk, dv, seg, Config.Heads,
            Config.HeadSize, Options.AttentionDropout, seed, Site(l, 0), Options.Threads);
        DenseBackward(act.Input, n, w.QueryWeight, w.QueryBias, dq, dX, accumulate: true);
        DenseBackward(act.Input, n, w.KeyWeight, w.KeyBias, dk, dX, accumulate: true);
        DenseBackward(act.Input, n, w.ValueWeight, w.ValueBias, dv, dX, accumulate: true);
        return dX;
    }

    /// <summary>What one block keeps for its backward pass.</summary>
    private sealed class LayerActivations
    {
        public float[] Input = [], Query = [], Key = [], Value = [], Probabilities = [], Context = [];
        public float[] Hat1 = [], InverseStd1 = [], Hidden1 = [], PreActivation = [], Activation = [];
        public float[] Hat2 = [], InverseStd2 = [];
    }

    /// <summary>A forward pass of <see cref="BertEncoder"/> and, for training passes, its saved activations.</summary>
    private sealed class BertPass(BertEncoder owner, Segments segments, bool training, ulong seed, float[] pooled)
        : EncoderPass(segments.Rows, owner.Config.Hidden, pooled)
    {
        public BertEncoder Owner { get; } = owner;

        public Segments Segments { get; } = segments;

        public bool Training { get; } = training;

        public ulong Seed { get; } = seed;

        public float[]? EmbeddingHat { get; set; }

        public float[]? EmbeddingInverseStd { get; set; }

        public List<LayerActivations> Layers { get; } = [];
    }
}
