using MemScore.Configuration;
using MemScore.Core;

namespace MemScore.Tests.Configuration;

public class SweepGridTests
{
    [Fact]
    public void Inf_and_none_mean_the_flag_is_left_out()
    {
        var axis = SweepGrid.ParseAxis("dp-epsilon=inf,8,None,2");
        Assert.Equal("dp-epsilon", axis.Key);
        Assert.Equal([null, "8", null, "2"], axis.Values);
    }

    [Fact]
    public void The_points_are_every_combination_the_last_lever_fastest_with_file_name_safe_names()
    {
        var points = SweepGrid.Points(SweepGrid.ParseAxes(["epochs=60,20", "weight-decay=0,1e-3", "model-option=dropout=0.2"]));
        Assert.Equal(
            ["epochs-60_weight-decay-0_model-option-dropout-0.2", "epochs-60_weight-decay-1e-3_model-option-dropout-0.2",
             "epochs-20_weight-decay-0_model-option-dropout-0.2", "epochs-20_weight-decay-1e-3_model-option-dropout-0.2"],
            points.Select(p => p.Name));
        Assert.Equal("epochs=20, weight-decay=1e-3, model-option=dropout=0.2", points[3].Describe());
    }

    [Theory]
    [InlineData("weight-decay", "expected KEY=V1,V2")]
    [InlineData("=1,2", "expected KEY=V1,V2")]
    [InlineData("weight-decay=0,,1", "an empty value")]
    [InlineData("weight-decay=1,1", "listed twice")]
    public void A_malformed_lever_is_refused_naming_it(string text, string expected)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => SweepGrid.ParseAxis(text));
        Assert.Contains($"vary = '{text}'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Values_that_name_the_same_folder_and_repeated_levers_are_refused()
    {
        Assert.Contains("share the folder name", Assert.Throws<InvalidConfigurationException>(() => SweepGrid.Points(SweepGrid.ParseAxes(["data-dir=a/b,a b"]))).Message);
        Assert.Contains("given twice", Assert.Throws<InvalidConfigurationException>(() => SweepGrid.ParseAxes(["epochs=1", "epochs=2"])).Message);
        Assert.Contains("no lever given", Assert.Throws<InvalidConfigurationException>(() => SweepGrid.ParseAxes([])).Message);
    }
}
