using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Skein.Transformers.Kernels;

/// <summary>
/// C = A·B in float32, cache-blocked and multi-threaded, bit-identical for any thread count.
/// </summary>
/// <remarks>
/// <para>
/// B is packed into column panels of <see cref="PanelWidth"/> (k-major, zero-padded), so the micro-kernel streams
/// it sequentially; the micro-kernel keeps a 4-row × 16-column tile of C in registers and adds one fused
/// multiply-add per k. Every element of C is therefore acc = fma(a[i,k], b[k,j], acc) for k = 0, 1, …, K−1 from
/// acc = 0, whatever tile, vector width or thread computes it: rows are split between threads, never the k sum,
/// so the bits do not depend on the thread count or on how many rows a batch has.
/// </para>
/// </remarks>
internal static unsafe class MatrixProduct
{
    public const int PanelWidth = 16;
    private const int TileRows = 4;

    /// <summary>
    /// c[m×n] (=|+=) a·b where a is [m×k] row-major (or, with <paramref name="aTransposed"/>, stored as [k×m]) and b is
    /// [k×n] row-major (or, with <paramref name="bTransposed"/>, stored as [n×k]).
    /// </summary>
    public static void Multiply(float[] a, bool aTransposed, float[] b, bool bTransposed, float[] c, int m, int k, int n,
        int threads, bool accumulate = false)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        int panels = (n + PanelWidth - 1) / PanelWidth;
        float[] packedB = ArrayPool<float>.Shared.Rent(Math.Max(1, panels * k * PanelWidth));
        float[]? packedA = aTransposed ? ArrayPool<float>.Shared.Rent(m * k) : null;
        try
        {
            PackB(b, bTransposed, k, n, packedB);
            float[] rowsA = a;
            if (packedA is not null)
            {
                Transpose(a, k, m, packedA);
                rowsA = packedA;
            }

            // Chunks of rows; a chunk's A rows (≤ 64 × K floats) stay in L2 while every panel of B passes by.
            int rowsPerChunk = Math.Clamp(RoundUp((m + (4 * threads) - 1) / (4 * threads), TileRows), TileRows, 64);
            int chunks = (m + rowsPerChunk - 1) / rowsPerChunk;
            long work = (long)m * n * k;
            if (threads <= 1 || chunks == 1 || work < 1 << 18)
            {
                for (int chunk = 0; chunk < chunks; chunk++)
                {
                    Chunk(rowsA, packedB, c, m, k, n, chunk * rowsPerChunk, rowsPerChunk, accumulate);
                }
            }
            else
            {
                Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads },
                    chunk => Chunk(rowsA, packedB, c, m, k, n, chunk * rowsPerChunk, rowsPerChunk, accumulate));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packedB);
            if (packedA is not null)
            {
                ArrayPool<float>.Shared.Return(packedA);
            }
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>dst[cols×rows] = src[rows×cols]ᵀ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(float[] src, int rows, int cols, float[] dst)
    {
        const int Block = 32;
        for (int r0 = 0; r0 < rows; r0 += Block)
        {
            int r1 = Math.Min(rows, r0 + Block);
            for (int c0 = 0; c0 < cols; c0 += Block)
            {
                int c1 = Math.Min(cols, c0 + Block);
                for (int r = r0; r < r1; r++)
                {
                    for (int col = c0; col < c1; col++)
                    {
                        dst[(col * rows) + r] = src[(r * cols) + col];
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(float[] b, bool transposed, int k, int n, float[] packed)
    {
        int panels = (n + PanelWidth - 1) / PanelWidth;
        for (int p = 0; p < panels; p++)
        {
            int j0 = p * PanelWidth;
            int width = Math.Min(PanelWidth, n - j0);
            int baseOffset = p * k * PanelWidth;
            for (int kk = 0; kk < k; kk++)
            {
                int dst = baseOffset + (kk * PanelWidth);
                if (!transposed)
                {
                    Array.Copy(b, (kk * n) + j0, packed, dst, width);
                }
                else
                {
                    for (int j = 0; j < width; j++)
                    {
                        packed[dst + j] = b[((j0 + j) * k) + kk];
                    }
                }

                for (int j = width; j < PanelWidth; j++)
                {
                    packed[dst + j] = 0f;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Chunk(float[] a, float[] packedB, float[] c, int m, int k, int n, int rowStart, int rowCount, bool accumulate)
    {
        int rowEnd = Math.Min(m, rowStart + rowCount);
        int panels = (n + PanelWidth - 1) / PanelWidth;
        float* tile = stackalloc float[TileRows * PanelWidth];
        fixed (float* pa = a, pb = packedB, pc = c)
        {
            for (int p = 0; p < panels; p++)
            {
                float* panel = pb + ((long)p * k * PanelWidth);
                int j0 = p * PanelWidth;
                int width = Math.Min(PanelWidth, n - j0);
                for (int i = rowStart; i < rowEnd; i += TileRows)
                {
                    int rows = Math.Min(TileRows, rowEnd - i);
                    if (rows == TileRows)
                    {
                        Kernel4(pa + ((long)i * k), k, panel, tile);
                    }
                    else
                    {
                        for (int r = 0; r < rows; r++)
                        {
                            Kernel1(pa + ((long)(i + r) * k), panel, k, tile + (r * PanelWidth));
                        }
                    }

                    for (int r = 0; r < rows; r++)
                    {
                        float* dst = pc + ((long)(i + r) * n) + j0;
                        float* src = tile + (r * PanelWidth);
                        if (accumulate)
                        {
                            for (int j = 0; j < width; j++)
                            {
                                dst[j] += src[j];
                            }
                        }
                        else
                        {
                            for (int j = 0; j < width; j++)
                            {
                                dst[j] = src[j];
                            }
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Kernel4(float* a, int k, float* panel, float* tile)
    {
        var c00 = Vector256<float>.Zero; var c01 = Vector256<float>.Zero;
        var c10 = Vector256<float>.Zero; var c11 = Vector256<float>.Zero;
        var c20 = Vector256<float>.Zero; var c21 = Vector256<float>.Zero;
        var c30 = Vector256<float>.Zero; var c31 = Vector256<float>.Zero;
        float* a0 = a, a1 = a + k, a2 = a + (2 * k), a3 = a + (3 * k);
        for (int kk = 0; kk < k; kk++)
        {
            var b0 = Vector256.Load(panel);
            var b1 = Vector256.Load(panel + 8);
            panel += PanelWidth;
            var x = Vector256.Create(a0[kk]);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a1[kk]);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a2[kk]);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a3[kk]);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
        }

        c00.Store(tile); c01.Store(tile + 8);
        c10.Store(tile + 16); c11.Store(tile + 24);
        c20.Store(tile + 32); c21.Store(tile + 40);
        c30.Store(tile + 48); c31.Store(tile + 56);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Kernel1(float* a, float* panel, int k, float* tile)
    {
        var c0 = Vector256<float>.Zero;
        var c1 = Vector256<float>.Zero;
        for (int kk = 0; kk < k; kk++)
        {
            var x = Vector256.Create(a[kk]);
            c0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(panel), c0);
            c1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(panel + 8), c1);
            panel += PanelWidth;
        }

        c0.Store(tile);
        c1.Store(tile + 8);
    }
}
