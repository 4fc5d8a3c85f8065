namespace Skein.Transformers;

/// <summary>Minibatches of similar token counts, so little of each batch is padding.</summary>
internal static class Batching
{
    /// <summary>Token count (after truncation) of every text.</summary>
    public static int[] Lengths(ITrainableEncoder encoder, IReadOnlyList<string> texts, int maxLength)
    {
        var lengths = new int[texts.Count];
        for (int i = 0; i < lengths.Length; i++)
        {
            var batch = encoder.Tokenize([texts[i]], maxLength);
            int count = 0;
            foreach (int m in batch.AttentionMask)
            {
                count += m;
            }

            lengths[i] = count;
        }

        return lengths;
    }

    /// <summary>All rows sorted by length (ties by index), cut into consecutive batches: for inference.</summary>
    public static List<int[]> SortedBatches(int[] lengths, int batchSize)
    {
        var order = Enumerable.Range(0, lengths.Length).OrderBy(i => lengths[i]).ThenBy(i => i).ToArray();
        return Chunk(order, batchSize);
    }

    /// <summary>
    /// One epoch's batches over <paramref name="rows"/>: sorted by length with a seeded random tie-break (so equal-length
    /// rows mix differently each epoch), cut into batches, and the batch order shuffled with the same generator.
    /// </summary>
    public static List<int[]> EpochBatches(IReadOnlyList<int> rows, int[] lengths, int batchSize, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var keys = new ulong[rows.Count];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = rng.Next();
        }

        var order = Enumerable.Range(0, rows.Count).OrderBy(i => lengths[rows[i]]).ThenBy(i => keys[i]).Select(i => rows[i]).ToArray();
        var batches = Chunk(order, batchSize).ToArray();
        rng.Shuffle(batches);
        return [.. batches];
    }

    /// <summary>Tokenizes the given rows as one padded batch, tagging it with their row ids when given.</summary>
    public static TokenBatch Tokenize(ITrainableEncoder encoder, IReadOnlyList<string> texts, int[] rows, int maxLength, IReadOnlyList<int>? rowIds)
    {
        var selected = new string[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            selected[i] = texts[rows[i]];
        }

        var batch = encoder.Tokenize(selected, maxLength);
        if (rowIds is null)
        {
            return batch;
        }

        var ids = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            ids[i] = rowIds[rows[i]];
        }

        return batch with { RowIds = ids };
    }

    private static List<int[]> Chunk(int[] order, int batchSize)
    {
        var batches = new List<int[]>((order.Length + batchSize - 1) / batchSize);
        for (int start = 0; start < order.Length; start += batchSize)
        {
            batches.Add(order[start..Math.Min(order.Length, start + batchSize)]);
        }

        return batches;
    }
}
