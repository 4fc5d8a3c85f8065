using Skein.Analysis;
using Skein.Data;
using Skein.IO;
using Skein.Labeling;
using Skein.Labeling.Rules;

namespace Skein.Cli.Commands;

/// <summary>
/// Streams data files through the LFs of a rules file: votes go chunk by chunk to the output file (written
/// atomically), statistics are merged per chunk, so memory stays bounded unless the matrix is asked for.
/// </summary>
internal static class RuleApplication
{
    private const int ChunkRows = 16_384;

    internal sealed record Result(long RowCount, LabelMatrixSummary Summary, IReadOnlyList<long> FaultCounts,
        LabelMatrix? Matrix, IReadOnlyList<int>? Gold, IReadOnlyList<string>? ClassNames);

    public static Result Run(CliContext context, FileInfo[] files, string? textColumn, FileInfo rulesFile, int threads,
        FaultPolicy faultPolicy, string? outPath, string? goldColumn, bool keepMatrix = false)
    {
        if (threads == 0 || threads < -1)
        {
            throw new UsageException($"--threads must be -1 (all cores) or ≥ 1, not {threads}.");
        }

        var ruleSet = RuleSet.Load(rulesFile.FullName, context.Encoding);
        bool parquet = outPath is not null && outPath.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);
        keepMatrix |= parquet;
        using var votesWriter = outPath is not null && !parquet ? VotesCsv.CreateWriter(outPath) : null;
        var chunks = new List<LabelMatrix>();
        var stats = new List<SufficientStatistics>();
        var gold = goldColumn is null ? null : new List<int>();
        long[]? faults = null;
        IReadOnlyList<string>? lfNames = null;
        long rows = 0;

        foreach (var file in files)
        {
            using var reader = TabularReader.Open(file.FullName, context.Encoding);
            var lfs = ruleSet.Compile(reader.Columns, textColumn);
            lfNames ??= lfs.Select(lf => lf.Name).ToArray();
            faults ??= new long[lfs.Count];
            int goldIndex = -1;
            if (goldColumn is not null)
            {
                reader.RequireColumn(goldColumn);
                goldIndex = reader.Columns.IndexOf(goldColumn);
            }

            var applier = new LabelingFunctionApplier<DataRecord>(lfs, ruleSet.Cardinality, new ApplyOptions
            {
                MaxDegreeOfParallelism = threads,
                FaultPolicy = faultPolicy,
                ChunkSize = ChunkRows,
                Progress = new ProgressLines(context, $"applying {lfs.Count} LFs to {file.Name}"),
            });

            var records = reader.ReadRecords();
            if (gold is not null)
            {
                records = records.Select(r =>
                {
                    gold.Add(ParseGold(r[goldIndex], ruleSet, file.FullName, r.Row, goldColumn!));
                    return r;
                });
            }

            try
            {
                foreach (var chunk in applier.ApplyStreaming(records))
                {
                    if (chunk.Matrix.RowCount == 0)
                    {
                        continue;
                    }

                    votesWriter?.Append(chunk.Matrix);
                    stats.Add(SufficientStatistics.Compute(chunk.Matrix, includeJointCounts: false, threads));
                    if (keepMatrix)
                    {
                        chunks.Add(chunk.Matrix);
                    }

                    for (int j = 0; j < faults.Length; j++)
                    {
                        faults[j] += chunk.FaultCounts[j];
                    }

                    rows += chunk.Matrix.RowCount;
                }
            }
            catch (LabelingFunctionException e)
            {
                // The applier counts rows of this file from 0; the user counts data rows from 1.
                throw new DataFormatException($"LF '{e.LfName}' {e.Reason}", file.FullName, e.Row + 1, inner: e);
            }
        }

        if (rows == 0)
        {
            throw new DataFormatException("no data rows to label.", string.Join(", ", files.Select(f => f.FullName)));
        }

        var matrix = keepMatrix ? LabelMatrix.Concat(chunks) : null;
        if (parquet)
        {
            LabelMatrixParquet.Write(outPath!, matrix!);
        }

        votesWriter?.Commit();
        var summary = matrix is not null
            ? LabelMatrixSummary.Create(matrix, gold)
            : LabelMatrixSummary.FromStatistics(SufficientStatistics.Merge(stats), lfNames!);
        return new Result(rows, summary, faults!, matrix, gold, ruleSet.ClassNames);
    }

    private static int ParseGold(string? cell, RuleSet ruleSet, string file, long row, string column)
    {
        if (string.IsNullOrWhiteSpace(cell))
        {
            return -1;
        }

        cell = cell.Trim();
        if (int.TryParse(cell, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int label))
        {
            if (label < -1 || label >= ruleSet.Cardinality)
            {
                throw new DataFormatException($"gold label {label} is outside [-1, {ruleSet.Cardinality}).", file, row, column);
            }

            return label;
        }

        int byName = ruleSet.ClassNames is { } names ? IndexOfName(names, cell) : -1;
        return byName >= 0
            ? byName
            : throw new DataFormatException($"gold label '{cell}' is neither a class index nor a class name of the rules file.", file, row, column);
    }

    private static int IndexOfName(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
