using System.Buffers.Binary;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using MemScore.Reporting;
using MemScore.Tests.Support;

namespace MemScore.Tests.Reporting;

[Trait("Tier", "EndToEnd")]
public class ReportTests
{
    [Fact]
    public void Report_of_a_small_run_has_every_figure_and_tile_and_opens_offline()
    {
        using var dir = new TempDirectory();
        var run = CliProcess.Run("run", "--limit", "300", "--folds", "2", "--repeats", "2", "--epochs", "2", "--eval-every", "1",
            "--is-samples", "4", "--threads", "2", "--out", dir["run"]);
        Assert.True(run.ExitCode == 0, run.StdErr);
        var report = CliProcess.Run("report", dir["run"]);
        Assert.True(report.ExitCode == 0, report.StdErr);
        Assert.Contains("(9 figures, 125 image tiles)", report.StdOut);   // 45 in the three grids, 8 per label of 10 in the per-class grid

        string html = File.ReadAllText(dir["run/report/index.html"]);
        var sources = Regex.Matches(html, "src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(9, Regex.Matches(html, "class=\"figure\"").Count);
        Assert.Equal(125, Regex.Matches(html, "class=\"tile\"").Count);
        Assert.DoesNotContain(sources, s => s.StartsWith("http", StringComparison.Ordinal));   // offline
        foreach (string source in sources)
        {
            string path = Path.Combine(dir["run/report"], source);
            Assert.True(new FileInfo(path).Length > 100, $"{source} is missing or empty");
            if (source.EndsWith(".png", StringComparison.Ordinal))
            {
                var png = File.ReadAllBytes(path);
                Assert.Equal(64, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));   // 32x32 digits upscaled 2x
                Assert.Equal(64, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
            }
            else if (source.EndsWith(".svg", StringComparison.Ordinal)) XDocument.Parse(File.ReadAllText(path));
        }
        foreach (string svg in Directory.GetFiles(dir["run/report/figures"], "*.svg"))
        {
            Assert.True(File.Exists(Path.ChangeExtension(svg, ".png")), $"{svg} has no PNG beside it");
            Assert.True(File.Exists(Path.ChangeExtension(svg, ".csv")), $"{svg} has no CSV beside it");
        }
        Assert.True(File.Exists(dir["run/report/explorer/data.js"]) && File.Exists(dir["run/report/explorer/sheet_0.png"]), "explorer files");
        foreach (string data in new[] { "numbers.json", "per_class.csv", "u_bins.csv", "uncertainty.csv" })
            Assert.True(File.Exists(Path.Combine(dir["run/report"], data)), data);
        Assert.Equal(301, File.ReadAllLines(dir["run/report/uncertainty.csv"]).Length);
        Assert.StartsWith("index,label,M,M_lo,M_hi,p,q,null_bias,shift_estimate,M_balanced", File.ReadAllText(dir["run/report/uncertainty.csv"]));
        // K = 2, L = 2: four relabellings, smallest p 1/4: the report leads by saying nothing can be declared.
        int lead = html.IndexOf("class=\"lead\"", StringComparison.Ordinal);
        Assert.True(lead >= 0 && lead < html.IndexOf("<h2>", StringComparison.Ordinal), "the significance statement comes first");
        Assert.Contains("This design cannot declare any example memorized at FDR 10%", html);
        Assert.Contains("top 5% by M (chosen on repeats 1-1, scored on the others)", html);
        Assert.Contains("cannot declare any example", report.StdOut);
    }

    [ChromiumFact]
    public async Task Page_checker_detects_broken_images_and_console_errors()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["bad.html"], "<html><body><img src=\"missing.png\"><script>console.error('boom')</script></body></html>");
        var page = await HeadlessChromium.CheckAsync(dir["bad.html"], TimeSpan.FromSeconds(60));
        Assert.Equal(1, page.Images);
        Assert.Equal(1, page.BrokenImages);
        Assert.Contains(page.ConsoleErrors, e => e.Contains("boom"));
    }

    [Fact]
    public void Report_with_a_full_run_adds_the_loss_view_the_nearest_neighbour_test_and_CT()
    {
        using var dir = new TempDirectory();
        string[] data = ["--limit", "300", "--epochs", "2", "--eval-every", "1", "--is-samples", "4", "--threads", "2"];
        Assert.Equal(0, CliProcess.Run(["run", .. data, "--folds", "2", "--repeats", "2", "--out", dir["run"]]).ExitCode);
        var full = CliProcess.Run(["full", .. data, "--test-fraction", "0.2", "--out", dir["full"]]);
        Assert.True(full.ExitCode == 0, full.StdErr);
        var report = CliProcess.Run("report", dir["run"], "--full", dir["full"]);
        Assert.True(report.ExitCode == 0, report.StdErr);
        Assert.Contains("(13 figures, 125 image tiles)", report.StdOut);   // 9 + loss curves + early stopping + rho histogram + rho against M
        // As many generated images as test images; by default decoder means against grey-level images (the paper's way).
        Assert.Contains("Nearest-neighbour test on 60 decoder means of the full model against grey-level images", report.StdOut);
        string html = File.ReadAllText(dir["run/report/index.html"]);
        Assert.Contains("Memorization is not overfitting", html);
        Assert.Contains("Early stopping on the held-out loss", html);
        Assert.Contains("C_T data-copying statistic", html);
        // The full model trains on 240 of the 300 examples, all of them scored in the run.
        var rho = File.ReadAllLines(dir["run/report/rho.csv"]);
        Assert.Equal(241, rho.Length);
        Assert.All(rho.Skip(1), line => Assert.True(line.Split(',')[3] == "inf" || double.Parse(line.Split(',')[3], System.Globalization.CultureInfo.InvariantCulture) > 0, line));
        using (var numbers = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir["run/report/numbers.json"])))
        {
            double spearman = numbers.RootElement.GetProperty("spearman_rho_m").GetDouble();
            Assert.InRange(spearman, -1, 1);
            Assert.True(double.IsFinite(numbers.RootElement.GetProperty("data_copying_ct").GetDouble()));
            Assert.Equal("decoder means", numbers.RootElement.GetProperty("sample_images").GetString());
            Assert.Equal("grey-level", numbers.RootElement.GetProperty("sample_references").GetString());
            Assert.True(numbers.RootElement.GetProperty("rho_infinite").GetInt32() >= 0);
        }
        Assert.Contains("have rho = +inf", File.ReadAllText(dir["run/report/index.html"]));

        // The option: stochastic samples redrawn like the scored data, against the scored images.
        var stochastic = CliProcess.Run("report", dir["run"], "--full", dir["full"], "--stochastic-samples");
        Assert.True(stochastic.ExitCode == 0, stochastic.StdErr);
        Assert.Contains("Nearest-neighbour test on 60 stochastic samples of the full model against scored images", stochastic.StdOut);
        using (var numbers = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir["run/report/numbers.json"])))
        {
            Assert.Equal("stochastic samples", numbers.RootElement.GetProperty("sample_images").GetString());
            Assert.Equal("scored", numbers.RootElement.GetProperty("sample_references").GetString());
            Assert.True(double.IsFinite(numbers.RootElement.GetProperty("data_copying_ct").GetDouble()));
        }
        Assert.Equal(241, File.ReadAllLines(dir["run/report/rho.csv"]).Length);

        var withoutFull = CliProcess.Run("report", dir["run"], "--stochastic-samples");
        Assert.Equal(2, withoutFull.ExitCode);
        Assert.Contains("stochastic-samples", withoutFull.StdErr);
    }

    [ChromiumFact]
    public async Task Report_page_renders_in_headless_chromium_without_broken_images_or_errors()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, CliProcess.Run("run", "--limit", "300", "--folds", "2", "--repeats", "2", "--epochs", "1",
            "--is-samples", "4", "--threads", "2", "--out", dir["run"]).ExitCode);
        Assert.Equal(0, CliProcess.Run("full", "--limit", "300", "--epochs", "1", "--is-samples", "4", "--threads", "2", "--out", dir["full"]).ExitCode);
        Assert.Equal(0, CliProcess.Run("report", dir["run"], "--full", dir["full"]).ExitCode);
        var page = await HeadlessChromium.CheckAsync(dir["run/report/index.html"], TimeSpan.FromSeconds(60));
        Assert.Equal(13 + 125, page.Images);
        Assert.Equal(0, page.BrokenImages);
        Assert.Empty(page.ConsoleErrors);
        Assert.True(page.Screenshot.Length > 10_000, $"screenshot of {page.Screenshot.Length} bytes");
        File.WriteAllBytes(dir["run/report/screenshot.png"], page.Screenshot);
        Assert.Equal(1200, BinaryPrimitives.ReadInt32BigEndian(page.Screenshot.AsSpan(16)));
    }
}

[Trait("Tier", "EndToEnd")]
public class CompareTests
{
    [Fact]
    public void Compare_overlays_runs_and_lists_the_largest_changes()
    {
        using var dir = new TempDirectory();
        string[] tiny = ["run", "--limit", "300", "--folds", "2", "--repeats", "1", "--epochs", "2", "--eval-every", "1", "--is-samples", "4", "--threads", "2"];
        Assert.Equal(0, CliProcess.Run([.. tiny, "--out", dir["lr3"]]).ExitCode);
        Assert.Equal(0, CliProcess.Run([.. tiny, "--lr", "0.0001", "--out", dir["lr4"]]).ExitCode);
        var compare = CliProcess.Run("compare", dir["lr3"], dir["lr4"], "--out", dir["cmp"]);
        Assert.True(compare.ExitCode == 0, compare.StdErr);
        Assert.Contains("Comparison of 2 runs", compare.StdOut);
        string html = File.ReadAllText(dir["cmp/index.html"]);
        Assert.Equal(2, Regex.Matches(html, "class=\"figure\"").Count);
        Assert.Contains("<th>learning-rate</th>", html);               // the only differing setting
        Assert.DoesNotContain("<th>epochs</th>", html);
        Assert.Equal(15 + 1, Regex.Matches(html[html.IndexOf("class=\"changes\"", StringComparison.Ordinal)..], "<tr>").Count);
        Assert.Contains("too small for bounded intervals", html);   // K = 2, L = 1: two relabellings, no interval, raw ranking with a warning
        var quantiles = File.ReadAllLines(dir["cmp/quantiles.csv"]);
        Assert.Equal(3, quantiles.Length);
        Assert.StartsWith("lr3,300,2,", quantiles[1]);
        foreach (string svg in Directory.GetFiles(dir["cmp/figures"], "*.svg")) XDocument.Parse(File.ReadAllText(svg));

        var single = CliProcess.Run("compare", dir["lr3"], "--out", dir["cmp2"]);
        Assert.Equal(2, single.ExitCode);
        Assert.Contains("expected at least 2 run folders", single.StdErr);
    }
}
