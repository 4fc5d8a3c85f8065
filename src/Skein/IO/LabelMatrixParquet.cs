using System.Globalization;
using Parquet;
using Parquet.Schema;
using Skein.Data;

namespace Skein.IO;

/// <summary>
/// Label matrices as Parquet: one required INT8 column per LF, named by the LF, Snappy-compressed, with the
/// cardinality and a format version in the file's key-value metadata.
/// </summary>
/// <remarks>
/// Snappy on purpose: Parquet.Net's default-level Zstd or LZ4 take over a minute for 1M×20; Snappy takes well
/// under a second. Parquet.Net is async-only, so the synchronous API runs it on the thread pool and waits,
/// which cannot deadlock whatever synchronization context the caller has.
/// </remarks>
public static class LabelMatrixParquet
{
    /// <summary>Metadata key holding the cardinality k.</summary>
    public const string CardinalityKey = "skein.cardinality";

    /// <summary>Metadata key holding the layout version (<see cref="FormatVersion"/>).</summary>
    public const string FormatVersionKey = "skein.format_version";

    /// <summary>The layout version this code writes and reads.</summary>
    public const int FormatVersion = 1;

    // Row groups bound the memory of the column buffers during write and read.
    private const int RowGroupSize = 1 << 20;

    /// <summary>Writes a label matrix (atomically: a temp file moved into place).</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="matrix">The matrix to write.</param>
    public static void Write(string path, LabelMatrix matrix)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(matrix);
        AtomicFile.Write(path, stream => Task.Run(() => WriteAsync(stream, matrix)).GetAwaiter().GetResult());
    }

    /// <summary>Reads a label matrix written by <see cref="Write"/> (or any Parquet file of INT8 vote columns).</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The matrix; LF names are the column names. Without cardinality metadata, k = largest vote + 1 (at least 2).</returns>
    /// <exception cref="DataFormatException">Missing file, not a Parquet file, a column that is not INT8, or a vote
    /// outside [-1, k). The message names the file.</exception>
    public static LabelMatrix Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = TextInput.OpenRead(path);
        try
        {
            return Task.Run(() => ReadAsync(stream, path)).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not (DataFormatException or OutOfMemoryException or OperationCanceledException))
        {
            // Parquet.Net reports corrupt input with a variety of exception types; to the user it is all one thing.
            throw new DataFormatException($"not a readable Parquet label matrix: {e.Message}", path, inner: e);
        }
    }

    private static async Task WriteAsync(Stream stream, LabelMatrix matrix)
    {
        int m = matrix.LfCount;
        var fields = matrix.LfNames.Select(name => new DataField<sbyte>(name)).ToArray();
        var schema = new ParquetSchema(fields);
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.Snappy };
        await using var writer = await ParquetWriter.CreateAsync(schema, stream, options).ConfigureAwait(false);
        writer.CustomMetadata = new Dictionary<string, string>
        {
            [CardinalityKey] = matrix.Cardinality.ToString(CultureInfo.InvariantCulture),
            [FormatVersionKey] = FormatVersion.ToString(CultureInfo.InvariantCulture),
        };

        // A zero-row matrix still gets one (empty) row group so the schema round-trips.
        var column = new sbyte[Math.Min(matrix.RowCount, RowGroupSize)];
        int start = 0;
        do
        {
            int rows = Math.Min(RowGroupSize, matrix.RowCount - start);
            using var group = writer.CreateRowGroup();
            for (int j = 0; j < m; j++)
            {
                // Transpose one LF's votes for this row group out of the row-major matrix.
                var votes = matrix.Votes;
                for (int i = 0; i < rows; i++)
                {
                    column[i] = votes[((start + i) * m) + j];
                }

                await group.WriteAsync<sbyte>(fields[j], column.AsMemory(0, rows)).ConfigureAwait(false);
            }

            start += rows;
        }
        while (start < matrix.RowCount);
    }

    private static async Task<LabelMatrix> ReadAsync(Stream stream, string path)
    {
        var reader = await ParquetReader.CreateAsync(stream).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields();
        if (fields.Length == 0)
        {
            throw new DataFormatException("the file has no columns.", path);
        }

        foreach (var field in fields)
        {
            if (field.ClrType != typeof(sbyte) || field.IsArray)
            {
                throw new DataFormatException(
                    $"column '{field.Name}' holds {field.ClrType.Name}{(field.IsArray ? "[]" : "")}; label matrix columns must be INT8 votes.",
                    path, column: field.Name);
            }
        }

        int? cardinality = ReadCardinality(reader.CustomMetadata, path);
        int m = fields.Length;
        long total = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            total += reader.RowGroups[g].RowCount;
        }

        var votes = new sbyte[checked((int)(total * m))];
        var column = Array.Empty<sbyte>();
        var nullable = Array.Empty<sbyte?>();
        long start = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int rows = checked((int)group.RowCount);
            for (int j = 0; j < m; j++)
            {
                var field = fields[j];
                if (column.Length < rows)
                {
                    column = new sbyte[rows];
                }

                if (field.IsNullable)
                {
                    // Written by another tool: a null vote is read as an abstain.
                    if (nullable.Length < rows)
                    {
                        nullable = new sbyte?[rows];
                    }

                    await group.ReadAsync<sbyte>(field, nullable.AsMemory(0, rows)).ConfigureAwait(false);
                    for (int i = 0; i < rows; i++)
                    {
                        column[i] = nullable[i] ?? LabelMatrix.Abstain;
                    }
                }
                else
                {
                    await group.ReadAsync<sbyte>(field, column.AsMemory(0, rows)).ConfigureAwait(false);
                }

                for (int i = 0; i < rows; i++)
                {
                    votes[((start + i) * m) + j] = column[i];
                }
            }

            start += rows;
        }

        int max = -1;
        for (int i = 0; i < votes.Length; i++)
        {
            int v = votes[i];
            if (v < -1 || (cardinality is { } k && v >= k))
            {
                var range = cardinality is null ? "below -1" : $"outside [-1, {cardinality})";
                throw new DataFormatException(
                    $"vote {v} is {range}.", path, (i / m) + 1, fields[i % m].Name);
            }

            max = Math.Max(max, v);
        }

        var names = fields.Select(f => f.Name).ToArray();
        return LabelMatrix.FromRowMajor(votes, names, cardinality ?? Math.Max(2, max + 1));
    }

    private static int? ReadCardinality(Dictionary<string, string> metadata, string path)
    {
        if (metadata.TryGetValue(FormatVersionKey, out var version) && version != FormatVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw new DataFormatException(
                $"metadata '{FormatVersionKey}' is '{version}'; this version of Skein reads version {FormatVersion}.", path);
        }

        if (!metadata.TryGetValue(CardinalityKey, out var text))
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int k) || k < 2 || k > LabelMatrix.MaxCardinality)
        {
            throw new DataFormatException(
                $"metadata '{CardinalityKey}' is '{text}'; expected an integer in [2, {LabelMatrix.MaxCardinality}].", path);
        }

        return k;
    }
}
