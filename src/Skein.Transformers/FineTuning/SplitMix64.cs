namespace Skein.Transformers;

/// <summary>SplitMix64: a counter-based generator whose output is fixed by the algorithm (System.Random's is not promised).</summary>
internal struct SplitMix64(ulong state)
{
    private ulong _state = state;

    /// <summary>Mixes several values into one seed.</summary>
    public static ulong Mix(ulong a, ulong b, ulong c = 0)
    {
        var rng = new SplitMix64(a ^ (b * 0x9E3779B97F4A7C15UL) ^ (c * 0xC2B2AE3D27D4EB4FUL));
        rng.Next();
        return rng.Next();
    }

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="bound"/>) (bound &gt; 0; the modulo bias is below 2⁻³² for the sizes used here).</summary>
    public int NextInt(int bound) => (int)((Next() >> 1) % (ulong)bound);

    /// <summary>A standard normal draw (Box–Muller, one of the pair).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(T[] items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
