using System.Collections.Concurrent;
using Skein.Data;
using Skein.Labeling;

namespace Skein.Tests.Labeling;

public class LabelingFunctionApplierTests
{
    private static readonly ILabelingFunction<int>[] ParityLfs =
    [
        LabelingFunction.Create<int>("even", x => x % 2 == 0 ? 1 : -1),
        LabelingFunction.Create<int>("mod3", x => x % 3),
        LabelingFunction.Create<int>("big", x => x >= 500 ? 2 : -1),
    ];

    private static int[] Items(int n) => Enumerable.Range(0, n).ToArray();

    /// <summary>Reports synchronously on the reporting thread (unlike <see cref="Progress{T}"/>).</summary>
    private sealed class Recorder : IProgress<ApplyProgress>
    {
        public ConcurrentQueue<ApplyProgress> Reports { get; } = new();

        public void Report(ApplyProgress value) => Reports.Enqueue(value);
    }

    [Fact]
    public void Apply_fills_one_column_per_lf_in_order()
    {
        var applier = new LabelingFunctionApplier<int>(ParityLfs, cardinality: 3);

        var result = applier.Apply(Items(1000));

        Assert.Equal(["even", "mod3", "big"], result.Matrix.LfNames);
        Assert.Equal(1000, result.Matrix.RowCount);
        Assert.Equal(new sbyte[] { 1, 0, -1 }, result.Matrix.Row(0).ToArray());
        Assert.Equal(new sbyte[] { -1, 1, 2 }, result.Matrix.Row(997).ToArray());
        Assert.Equal([0L, 0L, 0L], result.FaultCounts);
        Assert.Equal(0, result.FirstRow);
    }

    [Fact]
    public void Apply_on_no_items_gives_an_empty_matrix()
    {
        var result = new LabelingFunctionApplier<int>(ParityLfs, 3).Apply([]);

        Assert.Equal(0, result.Matrix.RowCount);
        Assert.Equal(3, result.Matrix.LfCount);
    }

    [Fact]
    public void Duplicate_lf_names_are_rejected_up_front_naming_each_duplicate()
    {
        ILabelingFunction<int>[] lfs =
        [
            LabelingFunction.Create<int>("a", _ => 0),
            LabelingFunction.Create<int>("b", _ => 0),
            LabelingFunction.Create<int>("a", _ => 1),
            LabelingFunction.Create<int>("c", _ => 0),
            LabelingFunction.Create<int>("b", _ => 1),
        ];

        var e = Assert.Throws<ArgumentException>(() => new LabelingFunctionApplier<int>(lfs, 2));

        Assert.Contains("'a'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'b'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'c'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Construction_rejects_no_lfs_bad_cardinality_and_bad_options()
    {
        Assert.Throws<ArgumentException>(() => new LabelingFunctionApplier<int>([], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LabelingFunctionApplier<int>(ParityLfs, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LabelingFunctionApplier<int>(ParityLfs, 3, new ApplyOptions { MaxDegreeOfParallelism = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LabelingFunctionApplier<int>(ParityLfs, 3, new ApplyOptions { ChunkSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LabelingFunctionApplier<int>(ParityLfs, 3, new ApplyOptions { FaultPolicy = (FaultPolicy)9 }));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    public void A_vote_outside_range_throws_naming_the_lf_and_the_lowest_bad_row(int threads)
    {
        // Bad votes on rows 999, 1999, …: whatever thread finds one first, row 999 is reported.
        var bad = LabelingFunction.Create<int>("overshoot", x => x % 1000 == 999 ? 3 : 0);
        var applier = new LabelingFunctionApplier<int>([ParityLfs[0], bad], 3,
            new ApplyOptions { MaxDegreeOfParallelism = threads, ChunkSize = 100 });

        var e = Assert.Throws<LabelingFunctionException>(() => applier.Apply(Items(20_000)));

        Assert.Equal("overshoot", e.LfName);
        Assert.Equal(999, e.Row);
        Assert.Contains("'overshoot'", e.Message, StringComparison.Ordinal);
        Assert.Contains("row 999", e.Message, StringComparison.Ordinal);
        Assert.Contains("voted 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vote_below_abstain_throws_even_under_the_abstain_fault_policy()
    {
        var bad = LabelingFunction.Create<int>("negative", x => x == 7 ? -2 : -1);
        var applier = new LabelingFunctionApplier<int>([bad], 2, new ApplyOptions { FaultPolicy = FaultPolicy.Abstain });

        var e = Assert.Throws<LabelingFunctionException>(() => applier.Apply(Items(10)));

        Assert.Equal(7, e.Row);
    }

    [Fact]
    public void Throw_policy_wraps_the_lf_exception_with_lf_and_row()
    {
        var flaky = LabelingFunction.Create<int>("flaky", x => x == 3 ? throw new InvalidOperationException("boom") : 0);
        var applier = new LabelingFunctionApplier<int>([ParityLfs[0], flaky], 2);

        var e = Assert.Throws<LabelingFunctionException>(() => applier.Apply(Items(10)));

        Assert.Equal("flaky", e.LfName);
        Assert.Equal(3, e.Row);
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Contains("boom", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Abstain_policy_records_abstains_and_counts_faults_per_lf()
    {
        var flaky = LabelingFunction.Create<int>("flaky", x => x % 3 == 0 ? throw new FormatException() : 1);
        var broken = LabelingFunction.Create<int>("broken", _ => throw new InvalidOperationException());
        var applier = new LabelingFunctionApplier<int>([ParityLfs[0], flaky, broken], 2,
            new ApplyOptions { FaultPolicy = FaultPolicy.Abstain, ChunkSize = 7 });

        var result = applier.Apply(Items(30));

        Assert.Equal([0L, 10L, 30L], result.FaultCounts);
        Assert.Equal(40, result.TotalFaults);
        for (int i = 0; i < 30; i++)
        {
            Assert.Equal(i % 3 == 0 ? -1 : 1, result.Matrix[i, 1]);
            Assert.Equal(-1, result.Matrix[i, 2]);
            Assert.Equal(i % 2 == 0 ? 1 : -1, result.Matrix[i, 0]);
        }
    }

    [Fact]
    public void Abstain_policy_counts_a_regex_timeout_as_a_fault()
    {
        var evil = LabelingFunction.Pattern("evil", 1, "^(a+)+$", new PatternOptions { MatchTimeout = TimeSpan.FromMilliseconds(10) });
        var applier = new LabelingFunctionApplier<string>([evil], 2, new ApplyOptions { FaultPolicy = FaultPolicy.Abstain });

        var result = applier.Apply(["aaa", new string('a', 40) + "!"]);

        Assert.Equal([1L], result.FaultCounts);
        Assert.Equal(1, result.Matrix[0, 0]);
        Assert.Equal(-1, result.Matrix[1, 0]);
    }

    [Fact]
    public void Abstain_policy_counts_an_lf_own_timeout_cancellation_as_a_fault()
    {
        // An LF whose own I/O timed out throws TaskCanceledException; the caller did not cancel, so it is a fault.
        var timesOut = LabelingFunction.Create<int>("lookup", x => x == 2 ? throw new TaskCanceledException("timeout") : 0);
        var applier = new LabelingFunctionApplier<int>([timesOut], 2, new ApplyOptions { FaultPolicy = FaultPolicy.Abstain });

        var result = applier.Apply(Items(5));

        Assert.Equal([1L], result.FaultCounts);
        Assert.Equal(-1, result.Matrix[2, 0]);
    }

    [Fact]
    public void Throw_policy_reports_an_lf_own_timeout_cancellation_as_an_lf_failure()
    {
        var timesOut = LabelingFunction.Create<int>("lookup", x => x == 2 ? throw new TaskCanceledException("timeout") : 0);
        var applier = new LabelingFunctionApplier<int>([timesOut], 2);

        var e = Assert.Throws<LabelingFunctionException>(() => applier.Apply(Items(5)));

        Assert.Equal(2, e.Row);
        Assert.IsType<TaskCanceledException>(e.InnerException);
    }

    [Fact]
    public void A_cancelled_token_stops_apply()
    {
        var applier = new LabelingFunctionApplier<int>(ParityLfs, 3);

        Assert.ThrowsAny<OperationCanceledException>(() => applier.Apply(Items(100), new CancellationToken(canceled: true)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Cancelling_during_apply_stops_early(int threads)
    {
        using var cts = new CancellationTokenSource();
        long calls = 0;
        var lf = LabelingFunction.Create<int>("cancel_at_5000", x =>
        {
            Interlocked.Increment(ref calls);
            if (x == 5000)
            {
                cts.Cancel();
            }

            return 0;
        });
        var applier = new LabelingFunctionApplier<int>([lf], 2, new ApplyOptions { MaxDegreeOfParallelism = threads, ChunkSize = 100 });

        Assert.ThrowsAny<OperationCanceledException>(() => applier.Apply(Items(1_000_000), cts.Token));
        Assert.True(Interlocked.Read(ref calls) < 100_000, $"{calls} calls after cancellation");
    }

    [Fact]
    public void An_lf_that_observes_the_callers_token_surfaces_as_cancellation()
    {
        using var cts = new CancellationTokenSource();
        var lf = LabelingFunction.Create<int>("observer", x =>
        {
            if (x == 10)
            {
                cts.Cancel();
            }

            cts.Token.ThrowIfCancellationRequested();
            return 0;
        });
        var applier = new LabelingFunctionApplier<int>([lf], 2,
            new ApplyOptions { FaultPolicy = FaultPolicy.Abstain, MaxDegreeOfParallelism = 1 });

        Assert.ThrowsAny<OperationCanceledException>(() => applier.Apply(Items(100), cts.Token));
    }

    [Fact]
    public void Progress_is_reported_per_block_up_to_the_total()
    {
        var recorder = new Recorder();
        var applier = new LabelingFunctionApplier<int>(ParityLfs, 3,
            new ApplyOptions { ChunkSize = 100, Progress = recorder, MaxDegreeOfParallelism = 2 });

        applier.Apply(Items(1050));

        var reports = recorder.Reports.ToArray();
        Assert.Equal(11, reports.Length);
        Assert.All(reports, r => Assert.Equal(1050, r.RowsTotal));
        Assert.Equal(1050, reports.Max(r => r.RowsDone));
        Assert.Equal(reports.Length, reports.Select(r => r.RowsDone).Distinct().Count());
    }

    [Fact]
    public void Streaming_progress_counts_rows_across_chunks_without_a_total()
    {
        var recorder = new Recorder();
        var applier = new LabelingFunctionApplier<int>(ParityLfs, 3, new ApplyOptions { ChunkSize = 300, Progress = recorder });

        foreach (var chunk in applier.ApplyStreaming(Enumerable.Range(0, 1000)))
        {
            Assert.Equal(chunk.FirstRow + chunk.Matrix.RowCount, recorder.Reports.Max(r => r.RowsDone));
        }

        Assert.All(recorder.Reports, r => Assert.Null(r.RowsTotal));
        Assert.Equal(1000, recorder.Reports.Max(r => r.RowsDone));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(333, 2)]
    [InlineData(1000, -1)]
    [InlineData(5000, -1)]
    public void Streaming_chunks_concatenate_to_the_apply_result(int chunkSize, int threads)
    {
        var flaky = LabelingFunction.Create<int>("flaky", x => x % 7 == 0 ? throw new FormatException() : 1);
        var options = new ApplyOptions { ChunkSize = chunkSize, MaxDegreeOfParallelism = threads, FaultPolicy = FaultPolicy.Abstain };
        var applier = new LabelingFunctionApplier<int>([.. ParityLfs, flaky], 3, options);

        var whole = applier.Apply(Items(2500));
        var chunks = applier.ApplyStreaming(Enumerable.Range(0, 2500)).ToList();

        Assert.All(chunks.SkipLast(1), c => Assert.Equal(chunkSize, c.Matrix.RowCount));
        Assert.Equal(chunks.Select((_, i) => (long)i * chunkSize), chunks.Select(c => c.FirstRow));
        var joined = LabelMatrix.Concat(chunks.Select(c => c.Matrix).ToList());
        Assert.Equal(whole.Matrix.Votes.ToArray(), joined.Votes.ToArray());
        Assert.Equal(whole.FaultCounts, Enumerable.Range(0, 4).Select(j => chunks.Sum(c => c.FaultCounts[j])));
        Assert.Equal(358, whole.FaultCounts[3]); // multiples of 7 in [0, 2500)
    }

    [Fact]
    public void Streaming_an_empty_sequence_yields_one_empty_chunk()
    {
        var chunks = new LabelingFunctionApplier<int>(ParityLfs, 3).ApplyStreaming([]).ToList();

        var chunk = Assert.Single(chunks);
        Assert.Equal(0, chunk.Matrix.RowCount);
    }

    [Fact]
    public void Streaming_errors_report_the_row_in_the_whole_sequence()
    {
        var bad = LabelingFunction.Create<int>("bad", x => x == 2500 ? 9 : 0);
        var applier = new LabelingFunctionApplier<int>([bad], 2, new ApplyOptions { ChunkSize = 1000 });

        var e = Assert.Throws<LabelingFunctionException>(() => applier.ApplyStreaming(Enumerable.Range(0, 5000)).ToList());

        Assert.Equal(2500, e.Row);
    }

    [Fact]
    public void Streaming_reads_the_source_lazily_one_chunk_at_a_time()
    {
        int pulled = 0;
        IEnumerable<int> Source()
        {
            for (int i = 0; i < 10_000; i++)
            {
                pulled++;
                yield return i;
            }
        }

        var applier = new LabelingFunctionApplier<int>(ParityLfs, 3, new ApplyOptions { ChunkSize = 100 });
        var chunks = applier.ApplyStreaming(Source());
        Assert.Equal(0, pulled);

        using var e = chunks.GetEnumerator();
        Assert.True(e.MoveNext());
        Assert.Equal(100, pulled);
        Assert.True(e.MoveNext());
        Assert.Equal(200, pulled);
    }

    [Fact]
    public void Streaming_validates_arguments_eagerly_and_observes_cancellation()
    {
        var applier = new LabelingFunctionApplier<int>(ParityLfs, 3, new ApplyOptions { ChunkSize = 10 });

        Assert.Throws<ArgumentNullException>(() => applier.ApplyStreaming(null!));
        Assert.ThrowsAny<OperationCanceledException>(() =>
            applier.ApplyStreaming(Enumerable.Range(0, 100), new CancellationToken(canceled: true)).ToList());
    }
}
