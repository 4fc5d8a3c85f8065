using System.Diagnostics;
using Skein.Labeling;

namespace Skein.Cli;

/// <summary>
/// Turns applier progress into plain stderr lines, at most one per second. Plain lines rather than a
/// live bar because Spectre prints nothing for a progress bar when output is redirected.
/// </summary>
internal sealed class ProgressLines(CliContext context, string label) : IProgress<ApplyProgress>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private long _lastReportMs = -1;

    public void Report(ApplyProgress value)
    {
        lock (_gate)
        {
            long now = _clock.ElapsedMilliseconds;
            if (_lastReportMs >= 0 && now - _lastReportMs < 1000)
            {
                return;
            }

            _lastReportMs = now;
            var total = value.RowsTotal is long t ? $"/{t:N0}" : string.Empty;
            context.Progress($"{label}: {value.RowsDone:N0}{total} rows ({value.RowsDone / Math.Max(0.001, now / 1000.0):N0} rows/s)");
        }
    }
}
