namespace Skein.LabelModels.Internal;

/// <summary>
/// The Mersenne Twister MT19937 as numpy's legacy <c>np.random.seed(int)</c> / <c>np.random.random()</c> use it:
/// <c>init_genrand</c> seeding and 53-bit doubles (<c>genrand_res53</c>). It exists so a Skein seed gives the
/// same initial scale u as Snorkel's LabelModel with the same seed; it is not a general-purpose generator.
/// </summary>
internal sealed class NumpyLegacyRandom
{
    private const int N = 624;
    private const int M = 397;
    private const uint MatrixA = 0x9908B0DFu;
    private const uint UpperMask = 0x80000000u;
    private const uint LowerMask = 0x7FFFFFFFu;

    private readonly uint[] _state = new uint[N];
    private int _position;

    /// <summary>Seeds like <c>np.random.seed(seed)</c> for a seed in [0, 2^32).</summary>
    public NumpyLegacyRandom(uint seed)
    {
        _state[0] = seed;
        for (int i = 1; i < N; i++)
        {
            uint previous = _state[i - 1];
            _state[i] = unchecked((1812433253u * (previous ^ (previous >> 30))) + (uint)i);
        }

        // numpy marks the state as exhausted, so the first draw regenerates all 624 words.
        _position = N;
    }

    /// <summary>The next double in [0, 1), as <c>np.random.random()</c>.</summary>
    public double NextDouble()
    {
        uint a = NextUInt32() >> 5, b = NextUInt32() >> 6;
        return ((a * 67108864.0) + b) / 9007199254740992.0;
    }

    /// <summary>The next tempered 32-bit output.</summary>
    public uint NextUInt32()
    {
        if (_position >= N)
        {
            Regenerate();
        }

        uint y = _state[_position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C5680u;
        y ^= (y << 15) & 0xEFC60000u;
        y ^= y >> 18;
        return y;
    }

    private void Regenerate()
    {
        for (int i = 0; i < N; i++)
        {
            uint y = (_state[i] & UpperMask) | (_state[(i + 1) % N] & LowerMask);
            uint next = _state[(i + M) % N] ^ (y >> 1);
            _state[i] = (y & 1) != 0 ? next ^ MatrixA : next;
        }

        _position = 0;
    }
}
