using MemScore.Cli.Commands;
using MemScore.Configuration;
using MemScore.Core;

namespace MemScore.Tests.Cli;

public class SweepArgumentsTests
{
    [Fact]
    public void Run_gets_fold_flags_full_gets_test_fraction_and_a_varied_flag_replaces_the_shared_one()
    {
        var arguments = new SweepArguments(["sweep", "--out", "S", "--limit", "40", "--folds", "3", "--test-fraction", "0.2", "--lr=3e-4", "--epochs", "5",
            "--vary", "epochs=10,20", "--vary", "flip=true,false", "--slurm"], ["epochs=10,20", "flip=true,false"]);
        Assert.Equal(["--limit", "40", "--folds", "3", "--test-fraction", "0.2", "--lr=3e-4"], arguments.BaseArguments);
        var point = SweepGrid.Points(arguments.Axes)[0];
        Assert.Equal(["run", "--limit", "40", "--folds", "3", "--lr=3e-4", "--epochs", "10", "--flip", "--out", "R"], arguments.Run(point, "R"));
        Assert.Equal(["full", "--limit", "40", "--test-fraction", "0.2", "--lr=3e-4", "--epochs", "10", "--flip", "--out", "F"], arguments.Full(point, "F"));
        var noFlip = SweepGrid.Points(arguments.Axes)[1];
        Assert.DoesNotContain("--flip", arguments.Run(noFlip, "R"));
    }

    [Fact]
    public void A_value_that_means_absent_leaves_the_flag_out_and_an_alias_is_replaced_too()
    {
        var arguments = new SweepArguments(["sweep", "--lr", "1e-3", "--workers", "2"], ["learning-rate=none,1e-4"]);
        var points = SweepGrid.Points(arguments.Axes);
        Assert.Equal(["run", "--workers", "2", "--out", "R"], arguments.Run(points[0], "R"));
        Assert.Equal(["full", "--learning-rate", "1e-4", "--out", "F"], arguments.Full(points[1], "F"));
        Assert.Equal(["plan", "--learning-rate", "1e-4", "--out", "R"], arguments.Plan(points[1], "R"));
    }

    [Theory]
    [InlineData("dropuot=0,1", "vary = dropuot: not a flag of `memscore run` or `memscore full`")]
    [InlineData("out=a,b", "vary = out: not a flag")]
    [InlineData("flip=1,0", "--flip takes no value; vary it over true,false")]
    public void A_lever_that_is_no_flag_of_run_or_full_is_refused(string vary, string expected) =>
        Assert.Contains(expected, Assert.Throws<InvalidConfigurationException>(() => new SweepArguments(["sweep"], [vary])).Message);
}
