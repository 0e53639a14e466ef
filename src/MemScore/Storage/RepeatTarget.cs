using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MemScore.Analysis;
using MemScore.Configuration;
using MemScore.Core;

namespace MemScore.Storage;

/// <summary>
/// --target-reliability R --max-repeats N: the plan holds N repeats, and repeats stop being trained once
/// the predicted seed-to-seed Spearman of the M ranking (<see cref="RankingReliability"/>) of the first L
/// complete repeats reaches R, L from <see cref="MinRepeats"/>. Not part of the config hash: task files
/// are those of a plain run with --repeats N. Recorded in the run folder's target.json so that `task`
/// (Slurm), `aggregate` and `report` apply the same rule.
/// </summary>
internal sealed record RepeatTarget(double Reliability, int MaxRepeats, EstimatorKind Estimator = EstimatorKind.Paper)
{
    /// <summary>The fewest repeats a stop is decided on (the predictor needs repeats to compare).</summary>
    public const int MinRepeats = 2;

    public const string FileName = "target.json";

    /// <summary>The rule from the two flags (both or neither), refusing values outside R in (0, 1), N >= 2.</summary>
    public static RepeatTarget? FromFlags(double? reliability, int? maxRepeats, EstimatorKind estimator)
    {
        if (reliability is null && maxRepeats is null) return null;
        if (reliability is null)
            throw new InvalidConfigurationException($"max-repeats = {maxRepeats}: goes with --target-reliability R (repeats are added until the ranking's predicted reliability reaches R); for a fixed number use --repeats");
        if (!(reliability > 0 && reliability < 1))
            throw new InvalidConfigurationException(FormattableString.Invariant($"target-reliability = {reliability}: expected a number in (0, 1) (the predicted seed-to-seed Spearman of M to reach)"));
        if (maxRepeats is null)
            throw new InvalidConfigurationException(FormattableString.Invariant($"target-reliability = {reliability}: needs --max-repeats N (the most repeats to train, >= {MinRepeats})"));
        if (maxRepeats < MinRepeats)
            throw new InvalidConfigurationException($"max-repeats = {maxRepeats}: expected an integer >= {MinRepeats} (the reliability is predicted from {MinRepeats} repeats on)");
        return new RepeatTarget(reliability.Value, maxRepeats.Value, estimator);
    }

    /// <summary>The config must plan exactly N repeats and keep every model's value of every example (the predictor needs them).</summary>
    public void RequireCompatible(ExperimentConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Repeats != MaxRepeats)
            throw new InvalidConfigurationException($"repeats = {config.Repeats}: --max-repeats {MaxRepeats} plans {MaxRepeats} repeats; give one of --repeats and --max-repeats");
        if (config.InModels is not null)
            throw new InvalidConfigurationException($"in-models = {config.InModels}: --target-reliability predicts the ranking's reliability from every model's log p of every example, which --in-models does not keep");
    }

    public static string PathIn(RunFolder folder) => Path.Combine(folder.Root, FileName);

    public void Write(RunFolder folder) => AtomicFile.WriteAllText(PathIn(folder), new JsonObject
    {
        ["target_reliability"] = Reliability,
        ["max_repeats"] = MaxRepeats,
        ["min_repeats"] = MinRepeats,
        ["estimator"] = Estimators.Name(Estimator),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>The rule recorded in the run folder, or null for a plain run; a damaged file is an error naming it.</summary>
    public static RepeatTarget? Read(RunFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string path = PathIn(folder);
        if (!File.Exists(path)) return null;
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new JsonException("empty");
            var target = FromFlags(json["target_reliability"]?.GetValue<double>(), json["max_repeats"]?.GetValue<int>(),
                Estimators.Parse(json["estimator"]?.GetValue<string>()));
            return target ?? throw new JsonException("no target_reliability or max_repeats");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or MemScoreException)
        {
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: not a valid target file ({e.Message}); delete it to run without a target, or plan the run again");
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"target reliability {Reliability:0.###} within {MaxRepeats} repeats");
}
