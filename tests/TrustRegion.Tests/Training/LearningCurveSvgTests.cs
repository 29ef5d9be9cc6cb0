using System.Globalization;
using System.Text;
using System.Xml.Linq;
using TrustRegion.Numerics;
using TrustRegion.Training;

namespace TrustRegion.Tests.Training;

public class LearningCurveSvgTests
{
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    /// <summary>A CartPole-like run: returns rise from ~20 to 500, KL hovers below δ, two rejected steps, evaluations every 10 rows.</summary>
    internal static string SyntheticProgress(int rows = 97, bool withNaNs = true)
    {
        var rng = new Rng(3);
        var csv = new StringBuilder("time/total_steps,time/iterations,rollout/ep_return_mean,train/kl,train/line_search_accepted,eval/mean_return\n");
        for (int i = 1; i <= rows; i++)
        {
            double ret = withNaNs && i == 1 ? double.NaN : 20 + (480 / (1 + Math.Exp(-(i - 45) / 9.0))) + (rng.NextGaussian() * 12);
            bool rejected = i is 30 or 61;
            double kl = rejected ? 0 : 0.006 + (0.003 * rng.NextDouble());
            string eval = i % 10 == 0 ? Math.Min(500, ret + 15).ToString("R", CultureInfo.InvariantCulture) : "";
            csv.Append(CultureInfo.InvariantCulture, $"{i * 1024},{i},{(double.IsNaN(ret) ? "" : ret.ToString("R", CultureInfo.InvariantCulture))},{kl.ToString("R", CultureInfo.InvariantCulture)},{(rejected ? 0 : 1)},{eval}\n");
        }
        return csv.ToString();
    }

    [Fact]
    public void Render_ProducesWellFormedSvgWithTitleAxesAndCurves()
    {
        ProgressTable table = ProgressTable.Parse(SyntheticProgress(), "progress.csv");
        string svg = LearningCurveSvg.Render(table, "CartPole-v1 — seed 0 <test>", targetKl: 0.01);
        XDocument doc = XDocument.Parse(svg);
        string[] texts = [.. doc.Descendants(s_svg + "text").Select(t => t.Value)];
        Assert.Contains("CartPole-v1 — seed 0 <test>", texts);
        Assert.Contains("environment steps", texts);
        Assert.Contains("mean episode return", texts);
        Assert.Contains("KL per update", texts);
        Assert.Contains("trust region δ = 0.01", texts);
        Assert.Contains("line search rejected (2)", texts);
        Assert.Contains("evaluation, deterministic policy", texts);
        // Step ticks at round numbers: 0 to 100k by 20k.
        foreach (string tick in new[] { "0", "20k", "40k", "60k", "80k", "100k" })
        {
            Assert.Contains(tick, texts);
        }
        // Return ticks 0 … 600 by 100 (the values reach ~510).
        Assert.Contains("500", texts);
        Assert.Contains("0.010", texts);
        // The return line starts at row 2 (row 1 has no episode yet), so its path begins with one M and no gap.
        XElement[] paths = [.. doc.Descendants(s_svg + "path").Where(p => (string?)p.Attribute("fill") == "none")];
        Assert.Equal(2, paths.Length); // return and KL
        Assert.Single(paths[0].Attribute("d")!.Value, 'M');
        Assert.Equal(10, doc.Descendants(s_svg + "circle").Count(c => (string?)c.Attribute("fill") == "#ff7f0e" && (string?)c.Attribute("r") == "4"));
    }

    [Fact]
    public void Render_NaNInTheMiddle_BreaksTheLine()
    {
        string csv = "time/total_steps,rollout/ep_return_mean\n1,1\n2,2\n3,\n4,4\n5,5\n";
        string svg = LearningCurveSvg.Render(ProgressTable.Parse(csv, "p"), "t");
        XElement path = XDocument.Parse(svg).Descendants(s_svg + "path").First(p => (string?)p.Attribute("fill") == "none");
        Assert.Equal(2, path.Attribute("d")!.Value.Count(ch => ch == 'M'));
    }

    [Fact]
    public void Render_SingleRowWithoutEpisodes_StillDraws()
    {
        string svg = LearningCurveSvg.Render(ProgressTable.Parse("time/total_steps,train/kl\n2048,0.004\n", "p"), "t");
        Assert.Contains("no episode finished yet", svg, StringComparison.Ordinal);
        XDocument.Parse(svg);
    }

    [Fact]
    public void Render_NoRows_IsRejected() =>
        Assert.Throws<ArgumentException>(() => LearningCurveSvg.Render(ProgressTable.Parse("time/total_steps,a\n", "p"), "t"));

    [Theory]
    [InlineData(0, 100_352, 0, 120_000, 20_000)]
    [InlineData(-500, -80, -500, 0, 100)]
    [InlineData(0, 0.0093, 0, 0.01, 0.002)]
    [InlineData(3, 3, 2.7, 3.3, 0.1)]
    public void NiceScale_CoversTheRangeAtRoundNumbers(double low, double high, double min, double max, double step)
    {
        NiceScale s = NiceScale.For(low, high);
        Assert.Equal(min, s.Min, 9);
        Assert.Equal(max, s.Max, 9);
        Assert.Equal(step, s.Step, 12);
        Assert.True(s.Min <= low && s.Max >= high);
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(512, "512")]
    [InlineData(20_000, "20k")]
    [InlineData(1_500_000, "1.5M")]
    public void FormatSteps_UsesSuffixes(double steps, string expected) =>
        Assert.Equal(expected, LearningCurveSvg.FormatSteps(steps));

    [Fact]
    public void ProgressTable_ParsesAndIgnoresATornLastLine()
    {
        ProgressTable t = ProgressTable.Parse("time/total_steps,a,b\n1,2,\n3,4,5\n5,6", "p.csv");
        Assert.Equal(2, t.RowCount);
        Assert.Equal([1.0, 3.0], t.Column("time/total_steps").ToArray());
        Assert.True(double.IsNaN(t.Column("b")[0]));
        Assert.Throws<KeyNotFoundException>(() => t.Column("c").ToArray());
    }

    [Theory]
    [InlineData("", "no header")]
    [InlineData("step,a\n1,2\n", "first column is 'step'")]
    [InlineData("time/total_steps,a\n1,2,3\n", "line 2: 3 cells, expected 2")]
    [InlineData("time/total_steps,a\n1,x\n", "'x' in column 'a' is not a number")]
    public void ProgressTable_BadFile_IsRejectedWithTheLine(string text, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => ProgressTable.Parse(text, "p.csv"));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("p.csv", e.Message, StringComparison.Ordinal);
    }
}
