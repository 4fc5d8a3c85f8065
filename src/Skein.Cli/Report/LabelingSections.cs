using System.Globalization;
using Skein.Analysis;
using Skein.Data;

namespace Skein.Cli.Report;

/// <summary>Report sections about labeling functions, shared by <c>skein analyze --report</c> and the demo.</summary>
internal static class LabelingSections
{
    /// <summary>LF summary table, coverage/overlap/conflict bars, accuracy bars (with gold) and the agreement heatmap.</summary>
    public static void Add(HtmlReport report, LabelMatrix matrix, LabelMatrixSummary summary, IReadOnlyList<string>? classNames)
    {
        var lfs = summary.LabelingFunctions;
        var names = lfs.Select(lf => lf.Name).ToArray();
        report.Heading("Labeling functions", "labeling-functions")
            .Figures([
                ("rows", summary.RowCount.ToString("N0", CultureInfo.InvariantCulture)),
                ("labeling functions", lfs.Count.ToString(CultureInfo.InvariantCulture)),
                ("label coverage", Percent(summary.LabelCoverage)),
                ("label overlap", Percent(summary.LabelOverlap)),
                ("label conflict", Percent(summary.LabelConflict)),
            ]);

        var headers = new List<string> { "j", "LF", "Polarity", "Coverage", "Overlaps", "Conflicts" };
        if (summary.HasGold)
        {
            headers.AddRange(["Correct", "Incorrect", "Emp. Acc."]);
        }

        report.Table("lf-summary", headers, lfs.Select((lf, j) =>
        {
            var row = new List<string>
            {
                j.ToString(CultureInfo.InvariantCulture), lf.Name,
                string.Join(", ", lf.Polarity.Select(c => classNames is not null && c < classNames.Count ? classNames[c] : c.ToString(CultureInfo.InvariantCulture))),
                Percent(lf.Coverage), Percent(lf.Overlaps), Percent(lf.Conflicts),
            };
            if (summary.HasGold)
            {
                row.AddRange([
                    lf.Correct!.Value.ToString("N0", CultureInfo.InvariantCulture),
                    lf.Incorrect!.Value.ToString("N0", CultureInfo.InvariantCulture),
                    lf.EmpiricalAccuracy!.Value.ToString("0.000", CultureInfo.InvariantCulture),
                ]);
            }

            return (IReadOnlyList<string>)row;
        }));

        var charts = new List<string>
        {
            Svg.BarChart("lf-coverage", "Coverage, overlaps and conflicts per LF", names,
            [
                new Series("coverage", lfs.Select(lf => lf.Coverage).ToArray()),
                new Series("overlaps", lfs.Select(lf => lf.Overlaps).ToArray()),
                new Series("conflicts", lfs.Select(lf => lf.Conflicts).ToArray()),
            ]),
        };
        if (summary.HasGold)
        {
            charts.Add(Svg.BarChart("lf-accuracy", "Empirical accuracy per LF (against gold)", names,
                [new Series("empirical accuracy", lfs.Select(lf => lf.EmpiricalAccuracy!.Value).ToArray())]));
        }

        charts.Add(AgreementHeatmap(matrix, names));
        report.Charts([.. charts]);
    }

    /// <summary>For each LF pair, the fraction of co-voted rows on which they agree (blank: never co-vote).</summary>
    private static string AgreementHeatmap(LabelMatrix matrix, string[] names)
    {
        var stats = SufficientStatistics.Compute(matrix);
        int m = names.Length;
        var agreement = new double[m, m];
        for (int a = 0; a < m; a++)
        {
            for (int b = 0; b < m; b++)
            {
                long both = a == b ? stats.Votes(a) : stats.CoVotes(a, b);
                agreement[a, b] = both == 0 ? double.NaN : a == b ? 1 : (double)stats.Agreements(a, b) / both;
            }
        }

        return Svg.Heatmap("lf-agreement", "LF agreement (share of co-voted rows with the same label)", names, names, agreement, 0, 1);
    }

    private static string Percent(double value) => (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
