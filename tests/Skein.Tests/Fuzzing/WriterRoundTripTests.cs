using System.Text;
using CsCheck;
using Skein.Data;
using Skein.EndModels;
using Skein.Features;
using Skein.IO;
using Skein.LabelModels;

namespace Skein.Tests.Fuzzing;

/// <summary>Round-trip properties for every writer: what is written reads back the same (bit for bit for numbers).</summary>
public sealed class WriterRoundTripTests : IDisposable
{
    private readonly Skein.Tests.IO.ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly Gen<LabelMatrix> Matrices =
        Gen.Select(Gen.Int[1, 40], Gen.Int[1, 8], Gen.Int[2, LabelMatrix.MaxCardinality]).SelectMany((n, m, k) =>
            Gen.Int[-1, k - 1].Array[n * m].Select(v => LabelMatrix.FromRowMajor([.. v.Select(x => (sbyte)x)], LabelMatrix.DefaultNames(m), k)));

    private string Path(string name) => _dir.File(Guid.NewGuid().ToString("N") + name);

    [Fact]
    public void VotesCsv_WriteThenRead_IsIdentical()
    {
        Matrices.Sample(matrix =>
        {
            var path = Path(".csv");
            VotesCsv.Write(path, matrix);
            Assert.Equal(matrix.Votes.ToArray(), VotesCsv.Read(path, matrix.Cardinality).Votes.ToArray());
            var source = new VotesCsvSource(path, matrix.Cardinality, chunkRows: 7);
            Assert.Equal(matrix.Votes.ToArray(), LabelMatrix.Concat([.. source.ReadChunks()]).Votes.ToArray());
        }, iter: 100);
    }

    [Fact]
    public void VotesCsvWriter_ChunkedWrite_IsIdentical()
    {
        Gen.Select(Matrices, Gen.Int[1, 10]).Sample((matrix, chunk) =>
        {
            var path = Path(".csv");
            using (var writer = VotesCsv.CreateWriter(path))
            {
                for (int start = 0; start < matrix.RowCount; start += chunk)
                {
                    int rows = Math.Min(chunk, matrix.RowCount - start);
                    var votes = matrix.Votes.Slice(start * matrix.LfCount, rows * matrix.LfCount).ToArray();
                    writer.Append(LabelMatrix.FromRowMajor(votes, matrix.LfNames, matrix.Cardinality));
                }

                writer.Commit();
            }

            Assert.Equal(matrix.Votes.ToArray(), VotesCsv.Read(path, matrix.Cardinality).Votes.ToArray());
        }, iter: 50);
    }

    [Fact]
    public void Parquet_WriteThenRead_IsIdentical()
    {
        Matrices.Sample(matrix =>
        {
            var path = Path(".parquet");
            LabelMatrixParquet.Write(path, matrix);
            var back = LabelMatrixParquet.Read(path);
            Assert.Equal(matrix.Votes.ToArray(), back.Votes.ToArray());
            Assert.Equal(matrix.Cardinality, back.Cardinality);
            Assert.Equal(matrix.LfNames, back.LfNames);
        }, iter: 30);
    }

    [Fact]
    public void ProbabilitiesCsv_WriteThenRead_IsBitIdentical()
    {
        Gen.Select(Gen.Int[1, 30], Gen.Int[2, 6]).SelectMany((n, k) => Gen.Double[1e-300, 1].Array[n * k].Select(v => (v, k)))
            .Sample(t =>
            {
                var (values, k) = t;
                for (int i = 0; i < values.Length; i += k)
                {
                    double sum = values.AsSpan(i, k).ToArray().Sum();
                    for (int c = 0; c < k; c++)
                    {
                        values[i + c] /= sum;
                    }
                }

                var labels = ProbabilisticLabels.FromRowMajor(values, k);
                var path = Path(".csv");
                ProbabilitiesCsv.Write(path, labels);
                Assert.Equal(labels.Values.ToArray(), ProbabilitiesCsv.Read(path).Values.ToArray());
            }, iter: 100);
    }

    [Fact]
    public void GoldLabels_WriteThenRead_IsIdentical()
    {
        Gen.Int[-1, 200].Array[0, 50].Sample(labels =>
        {
            var path = Path(".txt");
            GoldLabels.Write(path, labels);
            Assert.Equal(labels, GoldLabels.Read(path));
        }, iter: 100);
    }

    /// <summary>Not a writer of ours, but the reader's correctness: any table written by RFC 4180 rules reads back exactly.</summary>
    [Fact]
    public void Csv_AnyTableWrittenByRfc4180_ReadsBack()
    {
        var cell = Gen.Select(Gen.Int[0, 12], Gen.Char["a\",\n\r\t é'"].Array[0, 12]).Select((kind, chars) => kind == 0 ? "" : new string(chars));
        Gen.Select(Gen.Int[1, 5], Gen.Int[1, 12]).SelectMany((columns, rows) => cell.Array[columns].Array[rows].Select(t => (columns, t)))
            .Sample(t =>
            {
                var (columns, table) = t;
                var header = Enumerable.Range(0, columns).Select(c => $"c{c}").ToArray();
                var text = new StringBuilder(string.Join(",", header)).Append("\r\n");
                foreach (var row in table)
                {
                    text.Append(string.Join(",", row.Select(Rfc4180))).Append("\r\n");
                }

                var path = Path(".csv");
                File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
                using var reader = TabularReader.Open(path);
                var read = reader.ReadRecords().Select(r => Enumerable.Range(0, columns).Select(c => r[c]).ToArray()).ToList();
                // In a one-column file an empty line is an empty value, so every row comes back.
                var expected = table;
                Assert.Equal(expected.Length, read.Count);
                for (int i = 0; i < expected.Length; i++)
                {
                    Assert.Equal(expected[i], read[i]);
                }
            }, iter: 200);
    }

    /// <summary>TSV rows are lines: fields without line breaks, quoted only when they hold a tab or start with a quote.</summary>
    [Fact]
    public void Tsv_AnyTableOfSingleLineFields_ReadsBack()
    {
        var cell = Gen.Char["a\"\t ,é'"].Array[0, 12].Select(c => new string(c));
        Gen.Select(Gen.Int[2, 5], Gen.Int[1, 12]).SelectMany((columns, rows) => cell.Array[columns].Array[rows].Select(t => (columns, t)))
            .Sample(t =>
            {
                var (columns, table) = t;
                var text = new StringBuilder(string.Join("\t", Enumerable.Range(0, columns).Select(c => $"c{c}"))).Append('\n');
                foreach (var row in table)
                {
                    text.Append(string.Join("\t", row.Select(f => f.Contains('\t', StringComparison.Ordinal) || f.StartsWith('"')
                        ? "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : f))).Append('\n');
                }

                var path = Path(".tsv");
                File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
                using var reader = TabularReader.Open(path);
                var read = reader.ReadRecords().Select(r => Enumerable.Range(0, columns).Select(c => r[c]).ToArray()).ToList();
                Assert.Equal(table.Length, read.Count);
                for (int i = 0; i < table.Length; i++)
                {
                    Assert.Equal(table[i], read[i]);
                }
            }, iter: 200);
    }

    /// <summary>Fields far longer than the parser's 64K-character buffer, so quotes and separators fall on its boundaries.</summary>
    [Fact]
    public void Csv_LongFieldsAcrossBufferBoundaries_ReadBack()
    {
        Gen.Int[60_000, 140_000].Array[1, 3].Sample(lengths =>
        {
            var fields = lengths.Select((n, i) => new string((char)('a' + i), n - 3) + "\"\n,").ToArray();
            var path = Path(".csv");
            File.WriteAllText(path, "x\n" + string.Join("\n", fields.Select(Rfc4180)) + "\n", new UTF8Encoding(false));
            using var reader = TabularReader.Open(path);
            Assert.Equal(fields, reader.ReadRecords().Select(r => r[0]).ToArray());
        }, iter: 10);
    }

    [Theory]
    [InlineData("mv-wrench")]
    [InlineData("wmv-balance")]
    [InlineData("ds")]
    [InlineData("dp")]
    [InlineData("triplet")]
    [InlineData("metal")]
    public void LabelModel_SaveThenLoad_PredictsTheSameBits(string name)
    {
        Gen.Select(Gen.Int[8, 40], Gen.Int[3, 5]).SelectMany((n, m) => Gen.Int[-1, 2].Array[n * m].Select(v => (v, m)))
            .Sample(t =>
            {
                var (votes, m) = t;
                var matrix = LabelMatrix.FromRowMajor([.. votes.Select(x => (sbyte)x)], LabelMatrix.DefaultNames(m), 3);
                LabelModel model;
                try
                {
                    model = Skein.Tests.LabelModels.Fixtures.Trainers[name]().Fit(matrix);
                }
                catch (ArgumentException)
                {
                    return; // e.g. a matrix no LF covers: nothing to save.
                }

                var saved = FuzzSeeds.Bytes(model.Save);
                var loaded = LabelModel.Load(new MemoryStream(saved));
                Assert.Equal(model.PredictProba(matrix).Values.ToArray(), loaded.PredictProba(matrix).Values.ToArray());
                Assert.Equal(saved, FuzzSeeds.Bytes(loaded.Save));
            }, iter: 15);
    }

    [Fact]
    public void EndModels_SaveThenLoad_PredictTheSameBits()
    {
        Gen.Select(Gen.Int[4, 20], Gen.Int[1, 4], Gen.Int[0, 1]).SelectMany((n, d, kind) =>
                Gen.Double[-3, 3].Array[n * d].Select(x => (n, d, kind, x)))
            .Sample(t =>
            {
                var (n, d, kind, x) = t;
                var features = DenseMatrix.FromRowMajor([.. x.Select(v => (float)v)], d);
                var labels = ProbabilisticLabels.FromRowMajor([.. Enumerable.Range(0, n).SelectMany(i => i % 2 == 0 ? new[] { 0.9, 0.1 } : [0.2, 0.8])], 2);
                IEndModelTrainer trainer = kind == 0
                    ? new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 3, MaxIterations = 10 })
                    : new Mlp(new MlpOptions { HiddenSizes = [3], Epochs = 2, BatchSize = 4, Seed = 3 });
                var model = trainer.Fit(features, labels);
                var saved = FuzzSeeds.Bytes(model.Save);
                var loaded = EndModel.Load(new MemoryStream(saved));
                Assert.Equal(model.PredictProba(features).Values.ToArray(), loaded.PredictProba(features).Values.ToArray());
                Assert.Equal(saved, FuzzSeeds.Bytes(loaded.Save));
            }, iter: 20);
    }

    [Fact]
    public void FeaturizerAndStandardizer_SaveThenLoad_TransformTheSame()
    {
        string[] vocabulary = ["free", "money", "hi", "mum", "win", "naïve", "😀", "a-b", "!!"];
        var words = Gen.Int[0, vocabulary.Length - 1].Array[1, 6].Select(w => string.Join(" ", w.Select(i => vocabulary[i])));
        Gen.Select(words.Array[1, 8], Gen.Double[-1e6, 1e6].Array[2].Array[2, 6]).Sample((texts, rows) =>
        {
            var ngrams = new HashedNGramFeaturizer(new HashedNGramOptions { Dimension = 256 }).Fit(texts);
            var ngramsBack = HashedNGramModel.Load(new MemoryStream(FuzzSeeds.Bytes(ngrams.Save)));
            var a = ngrams.Transform(texts);
            var b = ngramsBack.Transform(texts);
            Assert.Equal(a.ToDense().Values.ToArray(), b.ToDense().Values.ToArray());

            var standardizer = Standardizer.Fit(rows);
            var back = StandardizerModel.Load(new MemoryStream(FuzzSeeds.Bytes(standardizer.Save)));
            Assert.Equal(standardizer.Transform(rows).Values.ToArray(), back.Transform(rows).Values.ToArray());
        }, iter: 30);
    }

    private static string Rfc4180(string field) =>
        field.AsSpan().IndexOfAny("\",\r\n") >= 0 || field.StartsWith(' ') ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
