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
/// multiply-add per k (8 × 32 with Vector512 where it is accelerated). Every element of C is therefore acc = fma(a[i,k], b[k,j], acc) for k = 0, 1, …, K−1 from
/// acc = 0, whatever tile, vector width or thread computes it: rows are split between threads, never the k sum,
/// so the bits do not depend on the thread count or on how many rows a batch has.
/// </para>
/// </remarks>
internal static unsafe class MatrixProduct
{
    public const int PanelWidth = 32;

    /// <summary>
    /// c[m×n] (=|+=) a·b where a is [m×k] row-major (or, with <paramref name="aTransposed"/>, stored as [k×m]) and b is
    /// [k×n] row-major (or, with <paramref name="bTransposed"/>, stored as [n×k]).
    /// </summary>
    public static void Multiply(float[] a, bool aTransposed, float[] b, bool bTransposed, float[] c, int m, int k, int n,
        int threads, bool accumulate = false, bool allowVector512 = true)
    {
        bool wide = allowVector512 && Vector512.IsHardwareAccelerated;
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
            int rowsPerChunk = Math.Clamp(RoundUp((m + (4 * threads) - 1) / (4 * threads), 8), 8, 64);
            int chunks = (m + rowsPerChunk - 1) / rowsPerChunk;
            long work = (long)m * n * k;
            if (threads <= 1 || chunks == 1 || work < 1 << 18)
            {
                for (int chunk = 0; chunk < chunks; chunk++)
                {
                    Chunk(rowsA, packedB, c, m, k, n, chunk * rowsPerChunk, rowsPerChunk, accumulate, wide);
                }
            }
            else
            {
                Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads },
                    chunk => Chunk(rowsA, packedB, c, m, k, n, chunk * rowsPerChunk, rowsPerChunk, accumulate, wide));
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
            if (transposed)
            {
                // b is [n × k]: read each source row contiguously, write it down the panel's column.
                for (int j = 0; j < width; j++)
                {
                    int src = (j0 + j) * k;
                    for (int kk = 0; kk < k; kk++)
                    {
                        packed[baseOffset + (kk * PanelWidth) + j] = b[src + kk];
                    }
                }
            }

            for (int kk = 0; kk < k; kk++)
            {
                int dst = baseOffset + (kk * PanelWidth);
                if (!transposed)
                {
                    Array.Copy(b, (kk * n) + j0, packed, dst, width);
                }

                for (int j = width; j < PanelWidth; j++)
                {
                    packed[dst + j] = 0f;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Chunk(float[] a, float[] packedB, float[] c, int m, int k, int n, int rowStart, int rowCount, bool accumulate,
        bool wide)
    {
        int rowEnd = Math.Min(m, rowStart + rowCount);
        int panels = (n + PanelWidth - 1) / PanelWidth;
        int tileRows = wide ? 8 : 4;
        float* tile = stackalloc float[8 * PanelWidth];
        fixed (float* pa = a, pb = packedB, pc = c)
        {
            for (int p = 0; p < panels; p++)
            {
                float* panel = pb + ((long)p * k * PanelWidth);
                int j0 = p * PanelWidth;
                int width = Math.Min(PanelWidth, n - j0);
                for (int i = rowStart; i < rowEnd; i += tileRows)
                {
                    int rows = Math.Min(tileRows, rowEnd - i);
                    float* rowsA = pa + ((long)i * k);
                    if (wide && rows == 8)
                    {
                        Kernel8x32(rowsA, k, panel, tile);
                    }
                    else if (wide)
                    {
                        for (int r = 0; r < rows; r++)
                        {
                            Kernel1x32(rowsA + ((long)r * k), k, panel, tile + (r * PanelWidth));
                        }
                    }
                    else
                    {
                        for (int half = 0; half < PanelWidth; half += 16)
                        {
                            if (rows == 4)
                            {
                                Kernel4x16(rowsA, k, panel + half, tile + half);
                            }
                            else
                            {
                                for (int r = 0; r < rows; r++)
                                {
                                    Kernel1x16(rowsA + ((long)r * k), k, panel + half, tile + (r * PanelWidth) + half);
                                }
                            }
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

    // The kernels differ only in how many elements they carry at once: each element is the same chain of fused
    // multiply-adds over k from zero, so all four give the same bits.

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Kernel8x32(float* a, int k, float* panel, float* tile)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default,
            c60 = default, c61 = default, c70 = default, c71 = default;
        float* a0 = a, a1 = a + k, a2 = a + (2 * k), a3 = a + (3 * k), a4 = a + (4 * k), a5 = a + (5 * k),
            a6 = a + (6 * k), a7 = a + (7 * k);
        for (int kk = 0; kk < k; kk++)
        {
            var b0 = Vector512.Load(panel);
            var b1 = Vector512.Load(panel + 16);
            panel += PanelWidth;
            var x = Vector512.Create(a0[kk]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a1[kk]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a2[kk]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a3[kk]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a4[kk]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a5[kk]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a6[kk]);
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a7[kk]);
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
        }

        c00.Store(tile); c01.Store(tile + 16);
        c10.Store(tile + 32); c11.Store(tile + 48);
        c20.Store(tile + 64); c21.Store(tile + 80);
        c30.Store(tile + 96); c31.Store(tile + 112);
        c40.Store(tile + 128); c41.Store(tile + 144);
        c50.Store(tile + 160); c51.Store(tile + 176);
        c60.Store(tile + 192); c61.Store(tile + 208);
        c70.Store(tile + 224); c71.Store(tile + 240);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Kernel1x32(float* a, int k, float* panel, float* tile)
    {
        Vector512<float> c0 = default, c1 = default;
        for (int kk = 0; kk < k; kk++)
        {
            var x = Vector512.Create(a[kk]);
            c0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(panel), c0);
            c1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(panel + 16), c1);
            panel += PanelWidth;
        }

        c0.Store(tile);
        c1.Store(tile + 16);
    }

    /// <summary>A 4×16 tile of a 32-wide panel (panel rows are <see cref="PanelWidth"/> apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Kernel4x16(float* a, int k, float* panel, float* tile)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default,
            c20 = default, c21 = default, c30 = default, c31 = default;
        float* a0 = a, a1 = a + k, a2 = a + (2 * k), a3 = a + (3 * k);
        for (int kk = 0; kk < k; kk++)
        {
            var b0 = Vector256.Load(panel);
            var b1 = Vector256.Load(panel + 8);
            panel += PanelWidth;
            var x = Vector256.Create(a0[kk]);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a1[kk]);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a2[kk]);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a3[kk]);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
        }

        c00.Store(tile); c01.Store(tile + 8);
        c10.Store(tile + PanelWidth); c11.Store(tile + PanelWidth + 8);
        c20.Store(tile + (2 * PanelWidth)); c21.Store(tile + (2 * PanelWidth) + 8);
        c30.Store(tile + (3 * PanelWidth)); c31.Store(tile + (3 * PanelWidth) + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Kernel1x16(float* a, int k, float* panel, float* tile)
    {
        Vector256<float> c0 = default, c1 = default;
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
