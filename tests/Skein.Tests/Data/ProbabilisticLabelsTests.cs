using Skein.Data;

namespace Skein.Tests.Data;

public sealed class ProbabilisticLabelsTests
{
    private static readonly ProbabilisticLabels Labels = ProbabilisticLabels.FromRowMajor([0.9, 0.1, 0.2, 0.8, 0.5, 0.5], 2);

    [Fact]
    public void SelectRows_keeps_the_given_order_and_repeats()
    {
        var picked = Labels.SelectRows([2, 0, 2]);

        Assert.Equal([0.5, 0.5, 0.9, 0.1, 0.5, 0.5], picked.Values.ToArray());
        Assert.Equal(2, picked.Cardinality);
    }

    [Fact]
    public void SelectRows_rejects_an_index_outside_the_rows()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Labels.SelectRows([3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Labels.SelectRows([-1]));
    }
}
