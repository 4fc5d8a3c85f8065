using System.Globalization;
using System.Text;
using Skein.Data;

namespace Skein.IO;

/// <summary>
/// Probabilistic labels as CSV: one row per item, one probability per class, with an optional header
/// (<c>p0,p1,…</c>). Values are written in round-trip ("R") invariant format, so a read gives back the same bits.
/// </summary>
public static class ProbabilitiesCsv
{
    /// <summary>Reads probabilities; a first row that is not all numbers is taken as a header.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="encoding">The file's encoding; null (the default) = detect from a byte-order mark, else UTF-8.</param>
    /// <exception cref="DataFormatException">Missing or empty file, a non-numeric, NaN or negative cell, a row that
    /// does not sum to 1, or rows of different lengths. The message names the file, the data row and the column.</exception>
    public static ProbabilisticLabels Read(string path, Encoding? encoding = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var parser = SeparatedValuesParser.Open(path, ',', encoding);
        return ReadRows(path, parser);
    }

    /// <summary>Writes the header <c>p0,…,p{k-1}</c> and one row per item (atomically).</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="labels">The probabilities to write.</param>
    public static void Write(string path, ProbabilisticLabels labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        AtomicFile.WriteText(path, writer =>
        {
            int k = labels.Cardinality;
            writer.WriteLine(string.Join(",", Enumerable.Range(0, k).Select(c => $"p{c}")));
            var line = new StringBuilder();
            for (int i = 0; i < labels.RowCount; i++)
            {
                line.Clear();
                var row = labels.Row(i);
                for (int c = 0; c < k; c++)
                {
                    if (c > 0)
                    {
                        line.Append(',');
                    }

                    line.Append(row[c].ToString("R", CultureInfo.InvariantCulture));
                }

                writer.WriteLine(line);
            }
        });
    }

    private static ProbabilisticLabels ReadRows(string path, SeparatedValuesParser parser)
    {
        var values = new List<double>();
        string[]? header = null;
        int k = -1;
        long dataRow = 0;
        var cells = new double[16];
        var row = new List<string>();
        while (parser.ReadRow(row, dataRow + 1))
        {
            if (parser.IsBlank)
            {
                continue;
            }

            int count = row.Count;
            if (cells.Length < count)
            {
                cells = new double[count];
            }

            int bad = -1;
            for (int c = 0; c < count; c++)
            {
                if (!double.TryParse(row[c].AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out cells[c]))
                {
                    bad = c;
                    break;
                }
            }

            if (k < 0 && bad >= 0)
            {
                // A first row that does not parse is a header; later rows are data.
                header = [.. TabularReader.HeaderColumns(path, row)];
                parser.ColumnNames = header;
                k = count;
                continue;
            }

            dataRow++;
            if (k < 0)
            {
                k = count;
            }

            if (count != k)
            {
                throw new DataFormatException($"the row has {count} probabilities; expected {k}.", path, dataRow);
            }

            if (bad >= 0)
            {
                throw new DataFormatException(
                    $"'{TextInput.Excerpt(row[bad])}' is not a number.", path, dataRow, ColumnName(header, bad));
            }

            double sum = 0;
            for (int c = 0; c < count; c++)
            {
                double p = cells[c];
                if (!double.IsFinite(p) || p < 0)
                {
                    throw new DataFormatException(
                        $"probability {p.ToString(CultureInfo.InvariantCulture)} is not a finite non-negative number.",
                        path, dataRow, ColumnName(header, c));
                }

                sum += p;
                values.Add(p);
            }

            if (Math.Abs(sum - 1) > ProbabilisticLabels.SumTolerance)
            {
                throw new DataFormatException(
                    $"the probabilities sum to {sum.ToString("R", CultureInfo.InvariantCulture)}, not 1.", path, dataRow);
            }
        }

        if (dataRow == 0)
        {
            throw new DataFormatException("the file has no rows of probabilities.", path);
        }

        if (k < 2)
        {
            throw new DataFormatException($"each row has {k} probability; at least 2 classes are needed.", path);
        }

        return ProbabilisticLabels.FromRowMajor([.. values], k);
    }

    private static string ColumnName(string[]? header, int column) =>
        header?[column] ?? (column + 1).ToString(CultureInfo.InvariantCulture);
}
