using System.Buffers.Binary;
using System.Numerics;

namespace Skein.Features;

/// <summary>
/// MurmurHash3 x86 32-bit (Austin Appleby's public-domain algorithm), written from its description. Unlike
/// <see cref="string.GetHashCode()"/> it is the same in every process and on every platform, so hashed feature
/// indices can be saved; with seed 0 over UTF-8 it equals scikit-learn's <c>murmurhash3_32</c>.
/// </summary>
internal static class MurmurHash3
{
    private const uint C1 = 0xcc9e2d51;
    private const uint C2 = 0x1b873593;

    public static uint Hash(ReadOnlySpan<byte> data, uint seed)
    {
        uint h = seed;
        int blocks = data.Length / 4;
        for (int i = 0; i < blocks; i++)
        {
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i * 4, 4));
            k *= C1;
            k = BitOperations.RotateLeft(k, 15);
            k *= C2;
            h ^= k;
            h = BitOperations.RotateLeft(h, 13);
            h = (h * 5) + 0xe6546b64;
        }

        var tail = data[(blocks * 4)..];
        uint k1 = 0;
        switch (tail.Length)
        {
            case 3:
                k1 ^= (uint)tail[2] << 16;
                goto case 2;
            case 2:
                k1 ^= (uint)tail[1] << 8;
                goto case 1;
            case 1:
                k1 ^= tail[0];
                k1 *= C1;
                k1 = BitOperations.RotateLeft(k1, 15);
                k1 *= C2;
                h ^= k1;
                break;
            default:
                break;
        }

        h ^= (uint)data.Length;
        h ^= h >> 16;
        h *= 0x85ebca6b;
        h ^= h >> 13;
        h *= 0xc2b2ae35;
        h ^= h >> 16;
        return h;
    }
}
