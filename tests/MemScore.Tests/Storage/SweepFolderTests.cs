using MemScore.Configuration;
using MemScore.Core;
using MemScore.Storage;
using MemScore.Tests.Support;

namespace MemScore.Tests.Storage;

public class SweepFolderTests
{
    static SweepManifest Manifest(params string[] varies) => new(["--limit", "40"], SweepGrid.ParseAxes(varies));

    [Fact]
    public void Sweep_json_round_trips_and_a_rerun_with_the_same_sweep_is_accepted()
    {
        using var dir = new TempDirectory();
        var folder = new SweepFolder(dir["sweep"]);
        folder.WriteOrCheck(Manifest("weight-decay=0,1", "dp-epsilon=inf,8"));
        folder.WriteOrCheck(Manifest("weight-decay=0,1", "dp-epsilon=inf,8"));
        var read = folder.Read();
        Assert.Equal(["--limit", "40"], read.BaseArguments);
        Assert.Equal([null, "8"], read.Axes[1].Values);
        Assert.Equal(4, read.Points.Count);
        Assert.Equal(Path.Combine(folder.Root, "points", "weight-decay-1_dp-epsilon-none", "run"), folder.RunPath(read.Points[2]));
    }

    [Fact]
    public void A_rerun_with_other_flags_or_levers_is_refused_and_changes_nothing()
    {
        using var dir = new TempDirectory();
        var folder = new SweepFolder(dir["sweep"]);
        folder.WriteOrCheck(Manifest("weight-decay=0,1"));
        string before = File.ReadAllText(folder.ManifestPath);
        var levers = Assert.Throws<MemScoreException>(() => folder.WriteOrCheck(Manifest("weight-decay=0,3")));
        Assert.Contains("records the levers weight-decay=0,1, this sweep varies weight-decay=0,3", levers.Message);
        var flags = Assert.Throws<MemScoreException>(() => folder.WriteOrCheck(new SweepManifest(["--limit", "50"], SweepGrid.ParseAxes(["weight-decay=0,1"]))));
        Assert.Contains("records the flags '--limit 40'", flags.Message);
        Assert.Equal(before, File.ReadAllText(folder.ManifestPath));
    }

    [Theory]
    [InlineData("not json", "not a valid sweep manifest")]
    [InlineData("""{"axes":[]}""", "'base_arguments' is missing")]
    [InlineData("""{"base_arguments":[],"axes":[]}""", "'axes' is empty")]
    [InlineData("""{"base_arguments":[],"axes":[{"key":"epochs"}]}""", "axis 'epochs' has no 'values' list")]
    public void A_damaged_sweep_json_is_refused_naming_the_field(string text, string expected)
    {
        using var dir = new TempDirectory();
        var folder = new SweepFolder(dir.Path);
        File.WriteAllText(folder.ManifestPath, text);
        var error = Assert.Throws<MemScoreException>(() => folder.Read());
        Assert.Equal(ErrorKind.RunFolder, error.Kind);
        Assert.Contains(folder.ManifestPath, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_folder_that_is_not_a_sweep_is_refused()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["thesis.tex"], "x");
        var error = Assert.Throws<MemScoreException>(() => new SweepFolder(dir.Path).WriteOrCheck(Manifest("epochs=1,2")));
        Assert.Contains("is not a MemScore sweep folder", error.Message);
        Assert.False(File.Exists(dir["sweep.json"]));
    }
}
