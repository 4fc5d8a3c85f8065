using System.Globalization;
using System.Net;
using System.Text;

namespace Skein.Cli.Report;

/// <summary>A named series of values for a chart.</summary>
internal sealed record Series(string Name, IReadOnlyList<double> Values);

/// <summary>A named series of (x, y) points for a line chart; NaN y values leave a gap.</summary>
internal sealed record PointSeries(string Name, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false);

/// <summary>
/// Inline SVG charts for the offline HTML report: no script, no CDN, no native plotting library, so the
/// report renders anywhere and the markup can be checked in a browser DOM.
/// </summary>
internal static class Svg
{
    private static readonly string[] Palette = ["#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2", "#97bbf5"];

    public static string Color(int i) => Palette[i % Palette.Length];

    public static string Num(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    public static string Text(string value) => WebUtility.HtmlEncode(value);

    /// <summary>Grouped vertical bars, one group per category, values in [0, max].</summary>
    public static string BarChart(string id, string title, IReadOnlyList<string> categories, IReadOnlyList<Series> series,
        double max = 1, bool percent = true)
    {
        const int height = 260, top = 30, bottom = 70;

        // The first category's label is rotated -35° to the left of its bar: widen the margin so it is not clipped.
        int left = Math.Max(48, categories.Count == 0 ? 0 : (int)(categories[0].Length * 4.6));
        int groupWidth = Math.Max(36, (series.Count * 14) + 16);
        int width = left + 20 + (categories.Count * groupWidth);
        double plot = height - top - bottom;
        var svg = Open(id, "bar-chart", width, height, title);
        Axis(svg, left, top, plot, max, percent, width - 10);
        double barWidth = (groupWidth - 12.0) / series.Count;
        for (int c = 0; c < categories.Count; c++)
        {
            double x0 = left + 8 + (c * groupWidth);
            for (int s = 0; s < series.Count; s++)
            {
                double v = Math.Clamp(series[s].Values[c], 0, max);
                double h = plot * v / max;
                svg.Append(CultureInfo.InvariantCulture,
                    $"<rect class=\"bar\" x=\"{Num(x0 + (s * barWidth))}\" y=\"{Num(top + plot - h)}\" width=\"{Num(barWidth - 1)}\" height=\"{Num(h)}\" fill=\"{Color(s)}\">" +
                    $"<title>{Text(categories[c])} · {Text(series[s].Name)}: {Text(Format(series[s].Values[c], percent))}</title></rect>");
            }

            double cx = x0 + ((groupWidth - 12) / 2.0);
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{Num(cx)}\" y=\"{top + plot + 12}\" font-size=\"10\" text-anchor=\"end\" transform=\"rotate(-35 {Num(cx)} {top + plot + 12})\">{Text(categories[c])}</text>");
        }

        Legend(svg, series.Select(s => s.Name).ToArray(), left + 8, 14);
        return Close(svg);
    }

    /// <summary>A matrix of cells coloured by value in [min, max], each labelled with its value.</summary>
    public static string Heatmap(string id, string title, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels,
        double[,] values, double min, double max, string? xTitle = null, string? yTitle = null, Func<double, string>? format = null)
    {
        format ??= v => double.IsNaN(v) ? "" : v.ToString("0.00", CultureInfo.InvariantCulture);
        int cell = rowLabels.Count > 12 ? 26 : 40;
        int left = 12 + (8 * Math.Min(22, rowLabels.Max(l => l.Length))), top = 30 + (6 * Math.Min(22, columnLabels.Max(l => l.Length)));
        int width = left + (columnLabels.Count * cell) + 90, height = top + (rowLabels.Count * cell) + 40; // room for the last rotated label
        var svg = Open(id, "heatmap", width, height, title);
        for (int r = 0; r < rowLabels.Count; r++)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{left - 6}\" y=\"{top + (r * cell) + (cell / 2) + 4}\" font-size=\"11\" text-anchor=\"end\">{Text(rowLabels[r])}</text>");
            for (int c = 0; c < columnLabels.Count; c++)
            {
                double v = values[r, c];
                double t = double.IsNaN(v) ? 0 : Math.Clamp((v - min) / Math.Max(1e-12, max - min), 0, 1);
                string fill = double.IsNaN(v) ? "#eee" : Blend(t);
                svg.Append(CultureInfo.InvariantCulture,
                    $"<rect class=\"cell\" x=\"{left + (c * cell)}\" y=\"{top + (r * cell)}\" width=\"{cell - 1}\" height=\"{cell - 1}\" fill=\"{fill}\">" +
                    $"<title>{Text(rowLabels[r])} × {Text(columnLabels[c])}: {Text(format(v))}</title></rect>");
                if (cell >= 40)
                {
                    svg.Append(CultureInfo.InvariantCulture,
                        $"<text x=\"{left + (c * cell) + (cell / 2)}\" y=\"{top + (r * cell) + (cell / 2) + 4}\" font-size=\"10\" text-anchor=\"middle\" fill=\"{(t > 0.6 ? "#fff" : "#222")}\">{Text(format(v))}</text>");
                }
            }
        }

        for (int c = 0; c < columnLabels.Count; c++)
        {
            int x = left + (c * cell) + (cell / 2);
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{x}\" y=\"{top - 6}\" font-size=\"11\" transform=\"rotate(-50 {x} {top - 6})\">{Text(columnLabels[c])}</text>");
        }

        if (xTitle is not null)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + (columnLabels.Count * cell / 2)}\" y=\"{height - 10}\" font-size=\"12\" text-anchor=\"middle\">{Text(xTitle)}</text>");
        }

        if (yTitle is not null)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"12\" y=\"{top - 12}\" font-size=\"12\">{Text(yTitle)}</text>");
        }

        return Close(svg);
    }

    /// <summary>Lines over a numeric x axis with y in [0, yMax]; optional dashed y = x reference (reliability diagrams).</summary>
    public static string LineChart(string id, string title, string xTitle, string yTitle, IReadOnlyList<PointSeries> series,
        double xMax, double yMax = 1, bool percent = false, bool diagonal = false)
    {
        const int width = 460, height = 300, top = 30, bottom = 44, left = 52, right = 16;
        double plotW = width - left - right, plotH = height - top - bottom;
        var svg = Open(id, "line-chart", width, height, title);
        Axis(svg, left, top, plotH, yMax, percent, width - right);
        for (int t = 0; t <= 4; t++)
        {
            double xv = xMax * t / 4;
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{Num(left + (plotW * t / 4))}\" y=\"{top + plotH + 14}\" font-size=\"10\" text-anchor=\"middle\">{Text(Num(xv))}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Num(left + (plotW / 2))}\" y=\"{height - 6}\" font-size=\"12\" text-anchor=\"middle\">{Text(xTitle)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"12\" y=\"{top - 10}\" font-size=\"12\">{Text(yTitle)}</text>");
        if (diagonal)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{left}\" y1=\"{Num(top + plotH)}\" x2=\"{Num(left + plotW)}\" y2=\"{top}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>");
        }

        for (int s = 0; s < series.Count; s++)
        {
            var points = series[s].Points.Where(p => !double.IsNaN(p.Y))
                .Select(p => $"{Num(left + (plotW * p.X / xMax))},{Num(top + plotH - (plotH * Math.Clamp(p.Y, 0, yMax) / yMax))}").ToArray();
            var dash = series[s].Dashed ? " stroke-dasharray=\"5 3\"" : string.Empty;
            svg.Append(CultureInfo.InvariantCulture,
                $"<polyline class=\"series\" fill=\"none\" stroke=\"{Color(s)}\" stroke-width=\"2\"{dash} points=\"{string.Join(' ', points)}\"><title>{Text(series[s].Name)}</title></polyline>");
            foreach (var p in points)
            {
                var xy = p.Split(',');
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{xy[0]}\" cy=\"{xy[1]}\" r=\"2.5\" fill=\"{Color(s)}\"/>");
            }
        }

        // Start the legend after the y-axis title, which sits on the same line.
        Legend(svg, series.Select(s => s.Name).ToArray(), Math.Max(left + 8, 24 + (int)(yTitle.Length * 6.5)), 14);
        return Close(svg);
    }

    private static StringBuilder Open(string id, string kind, int width, int height, string title)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<figure class=\"chart {kind}\" id=\"{Text(id)}\"><figcaption>{Text(title)}</figcaption>" +
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{Text(title)}\" font-family=\"system-ui, sans-serif\">");
        return svg;
    }

    private static string Close(StringBuilder svg) => svg.Append("</svg></figure>").ToString();

    private static void Axis(StringBuilder svg, int left, int top, double plot, double max, bool percent, int right)
    {
        for (int t = 0; t <= 4; t++)
        {
            double y = top + plot - (plot * t / 4);
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{left}\" y1=\"{Num(y)}\" x2=\"{right}\" y2=\"{Num(y)}\" stroke=\"#e5e5e5\"/>" +
                $"<text x=\"{left - 6}\" y=\"{Num(y + 4)}\" font-size=\"10\" text-anchor=\"end\">{Text(Format(max * t / 4, percent))}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{Num(top + plot)}\" stroke=\"#999\"/>");
    }

    private static void Legend(StringBuilder svg, string[] names, int x, int y)
    {
        if (names.Length < 2)
        {
            return;
        }

        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{x}\" y=\"{y - 9}\" width=\"10\" height=\"10\" fill=\"{Color(i)}\"/><text x=\"{x + 14}\" y=\"{y}\" font-size=\"11\">{Text(name)}</text>");
            x += 24 + (7 * name.Length);
        }
    }

    private static string Format(double value, bool percent) =>
        percent ? (value * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%" : value.ToString("0.###", CultureInfo.InvariantCulture);

    // White → blue ramp; readable in print and for red-green colour blindness.
    private static string Blend(double t)
    {
        int r = (int)(247 - (t * (247 - 33))), g = (int)(251 - (t * (251 - 102))), b = (int)(255 - (t * (255 - 172)));
        return $"#{r:x2}{g:x2}{b:x2}";
    }
}
