using MemScore.Reporting.Figures;

namespace MemScore.Reporting.Sections;

/// <summary>Quantiles of M against epoch (the paper's figure of memorization over training).</summary>
internal static class TrainingSection
{
    public static void Append(ReportPage page, ReportNumbers n)
    {
        page.Html.Append("<h2>Memorization over training</h2>");
        double[] epochs = n.Scores.EvaluationEpochs.Select(e => (double)e).ToArray();
        var chart = new Chart("Quantiles of M against epoch", "epoch", "M (nats)");
        var table = new FigureTable(["epoch", .. ReportNumbers.QuantileLevels.Select(q => $"q{q}")]);
        for (int k = 0; k < ReportNumbers.QuantileLevels.Length; k++)
            chart.Line($"{ReportNumbers.QuantileLevels[k]} quantile", epochs, n.QuantilesByEpoch[k], Chart.Palette[k], markers: true);
        for (int c = 0; c < epochs.Length; c++) table.Row([epochs[c], .. n.QuantilesByEpoch.Select(q => (object)q[c])]);
        page.Figure("m_quantiles_by_epoch", chart.WholeNumbersOnX().LegendBelow().Render(), "quantiles of M against epoch", table);
    }
}
