using System.Text.Json;
using PsTraining.Torch;
using PsTraining.Torch.Modules;
using PsTraining.Torch.Optim;

namespace PsTraining.Models.Tests;

/// <summary>Learning-rate schedules reproduce torch.optim.lr_scheduler's sequences (fixture lr_schedules.json from make_fixtures.py).</summary>
public sealed class ScheduleTests
{
    private const int Steps = 40;

    public static TheoryData<string> Names => new("cyclic_triangular", "cyclic_triangular2", "cyclic_exp_range", "step", "exponential");

    [Theory]
    [MemberData(nameof(Names))]
    public void Schedule_matches_pytorch(string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf("lr_schedules.json")));
        var reference = json.RootElement.GetProperty("schedules").GetProperty(name);
        var expectedLr = reference.GetProperty("lr").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var expectedMomentum = reference.GetProperty("momentum").EnumerateArray().Select(e => e.GetDouble()).ToArray();

        using var p = new Parameter(torch.zeros([1]));
        using var opt = torch.optim.SGD([p], lr: 0.1, momentum: 0.9);
        var scheduler = Make(name, opt);
        var lrs = new double[Steps];
        var momenta = new double[Steps];
        for (var i = 0; i < Steps; i++)
        {
            lrs[i] = opt.param_groups[0].lr;
            momenta[i] = opt.param_groups[0].momentum;
            opt.step();
            scheduler.step();
        }

        for (var i = 0; i < Steps; i++)
        {
            Assert.True(Math.Abs(lrs[i] - expectedLr[i]) <= 1e-12 * Math.Max(1, Math.Abs(expectedLr[i])), $"{name} lr at step {i}: {lrs[i]} but PyTorch has {expectedLr[i]}");
            Assert.True(Math.Abs(momenta[i] - expectedMomentum[i]) <= 1e-12, $"{name} momentum at step {i}: {momenta[i]} but PyTorch has {expectedMomentum[i]}");
        }
    }

    [Fact]
    public void CyclicLR_rejects_bad_options_by_name()
    {
        using var p = new Parameter(torch.zeros([1]));
        using var opt = torch.optim.SGD([p], lr: 0.1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new CyclicLR(opt, 0.001, 0.1, step_size_up: 0));
        Assert.Contains("step_size_up", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CyclicLR(opt, -1, 0.1));
    }

    private static LRScheduler Make(string name, Optimizer opt) => name switch
    {
        "cyclic_triangular" => new CyclicLR(opt, 0.001, 0.1, step_size_up: 4, step_size_down: 6, mode: CyclicLRMode.Triangular),
        "cyclic_triangular2" => new CyclicLR(opt, 0.001, 0.1, step_size_up: 5, mode: CyclicLRMode.Triangular2),
        "cyclic_exp_range" => new CyclicLR(opt, 0.001, 0.1, step_size_up: 3, step_size_down: 7, mode: CyclicLRMode.ExpRange, gamma: 0.97),
        "step" => new StepLR(opt, 7, 0.5),
        "exponential" => new ExponentialLR(opt, 0.9),
        _ => throw new ArgumentException(name),
    };
}
