using static MemScore.Reporting.ReportPage;

namespace MemScore.Reporting.Sections;

/// <summary>What was trained and how much of it finished.</summary>
internal static class RunSection
{
    public static void Append(ReportPage page, RunSummary r) =>
        page.Html.Append("<h2>Run</h2><table>")
            .Append(Row("data", $"{r.Dataset}, {r.Examples} examples, {string.Join("x", r.ImageShape)}"))
            .Append(Row("model", r.Model)).Append(Row("folds K x repeats L", $"{r.Folds} x {r.Repeats} ({r.TasksFinished}/{r.TaskCount} tasks finished)"))
            .Append(r.InModels is int kept ? Row("in-models per example", $"{kept} of {r.Repeats * (r.Folds - 1)} (--in-models: a seeded subset)") : "")
            .Append(Row("epochs / evaluated at", $"{r.Epochs} / {string.Join(", ", r.EvaluationEpochs)}")).Append(Row("importance samples S", $"{r.ImportanceSamples}"))
            .Append(Row("learning rate, batch", $"{r.LearningRate}, {r.BatchSize}")).Append(Row("seed, threads", $"{r.Seed}, {r.Threads}"))
            .Append(Row("versions", r.Versions))
            .Append(Row("compute", $"{r.ComputeSeconds:F0} s over {r.TasksFinished} tasks")).Append("</table>");
}
