using System.Globalization;
using MemScore.Reporting.Figures;
using MemScore.Storage;

namespace MemScore.Reporting;

/// <summary>
/// Report section 11: train/test loss curves of a `memscore full` run beside the quantiles of M
/// against epoch. A small generalization gap with large upper quantiles of M is the paper's point:
/// memorization is not overfitting (METHOD.md section 1).
/// </summary>
internal static class OverfittingSection
{
    static string F(double v) => double.IsFinite(v) ? v.ToString("F3", CultureInfo.InvariantCulture) : "n/a";

    public static void Append(ReportPage page, FullRunFolder.Manifest manifest, FullCurves curves, string fullRoot)
    {
        var html = page.Html;
        html.Append("<h2>Memorization is not overfitting: train and test loss of the full model</h2>")
            .Append($"<p>One model of the same configuration trained on {manifest.TrainExamples} examples; {manifest.TestExamples} test examples " +
                    $"({System.Net.WebUtility.HtmlEncode(manifest.TestSource)}); losses are per example in eval mode (folder {System.Net.WebUtility.HtmlEncode(fullRoot)}).</p>");
        double[] epochs = Enumerable.Range(1, curves.CompletedEpochs).Select(e => (double)e).ToArray();
        var chart = new Chart("Loss of the full model against epoch", "epoch", "loss per example (nats)")
            .Line("train (eval mode)", epochs, curves.TrainEvalLoss, Chart.Palette[0])
            .Line("test", epochs, curves.TestEvalLoss, Chart.Palette[1]).WholeNumbersOnX().Render();
        var table = new FigureTable("epoch", "train_loss", "test_loss");
        for (int e = 0; e < curves.CompletedEpochs; e++) table.Row(e + 1, curves.TrainEvalLoss[e], curves.TestEvalLoss[e]);
        page.Figure("full_losses", chart, "train and test loss against epoch", table);
        html.Append("<table><tr><th>epoch</th><th>train loss</th><th>test loss</th><th>gap (test - train)</th><th>mean log p(x) train</th><th>mean log p(x) test</th></tr>");
        for (int e = 0; e < curves.CompletedEpochs; e++)
        {
            int k = Array.IndexOf(curves.EvaluationEpochs, e + 1);
            string train = k < 0 ? "" : F(curves.TrainLogP[k].Average()), test = k < 0 ? "" : F(curves.TestLogP[k].Average());
            html.Append($"<tr><td>{e + 1}</td><td>{F(curves.TrainEvalLoss[e])}</td><td>{F(curves.TestEvalLoss[e])}</td>" +
                        $"<td>{F(curves.TestEvalLoss[e] - curves.TrainEvalLoss[e])}</td><td>{train}</td><td>{test}</td></tr>");
        }
        html.Append("</table>");
    }
}
