namespace Skein.Transformers.Tests;

public sealed class OptimizationTests
{
    [Fact]
    public void AdamWStepsMatchTheHandComputedFormula()
    {
        var decayed = new Parameter("w", [1.0f, -2.0f], [2], applyWeightDecay: true);
        var bias = new Parameter("b", [0.5f], [1], applyWeightDecay: false);
        var optimizer = new AdamW([decayed, bias], new AdamWOptions { WeightDecay = 0.1 });
        decayed.Gradient[0] = 0.3f;
        decayed.Gradient[1] = -0.4f;
        bias.Gradient[0] = 2f;

        const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        optimizer.Step(lr);

        // Step 1: m̂ = g, v̂ = g², so the Adam step is lr·g/(|g| + ε); decay multiplies θ by 1 − lr·λ first.
        Assert.Equal((1.0 * (1 - (lr * 0.1))) - (lr * 0.3 / (0.3 + eps)), decayed.Value[0], 6);
        Assert.Equal((-2.0 * (1 - (lr * 0.1))) - (lr * -0.4 / (0.4 + eps)), decayed.Value[1], 6);
        Assert.Equal(0.5 - (lr * 2 / (2 + eps)), bias.Value[0], 6);

        // Step 2 with a new gradient: the full recursion by hand.
        double theta = bias.Value[0];
        bias.Gradient[0] = -1f;
        optimizer.Step(lr);
        double m = (b1 * ((1 - b1) * 2)) + ((1 - b1) * -1);
        double v = (b2 * ((1 - b2) * 4)) + ((1 - b2) * 1);
        double expected = theta - (lr * (m / (1 - (b1 * b1))) / (Math.Sqrt(v / (1 - (b2 * b2))) + eps));
        Assert.Equal(expected, bias.Value[0], 6);
        Assert.Equal(2, optimizer.StepCount);
    }

    [Fact]
    public void AdamWRejectsBadOptionsByName()
    {
        var error = Assert.Throws<ArgumentException>(() => new AdamW([], new AdamWOptions { Beta2 = 1 }));
        Assert.Contains("Beta2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(1, 0.25)]
    [InlineData(3, 0.75)]
    [InlineData(4, 1.0)]
    [InlineData(7, 0.5)]
    [InlineData(10, 0.0)]
    [InlineData(12, 0.0)]
    public void LinearScheduleWarmsUpThenDecays(int step, double expected) =>
        Assert.Equal(expected, LinearSchedule.Factor(step, warmupSteps: 4, totalSteps: 10), 12);

    [Fact]
    public void LinearScheduleWithoutWarmupStartsAtOne()
    {
        Assert.Equal(1.0, LinearSchedule.Factor(0, 0, 8));
        Assert.Equal(0.5, LinearSchedule.Factor(4, 0, 8));
        Assert.Equal(3, LinearSchedule.WarmupSteps(0.1, 39));
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearSchedule.Factor(0, 5, 4));
    }

    [Fact]
    public void ClippingCapsTheGlobalNorm()
    {
        var a = new Parameter("a", new float[2], [2], true);
        var b = new Parameter("b", new float[1], [1], false);
        a.Gradient[0] = 3f;
        a.Gradient[1] = 0f;
        b.Gradient[0] = 4f;
        double before = GradientClipping.ClipGlobalNorm([a, b], 1.0);
        Assert.Equal(5.0, before, 6);
        Assert.Equal(1.0, GradientClipping.GlobalNorm([a, b]), 5);
        Assert.Equal(0.6f, a.Gradient[0], 5);
        Assert.Equal(0.8f, b.Gradient[0], 5);

        // Below the cap nothing changes.
        double small = GradientClipping.ClipGlobalNorm([a, b], 10.0);
        Assert.Equal(1.0, small, 5);
        Assert.Equal(0.6f, a.Gradient[0], 5);
    }

    [Fact]
    public void AdamWGivesTheSameBitsOnOneOrManyThreads()
    {
        Parameter[] Make() => [
            new Parameter("big", [.. Enumerable.Range(0, 100_000).Select(i => MathF.Sin(i))], [100_000], true),
            new Parameter("small", [0.5f, -0.25f], [2], false)];

        float[] Run(int threads)
        {
            var parameters = Make();
            var optimizer = new AdamW(parameters, maxDegreeOfParallelism: threads);
            for (int step = 0; step < 3; step++)
            {
                foreach (var p in parameters)
                {
                    for (int i = 0; i < p.Gradient.Length; i++)
                    {
                        p.Gradient[i] = MathF.Cos((i * 0.37f) + step);
                    }
                }

                GradientClipping.ClipGlobalNorm(parameters, 1.0);
                optimizer.Step(1e-3);
            }

            return [.. parameters.SelectMany(p => p.Value)];
        }

        Assert.Equal(Run(1), Run(-1));
    }
}
