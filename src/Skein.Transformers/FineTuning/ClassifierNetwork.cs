namespace Skein.Transformers;

/// <summary>
/// The encoder plus a linear head on the (dropped-out) pooled vector: the shared machinery of the fine-tuning
/// trainers. Mutable while training; <see cref="FineTunedClassifier"/> wraps a finished one.
/// </summary>
internal sealed class ClassifierNetwork
{
    public ClassifierNetwork(ITrainableEncoder encoder, int classes, ulong seed)
    {
        Encoder = encoder;
        Classes = classes;
        Hidden = encoder.HiddenSize;
        var weight = new float[classes * Hidden];
        var rng = new SplitMix64(SplitMix64.Mix(seed, 0x48454144UL));
        for (int i = 0; i < weight.Length; i++)
        {
            // BERT's initializer_range.
            weight[i] = (float)(0.02 * rng.NextGaussian());
        }

        Weight = new Parameter("classifier.weight", weight, [classes, Hidden], applyWeightDecay: true);
        Bias = new Parameter("classifier.bias", new float[classes], [classes], applyWeightDecay: false);
        Parameters = [.. encoder.TrainableParameters, Weight, Bias];
    }

    public ITrainableEncoder Encoder { get; }

    public int Classes { get; }

    public int Hidden { get; }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    /// <summary>Encoder parameters, then the head's weight and bias.</summary>
    public Parameter[] Parameters { get; }

    /// <summary>Learning-rate multipliers aligned with <see cref="Parameters"/>: 1 for the encoder, headRate/encoderRate for the head.</summary>
    public double[] LearningRateScales(double encoderRate, double headRate)
    {
        var scales = new double[Parameters.Length];
        Array.Fill(scales, 1.0);
        scales[^1] = scales[^2] = headRate / encoderRate;
        return scales;
    }

    public void ZeroGradients()
    {
        foreach (var parameter in Parameters)
        {
            parameter.ZeroGradient();
        }
    }

    public float[][] Snapshot() => Parameters.Select(p => (float[])p.Value.Clone()).ToArray();

    public void Restore(float[][] snapshot)
    {
        for (int i = 0; i < Parameters.Length; i++)
        {
            snapshot[i].CopyTo(Parameters[i].Value, 0);
        }
    }

    /// <summary>A training forward pass: encoder with dropout, then dropout on the pooled vectors, then the head.</summary>
    public TrainPass ForwardTrain(TokenBatch batch, double dropout, ulong seed)
    {
        var pass = Encoder.Forward(batch, training: true, SplitMix64.Mix(seed, 1));
        int b = pass.BatchSize, h = Hidden;
        var features = new float[b * h];
        var mask = new float[b * h];
        var rng = new SplitMix64(SplitMix64.Mix(seed, 2));
        float keep = (float)(1 / (1 - dropout));
        for (int i = 0; i < features.Length; i++)
        {
            mask[i] = dropout > 0 && rng.NextDouble() < dropout ? 0f : keep;
            features[i] = pass.Pooled[i] * mask[i];
        }

        return new TrainPass(pass, features, mask, Logits(features, b));
    }

    /// <summary>
    /// Back-propagates the loss gradient with respect to the logits (and optionally to the dropped-out pooled
    /// features) into every parameter's gradient.
    /// </summary>
    public void Backward(TrainPass pass, float[] logitGradient, float[]? featureGradient = null)
    {
        int b = pass.Encoder.BatchSize, h = Hidden, k = Classes;
        var dFeatures = featureGradient is null ? new float[b * h] : (float[])featureGradient.Clone();
        float[] w = Weight.Value, dw = Weight.Gradient, db = Bias.Gradient;
        for (int r = 0; r < b; r++)
        {
            var x = pass.Features.AsSpan(r * h, h);
            var dx = dFeatures.AsSpan(r * h, h);
            for (int c = 0; c < k; c++)
            {
                float g = logitGradient[(r * k) + c];
                if (g == 0)
                {
                    continue;
                }

                db[c] += g;
                var wRow = w.AsSpan(c * h, h);
                var dwRow = dw.AsSpan(c * h, h);
                for (int j = 0; j < h; j++)
                {
                    dwRow[j] += g * x[j];
                    dx[j] += g * wRow[j];
                }
            }
        }

        for (int i = 0; i < dFeatures.Length; i++)
        {
            dFeatures[i] *= pass.Mask[i];
        }

        Encoder.Backward(pass.Encoder, dFeatures);
    }

    /// <summary>Head logits [b, k] of features [b, h].</summary>
    public float[] Logits(float[] features, int rows) => HeadLogits(Weight.Value, Bias.Value, Classes, Hidden, features, rows);

    public static float[] HeadLogits(float[] weight, float[] bias, int k, int h, float[] features, int rows)
    {
        var logits = new float[rows * k];
        for (int r = 0; r < rows; r++)
        {
            var x = features.AsSpan(r * h, h);
            for (int c = 0; c < k; c++)
            {
                double sum = bias[c];
                var wRow = weight.AsSpan(c * h, h);
                for (int j = 0; j < h; j++)
                {
                    sum += (double)wRow[j] * x[j];
                }

                logits[(r * k) + c] = (float)sum;
            }
        }

        return logits;
    }

    /// <summary>Softmax probabilities [n, k] of <paramref name="texts"/> in inference mode, batched by length.</summary>
    public double[] PredictProba(IReadOnlyList<string> texts, int maxLength, int batchSize, IReadOnlyList<int>? rowIds = null) =>
        Predict(Encoder, Weight.Value, Bias.Value, Classes, texts, maxLength, batchSize, rowIds);

    public static double[] Predict(ITrainableEncoder encoder, float[] weight, float[] bias, int k, IReadOnlyList<string> texts, int maxLength, int batchSize, IReadOnlyList<int>? rowIds)
    {
        int h = encoder.HiddenSize;
        var probabilities = new double[texts.Count * k];
        var lengths = Batching.Lengths(encoder, texts, maxLength);
        foreach (var rows in Batching.SortedBatches(lengths, batchSize))
        {
            var batch = Batching.Tokenize(encoder, texts, rows, maxLength, rowIds);
            var pass = encoder.Forward(batch, training: false, 0);
            var logits = HeadLogits(weight, bias, k, h, pass.Pooled, rows.Length);
            for (int r = 0; r < rows.Length; r++)
            {
                Softmax(logits.AsSpan(r * k, k), probabilities.AsSpan(rows[r] * k, k));
            }
        }

        return probabilities;
    }

    /// <summary>Max-shifted softmax in double precision.</summary>
    public static void Softmax(ReadOnlySpan<float> logits, Span<double> probabilities)
    {
        float max = logits[0];
        for (int c = 1; c < logits.Length; c++)
        {
            max = Math.Max(max, logits[c]);
        }

        double sum = 0;
        for (int c = 0; c < logits.Length; c++)
        {
            probabilities[c] = Math.Exp((double)logits[c] - max);
            sum += probabilities[c];
        }

        for (int c = 0; c < logits.Length; c++)
        {
            probabilities[c] /= sum;
        }
    }

    /// <summary>A training pass: the encoder's pass, the dropped-out pooled features, the dropout mask (0 or 1/(1−p)) and the logits.</summary>
    public sealed record TrainPass(EncoderPass Encoder, float[] Features, float[] Mask, float[] Logits);
}
