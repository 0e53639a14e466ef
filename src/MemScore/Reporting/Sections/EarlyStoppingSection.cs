using MemScore.Analysis;
using MemScore.Reporting.Figures;
using MemScore.Storage;
using static MemScore.Reporting.ReportPage;

namespace MemScore.Reporting.Sections;

/// <summary>
/// With --full: the epoch a validation-loss rule would stop the full model at (<see cref="EarlyStopping"/>), and the
/// quantiles of M at the nearest evaluation epoch at or before the epoch it keeps, beside those at the last epoch.
/// </summary>
internal static class EarlyStoppingSection
{
    public static void Append(ReportPage page, ReportNumbers n, FullCurves curves, int patience)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(n);
        ArgumentNullException.ThrowIfNull(curves);
        var html = page.Html;
        html.Append("<h3>Early stopping on the held-out loss</h3>");
        if (curves.CompletedEpochs == 0) { html.Append("<p>The full run has no finished epoch.</p>"); return; }
        var stop = EarlyStopping.Decide(curves.TestEvalLoss, patience);
        html.Append($"<p>Rule: after each epoch compare the full model's test loss with the lowest so far; stop after {patience} epoch{(patience == 1 ? "" : "s")} " +
                    $"without a strictly lower loss and keep the model of the best epoch (patience {patience}; <code>memscore report --early-stop-patience P</code>). ")
            .Append(stop.StopEpoch is int s
                ? $"It stops after epoch {s} of {curves.CompletedEpochs} and keeps epoch {stop.BestEpoch} (test loss {F(stop.BestLoss)}).</p>"
                : $"It does not stop within the {curves.CompletedEpochs} epochs; the lowest test loss is at epoch {stop.BestEpoch} ({F(stop.BestLoss)}).</p>");
        html.Append("<p>The rule is decided on the full model's held-out loss and read off the fold models of the same config, which train on " +
                    "(K-1)/K of the examples; the examples being scored never drive it.</p>");
        AppendChart(page, curves, stop);
        AppendQuantiles(html, n, stop);
    }

    static void AppendChart(ReportPage page, FullCurves curves, EarlyStop stop)
    {
        double[] epochs = Enumerable.Range(1, curves.CompletedEpochs).Select(e => (double)e).ToArray();
        var chart = new Chart("Test loss of the full model and the early-stopping epoch", "epoch", "test loss per example (nats)")
            .Line("test loss", epochs, curves.TestEvalLoss, Chart.Palette[1])
            .VerticalMarker(stop.BestEpoch, $"kept: epoch {stop.BestEpoch}", Chart.Palette[3]);
        if (stop.StopEpoch is int s) chart.VerticalMarker(s, $"stop: epoch {s}", Chart.Palette[5]);
        var table = new FigureTable("epoch", "test_loss", "kept", "stopped");
        for (int e = 0; e < curves.CompletedEpochs; e++) table.Row(e + 1, curves.TestEvalLoss[e], e + 1 == stop.BestEpoch ? 1 : 0, e + 1 == stop.StopEpoch ? 1 : 0);
        page.Figure("early_stopping", chart.WholeNumbersOnX().LegendBelow().Render(), "test loss against epoch with the early-stopping epoch", table);
    }

    static void AppendQuantiles(System.Text.StringBuilder html, ReportNumbers n, EarlyStop stop)
    {
        IReadOnlyList<int> epochs = n.Scores.EvaluationEpochs;
        int last = epochs.Count - 1;
        if (EarlyStopping.EvaluationAtOrBefore(epochs, stop.BestEpoch) is not int k)
        {
            html.Append($"<p>The run evaluated M only at epoch{(epochs.Count == 1 ? "" : "s")} {string.Join(", ", epochs)}, none at or before epoch {stop.BestEpoch}: " +
                        "rerun with <code>--eval-every</code> at most that epoch to see M where the rule stops.</p>");
            return;
        }
        html.Append(epochs[k] == stop.BestEpoch
            ? $"<p>Quantiles of M at the kept epoch {stop.BestEpoch} and at the last epoch {epochs[last]}:</p>"
            : $"<p>Quantiles of M at epoch {epochs[k]}, the nearest evaluation epoch at or before the kept epoch {stop.BestEpoch}, and at the last epoch {epochs[last]}:</p>");
        html.Append($"<table><tr><th>quantile</th><th>M at epoch {epochs[k]}</th><th>M at epoch {epochs[last]}</th></tr>");
        for (int q = 0; q < ReportNumbers.QuantileLevels.Length; q++)
            html.Append($"<tr><td>{ReportNumbers.QuantileLevels[q]}</td><td>{F(n.QuantilesByEpoch[q][k])}</td><td>{F(n.QuantilesByEpoch[q][last])}</td></tr>");
        html.Append("</table>");
    }
}
