using System.Globalization;
using System.Security;
using System.Text;

namespace TrustRegion.Training;

/// <summary>
/// Renders a run's progress as an SVG learning curve: the mean episode return (and evaluation returns, when logged)
/// against environment steps, with the KL divergence of each update in a panel beneath, sharing the step axis.
/// </summary>
/// <remarks>
/// Axes carry round-number ticks with grid lines, labels and a title; the trust-region radius δ is drawn as a dashed
/// line on the KL panel when given, and rejected line searches are marked. Missing values (NaN, e.g. before the first
/// episode ends) break the line rather than being drawn as zero.
/// </remarks>
public static class LearningCurveSvg
{
    private const double Width = 960, Height = 640;
    private const double Left = 96, Right = 36;
    private const double TopPanelTop = 78, TopPanelBottom = 396;
    private const double KlPanelTop = 450, KlPanelBottom = 566;
    private const string ReturnColor = "#1f77b4", EvalColor = "#ff7f0e", KlColor = "#2ca02c", TargetColor = "#d62728", GridColor = "#e6e6e6", AxisColor = "#333333";

    /// <summary>Draws the learning curve of <paramref name="table"/>.</summary>
    /// <param name="table">The run's progress.csv; it needs <see cref="MetricKeys.TotalSteps"/>, and draws
    /// <see cref="MetricKeys.EpisodeReturnMean"/>, <see cref="MetricKeys.EvalReturnMean"/>, <see cref="MetricKeys.Kl"/> and
    /// <see cref="MetricKeys.LineSearchAccepted"/> when present.</param>
    /// <param name="title">The title, e.g. "CartPole-v1 — seed 0".</param>
    /// <param name="targetKl">The trust-region radius δ of the run, drawn on the KL panel; null to omit.</param>
    /// <returns>A standalone SVG document.</returns>
    /// <exception cref="ArgumentException">The table has no rows.</exception>
    public static string Render(ProgressTable table, string title, double? targetKl = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(title);
        if (table.RowCount == 0)
        {
            throw new ArgumentException("progress.csv has no rows yet; plot again after the first training iteration.", nameof(table));
        }
        ReadOnlySpan<double> steps = table.Column(MetricKeys.TotalSteps);
        double[] returns = ColumnOrNaN(table, MetricKeys.EpisodeReturnMean);
        double[] evals = ColumnOrNaN(table, MetricKeys.EvalReturnMean);
        double[] kl = ColumnOrNaN(table, MetricKeys.Kl);
        double[] accepted = ColumnOrNaN(table, MetricKeys.LineSearchAccepted);

        NiceScale x = NiceScale.For(Math.Min(0, Min(steps)), Max(steps), ticks: 7);
        (double returnLow, double returnHigh) = (Math.Min(Min(returns), Min(evals)), Math.Max(Max(returns), Max(evals)));
        NiceScale y = NiceScale.For(returnLow, returnHigh, ticks: 6);
        double klHigh = Math.Max(Max(kl), targetKl ?? double.NegativeInfinity);
        NiceScale yKl = NiceScale.For(0, double.IsFinite(klHigh) && klHigh > 0 ? klHigh * 1.08 : 0.01, ticks: 4);

        double X(double v) => Left + ((v - x.Min) / (x.Max - x.Min) * (Width - Left - Right));
        double Y(double v) => TopPanelBottom - ((v - y.Min) / (y.Max - y.Min) * (TopPanelBottom - TopPanelTop));
        double YKl(double v) => KlPanelBottom - ((v - yKl.Min) / (yKl.Max - yKl.Min) * (KlPanelBottom - KlPanelTop));

        var svg = new StringBuilder(16_384);
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");

        // Title and a one-line summary of the run.
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"30\" text-anchor=\"middle\" font-size=\"20\" font-weight=\"bold\" fill=\"{AxisColor}\">{Escape(title)}</text>\n");
        double lastReturn = LastFinite(returns);
        string summary = $"{table.RowCount} iterations, {steps[^1].ToString("#,0", CultureInfo.InvariantCulture)} environment steps" +
            (double.IsFinite(lastReturn) ? $", last mean return {lastReturn.ToString("0.##", CultureInfo.InvariantCulture)}" : ", no episode finished yet");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"52\" text-anchor=\"middle\" font-size=\"13\" fill=\"#666666\">{Escape(summary)}</text>\n");

        // Grid, ticks and labels.
        foreach (double t in x.Ticks())
        {
            double px = X(t);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{px:0.##}\" y1=\"{TopPanelTop}\" x2=\"{px:0.##}\" y2=\"{TopPanelBottom}\" stroke=\"{GridColor}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{px:0.##}\" y1=\"{KlPanelTop}\" x2=\"{px:0.##}\" y2=\"{KlPanelBottom}\" stroke=\"{GridColor}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{px:0.##}\" y1=\"{KlPanelBottom}\" x2=\"{px:0.##}\" y2=\"{KlPanelBottom + 5}\" stroke=\"{AxisColor}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{px:0.##}\" y1=\"{TopPanelBottom}\" x2=\"{px:0.##}\" y2=\"{TopPanelBottom + 5}\" stroke=\"{AxisColor}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{px:0.##}\" y=\"{KlPanelBottom + 20}\" text-anchor=\"middle\" font-size=\"12\" fill=\"{AxisColor}\">{FormatSteps(t)}</text>\n");
        }
        AppendYAxis(svg, y, Y, TopPanelTop, TopPanelBottom);
        AppendYAxis(svg, yKl, YKl, KlPanelTop, KlPanelBottom);
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{KlPanelBottom + 46}\" text-anchor=\"middle\" font-size=\"14\" fill=\"{AxisColor}\">environment steps</text>\n");
        AppendYLabel(svg, "mean episode return", (TopPanelTop + TopPanelBottom) / 2);
        AppendYLabel(svg, "KL per update", (KlPanelTop + KlPanelBottom) / 2);

        // Data, clipped to each panel.
        svg.Append(CultureInfo.InvariantCulture, $"<clipPath id=\"top\"><rect x=\"{Left}\" y=\"{TopPanelTop}\" width=\"{Width - Left - Right}\" height=\"{TopPanelBottom - TopPanelTop}\"/></clipPath>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<clipPath id=\"kl\"><rect x=\"{Left}\" y=\"{KlPanelTop - 2}\" width=\"{Width - Left - Right}\" height=\"{KlPanelBottom - KlPanelTop + 4}\"/></clipPath>\n");
        svg.Append("<g clip-path=\"url(#top)\">\n");
        AppendLine(svg, steps, returns, X, Y, ReturnColor);
        for (int i = 0; i < evals.Length; i++)
        {
            if (double.IsFinite(evals[i]))
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(steps[i]):0.##}\" cy=\"{Y(evals[i]):0.##}\" r=\"4\" fill=\"{EvalColor}\" stroke=\"white\"/>\n");
            }
        }
        svg.Append("</g>\n<g clip-path=\"url(#kl)\">\n");
        if (targetKl is double delta)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{YKl(delta):0.##}\" x2=\"{Width - Right}\" y2=\"{YKl(delta):0.##}\" stroke=\"{TargetColor}\" stroke-dasharray=\"6 4\"/>\n");
        }
        AppendLine(svg, steps, kl, X, YKl, KlColor);
        int rejected = 0;
        for (int i = 0; i < accepted.Length; i++)
        {
            if (accepted[i] == 0)
            {
                rejected++;
                double px = X(steps[i]), py = KlPanelBottom - 6;
                svg.Append(CultureInfo.InvariantCulture, $"<path d=\"M{px - 4:0.##},{py - 4:0.##}L{px + 4:0.##},{py + 4:0.##}M{px - 4:0.##},{py + 4:0.##}L{px + 4:0.##},{py - 4:0.##}\" stroke=\"{TargetColor}\" stroke-width=\"1.5\"/>\n");
            }
        }
        svg.Append("</g>\n");

        // Panel frames.
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{TopPanelTop}\" width=\"{Width - Left - Right}\" height=\"{TopPanelBottom - TopPanelTop}\" fill=\"none\" stroke=\"{AxisColor}\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{KlPanelTop}\" width=\"{Width - Left - Right}\" height=\"{KlPanelBottom - KlPanelTop}\" fill=\"none\" stroke=\"{AxisColor}\"/>\n");

        // Legends.
        var top = new List<(string Label, string Color, LegendMark Mark)> { ("mean return, last 100 training episodes", ReturnColor, LegendMark.Line) };
        if (evals.Any(double.IsFinite))
        {
            top.Add(("evaluation, deterministic policy", EvalColor, LegendMark.Dot));
        }
        AppendLegend(svg, top, TopPanelTop + 8);
        var bottom = new List<(string Label, string Color, LegendMark Mark)> { ("mean KL(old ‖ new)", KlColor, LegendMark.Line) };
        if (targetKl is double d)
        {
            bottom.Add(($"trust region δ = {d.ToString("G4", CultureInfo.InvariantCulture)}", TargetColor, LegendMark.Dashed));
        }
        if (rejected > 0)
        {
            bottom.Add(($"line search rejected ({rejected})", TargetColor, LegendMark.Cross));
        }
        AppendLegendRow(svg, bottom, KlPanelTop - 12);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void AppendYAxis(StringBuilder svg, NiceScale scale, Func<double, double> map, double top, double bottom)
    {
        string format = "F" + scale.Decimals.ToString(CultureInfo.InvariantCulture);
        foreach (double t in scale.Ticks())
        {
            double py = map(t);
            if (py < top - 0.5 || py > bottom + 0.5)
            {
                continue;
            }
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{py:0.##}\" x2=\"{Width - Right}\" y2=\"{py:0.##}\" stroke=\"{GridColor}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left - 5}\" y1=\"{py:0.##}\" x2=\"{Left}\" y2=\"{py:0.##}\" stroke=\"{AxisColor}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 9}\" y=\"{py + 4:0.##}\" text-anchor=\"end\" font-size=\"12\" fill=\"{AxisColor}\">{t.ToString(format, CultureInfo.InvariantCulture)}</text>\n");
        }
    }

    private static void AppendYLabel(StringBuilder svg, string label, double centre) =>
        svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(24 {centre:0.##}) rotate(-90)\" text-anchor=\"middle\" font-size=\"14\" fill=\"{AxisColor}\">{Escape(label)}</text>\n");

    private static void AppendLine(StringBuilder svg, ReadOnlySpan<double> xs, double[] ys, Func<double, double> mapX, Func<double, double> mapY, string color)
    {
        var path = new StringBuilder();
        bool open = false;
        int points = 0;
        for (int i = 0; i < ys.Length; i++)
        {
            if (!double.IsFinite(ys[i]) || !double.IsFinite(xs[i]))
            {
                open = false;
                continue;
            }
            path.Append(CultureInfo.InvariantCulture, $"{(open ? 'L' : 'M')}{mapX(xs[i]):0.##},{mapY(ys[i]):0.##}");
            open = true;
            points++;
        }
        if (points == 0)
        {
            return;
        }
        svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n");
        if (points <= 30)
        {
            for (int i = 0; i < ys.Length; i++)
            {
                if (double.IsFinite(ys[i]) && double.IsFinite(xs[i]))
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{mapX(xs[i]):0.##}\" cy=\"{mapY(ys[i]):0.##}\" r=\"2.5\" fill=\"{color}\"/>\n");
                }
            }
        }
    }

    // A boxed legend in the top-left corner of a panel (where a rising learning curve leaves room).
    private static void AppendLegend(StringBuilder svg, List<(string Label, string Color, LegendMark Mark)> entries, double top)
    {
        double width = 40 + (7.2 * entries.Max(e => e.Label.Length));
        double x0 = Left + 10;
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x0}\" y=\"{top}\" width=\"{width:0.##}\" height=\"{(entries.Count * 18) + 8}\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>\n");
        for (int i = 0; i < entries.Count; i++)
        {
            (string label, string color, LegendMark mark) = entries[i];
            double cy = top + 13 + (i * 18);
            AppendMark(svg, mark, color, x0 + 6, cy);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 + 32}\" y=\"{cy + 4}\" font-size=\"12\" fill=\"{AxisColor}\">{Escape(label)}</text>\n");
        }
    }

    // A one-line legend above a panel, right-aligned, so it never hides data.
    private static void AppendLegendRow(StringBuilder svg, List<(string Label, string Color, LegendMark Mark)> entries, double y)
    {
        double x = Width - Right - entries.Sum(e => 44 + (6.6 * e.Label.Length));
        foreach ((string label, string color, LegendMark mark) in entries)
        {
            AppendMark(svg, mark, color, x, y);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 26:0.##}\" y=\"{y + 4}\" font-size=\"12\" fill=\"{AxisColor}\">{Escape(label)}</text>\n");
            x += 44 + (6.6 * label.Length);
        }
    }

    private static void AppendMark(StringBuilder svg, LegendMark mark, string color, double x, double y)
    {
        switch (mark)
        {
            case LegendMark.Dot:
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{x + 10:0.##}\" cy=\"{y}\" r=\"4\" fill=\"{color}\"/>\n");
                break;
            case LegendMark.Cross:
                svg.Append(CultureInfo.InvariantCulture, $"<path d=\"M{x + 6:0.##},{y - 4}L{x + 14:0.##},{y + 4}M{x + 6:0.##},{y + 4}L{x + 14:0.##},{y - 4}\" stroke=\"{color}\" stroke-width=\"1.5\"/>\n");
                break;
            default:
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.##}\" y1=\"{y}\" x2=\"{x + 20:0.##}\" y2=\"{y}\" stroke=\"{color}\" stroke-width=\"2\"{(mark == LegendMark.Dashed ? " stroke-dasharray=\"6 4\"" : "")}/>\n");
                break;
        }
    }

    /// <summary>Step counts as 0, 500, 20k, 1.5M.</summary>
    internal static string FormatSteps(double steps)
    {
        double magnitude = Math.Abs(steps);
        return magnitude >= 1e6 ? (steps / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M"
            : magnitude >= 1e3 ? (steps / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + "k"
            : steps.ToString("0.##", CultureInfo.InvariantCulture);
    }

    private static double[] ColumnOrNaN(ProgressTable table, string name)
    {
        if (table.HasColumn(name))
        {
            return table.Column(name).ToArray();
        }
        var values = new double[table.RowCount];
        Array.Fill(values, double.NaN);
        return values;
    }

    private static double Min(ReadOnlySpan<double> values)
    {
        double m = double.PositiveInfinity;
        foreach (double v in values)
        {
            if (double.IsFinite(v) && v < m)
            {
                m = v;
            }
        }
        return m;
    }

    private static double Max(ReadOnlySpan<double> values)
    {
        double m = double.NegativeInfinity;
        foreach (double v in values)
        {
            if (double.IsFinite(v) && v > m)
            {
                m = v;
            }
        }
        return m;
    }

    private static double LastFinite(double[] values)
    {
        for (int i = values.Length - 1; i >= 0; i--)
        {
            if (double.IsFinite(values[i]))
            {
                return values[i];
            }
        }
        return double.NaN;
    }

    private static string Escape(string text) => SecurityElement.Escape(text);

    private enum LegendMark
    {
        Line,
        Dashed,
        Dot,
        Cross,
    }
}
