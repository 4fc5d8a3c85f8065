namespace Skein.Transformers.Tests;

public sealed class ParameterTests
{
    [Fact]
    public void ShapeMustMatchValueLength()
    {
        var error = Assert.Throws<ArgumentException>(() => new Parameter("w", new float[6], [2, 4], true));
        Assert.Contains("'w'", error.Message, StringComparison.Ordinal);
        var ok = new Parameter("w", new float[8], [2, 4], true);
        ok.Gradient[3] = 1f;
        ok.ZeroGradient();
        Assert.All(ok.Gradient, g => Assert.Equal(0f, g));
    }
}
