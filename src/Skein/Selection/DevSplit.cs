namespace Skein.Selection;

/// <summary>Seeded train/dev splits of gold-labelled rows, for choosing models on dev.</summary>
public static class DevSplit
{
    /// <summary>The share of rows held out as dev by default (0.2).</summary>
    public const double DefaultFraction = 0.2;

    /// <summary>
    /// Shuffles row indices 0…count−1 with <see cref="Random"/>(<paramref name="seed"/>) and returns the first
    /// round(count·fraction) as dev and the rest as train, each in shuffled order.
    /// </summary>
    /// <exception cref="ArgumentException">count &lt; 2 or fraction outside (0, 1).</exception>
    public static (int[] Train, int[] Dev) Shuffle(int count, int seed, double fraction = DefaultFraction)
    {
        var check = new OptionChecks(nameof(DevSplit), nameof(fraction));
        check.AtLeast(count, 2);
        check.InRange(fraction, 0, 1, minOpen: true, maxOpen: true);
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        int dev = (int)Math.Round(count * fraction);
        return (order[dev..], order[..dev]);
    }
}
