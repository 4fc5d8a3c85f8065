using Skein.Data;

namespace Skein.Labeling;

/// <summary>What the applier does when an LF throws.</summary>
public enum FaultPolicy
{
    /// <summary>Stop and throw a <see cref="LabelingFunctionException"/> naming the LF and the row.</summary>
    Throw,

    /// <summary>Record an abstain, count the fault for that LF and go on (Snorkel's fault_tolerant).</summary>
    Abstain,
}

/// <summary>Progress of an apply run.</summary>
/// <param name="RowsDone">Rows labeled so far.</param>
/// <param name="RowsTotal">Total rows, when known (null when streaming).</param>
public readonly record struct ApplyProgress(long RowsDone, long? RowsTotal);

/// <summary>Options of <see cref="LabelingFunctionApplier{T}"/>.</summary>
public sealed record ApplyOptions
{
    /// <summary>Threads to use; -1 (default) = all cores, 1 = sequential.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>What to do when an LF throws. Default <see cref="FaultPolicy.Throw"/>.</summary>
    public FaultPolicy FaultPolicy { get; init; } = FaultPolicy.Throw;

    /// <summary>Rows per work unit, and per chunk when streaming (bounds memory). Default 4096.</summary>
    public int ChunkSize { get; init; } = 4096;

    /// <summary>Receives a report after each chunk; null for none.</summary>
    public IProgress<ApplyProgress>? Progress { get; init; }

    internal void Validate()
    {
        if (MaxDegreeOfParallelism == 0 || MaxDegreeOfParallelism < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "Must be -1 (all cores) or ≥ 1.");
        }

        if (ChunkSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "Must be ≥ 1.");
        }

        if (!Enum.IsDefined(FaultPolicy))
        {
            throw new ArgumentOutOfRangeException(nameof(FaultPolicy), FaultPolicy, "Unknown fault policy.");
        }
    }
}

/// <summary>The outcome of applying LFs: the label matrix and how often each LF faulted.</summary>
/// <param name="Matrix">The n×m votes.</param>
/// <param name="FaultCounts">Per LF, the number of items on which it threw (always 0 under <see cref="FaultPolicy.Throw"/>).</param>
/// <param name="FirstRow">Index of the matrix's first row in the applied sequence (non-zero for streamed chunks).</param>
public sealed record ApplyResult(LabelMatrix Matrix, IReadOnlyList<long> FaultCounts, long FirstRow = 0)
{
    /// <summary>Total faults over all LFs.</summary>
    public long TotalFaults => FaultCounts.Sum();
}

/// <summary>
/// Applies a set of labeling functions to items, in parallel, into a <see cref="LabelMatrix"/>. The
/// result does not depend on the degree of parallelism. Thread-safe; reusable.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class LabelingFunctionApplier<T>
{
    private readonly ILabelingFunction<T>[] _lfs;
    private readonly ApplyOptions _options;

    /// <summary>Creates an applier.</summary>
    /// <param name="lfs">The LFs, one column each; names must be unique.</param>
    /// <param name="cardinality">Number of classes k; every vote must lie in [-1, k).</param>
    /// <param name="options">Parallelism, fault policy, chunking and progress.</param>
    /// <exception cref="ArgumentException">No LFs, or two LFs share a name.</exception>
    public LabelingFunctionApplier(IReadOnlyList<ILabelingFunction<T>> lfs, int cardinality, ApplyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(lfs);
        LabelMatrix.ValidateCardinality(cardinality);
        if (lfs.Count == 0)
        {
            throw new ArgumentException("At least one labeling function is needed.", nameof(lfs));
        }

        var duplicates = lfs.GroupBy(lf => lf.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new ArgumentException($"LF names must be unique; duplicated: {string.Join(", ", duplicates.Select(d => $"'{d}'"))}.", nameof(lfs));
        }

        _options = options ?? new ApplyOptions();
        _options.Validate();
        _lfs = [.. lfs];
        Cardinality = cardinality;
        LfNames = _lfs.Select(lf => lf.Name).ToArray();
    }

    /// <summary>Number of classes.</summary>
    public int Cardinality { get; }

    /// <summary>LF names in column order.</summary>
    public IReadOnlyList<string> LfNames { get; }

    /// <summary>Applies every LF to every item.</summary>
    /// <exception cref="LabelingFunctionException">An LF threw (under <see cref="FaultPolicy.Throw"/>) or voted outside [-1, k); the lowest failing row is reported.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public ApplyResult Apply(IReadOnlyList<T> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var faults = new long[_lfs.Length];
        var matrix = ApplyChunk(items, 0, faults, items.Count, 0, cancellationToken);
        return new ApplyResult(matrix, faults);
    }

    /// <summary>
    /// Applies the LFs over a sequence of any length, one chunk of <see cref="ApplyOptions.ChunkSize"/> rows at a
    /// time, so memory stays bounded by the chunk. Chunks come back in order; fault counts are per chunk.
    /// </summary>
    public IEnumerable<ApplyResult> ApplyStreaming(IEnumerable<T> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        return Stream(items, cancellationToken);
    }

    private IEnumerable<ApplyResult> Stream(IEnumerable<T> items, CancellationToken cancellationToken)
    {
        long firstRow = 0;
        var buffer = new List<T>(_options.ChunkSize);
        foreach (var item in items)
        {
            buffer.Add(item);
            if (buffer.Count == _options.ChunkSize)
            {
                yield return ApplyBuffered(buffer, firstRow, cancellationToken);
                firstRow += buffer.Count;
                buffer.Clear();
            }
        }

        if (buffer.Count > 0 || firstRow == 0)
        {
            yield return ApplyBuffered(buffer, firstRow, cancellationToken);
        }
    }

    private ApplyResult ApplyBuffered(List<T> buffer, long firstRow, CancellationToken cancellationToken)
    {
        var faults = new long[_lfs.Length];
        var matrix = ApplyChunk(buffer, firstRow, faults, null, firstRow, cancellationToken);
        return new ApplyResult(matrix, faults, firstRow);
    }

    private LabelMatrix ApplyChunk(IReadOnlyList<T> items, long rowOffset, long[] faults, long? total, long doneBefore,
        CancellationToken cancellationToken)
    {
        int n = items.Count, m = _lfs.Length;
        var votes = new sbyte[(long)n * m];
        int block = Math.Max(1, Math.Min(_options.ChunkSize, 1024));
        int blocks = (n + block - 1) / block;
        long done = 0;
        var failures = new System.Collections.Concurrent.ConcurrentBag<LabelingFunctionException>();
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism,
            CancellationToken = cancellationToken,
        };
        Parallel.For(0, blocks, parallel, (b, state) =>
        {
            int start = b * block, end = Math.Min(n, start + block);
            var localFaults = new long[m];
            for (int i = start; i < end; i++)
            {
                var failure = ApplyRow(items[i], votes.AsSpan(i * m, m), rowOffset + i, localFaults, cancellationToken);
                if (failure is not null)
                {
                    failures.Add(failure);
                    state.Break();
                    return;
                }
            }

            for (int j = 0; j < m; j++)
            {
                if (localFaults[j] != 0)
                {
                    Interlocked.Add(ref faults[j], localFaults[j]);
                }
            }

            long now = Interlocked.Add(ref done, end - start);
            _options.Progress?.Report(new ApplyProgress(doneBefore + now, total));
        });

        if (!failures.IsEmpty)
        {
            // Report the lowest failing row so the error does not depend on thread timing.
            throw failures.MinBy(f => f.Row)!;
        }

        return LabelMatrix.FromRowMajor(votes, LfNames, Cardinality);
    }

    private LabelingFunctionException? ApplyRow(T item, Span<sbyte> row, long rowIndex, long[] faults,
        CancellationToken cancellationToken)
    {
        for (int j = 0; j < _lfs.Length; j++)
        {
            int vote;
            try
            {
                vote = _lfs[j].Vote(item);
            }
            // Only the caller's cancellation stops the run; an LF's own OperationCanceledException (e.g. an HTTP
            // timeout surfacing as TaskCanceledException) is an LF failure like any other.
            catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                if (_options.FaultPolicy == FaultPolicy.Throw)
                {
                    return new LabelingFunctionException(_lfs[j].Name, rowIndex, $"threw {e.GetType().Name}: {e.Message}", e);
                }

                faults[j]++;
                vote = LabelingFunction.Abstain;
            }

            if (vote < -1 || vote >= Cardinality)
            {
                return new LabelingFunctionException(_lfs[j].Name, rowIndex, $"voted {vote}, outside [-1, {Cardinality}).");
            }

            row[j] = (sbyte)vote;
        }

        return null;
    }
}
