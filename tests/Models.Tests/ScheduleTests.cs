using System.Text.Json;
using PsTraining.Models.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.optim.lr_scheduler;
using CyclicMode = TorchSharp.torch.optim.lr_scheduler.impl.CyclicLR.Mode;

namespace PsTraining.Models.Tests;

/// <summary>
/// TorchSharp's learning-rate schedules against torch.optim.lr_scheduler's sequences (fixture lr_schedules.json from
/// make_fixtures.py, 40 steps of SGD with lr 0.1 and momentum 0.9), learning rate and momentum.
/// </summary>
/// <remarks>
/// CyclicLR goes through <see cref="PyTorchCyclicLR"/>, which gives TorchSharp 0.107's CyclicLR the arguments that make
/// PyTorch's sequence; <see cref="TorchSharp_cyclic_lr_departs_from_pytorch_as_known"/> pins why that is needed.
/// </remarks>
public sealed class ScheduleTests
{
    private const int Steps = 40;

    /// <summary>PyTorch's default max_momentum of CyclicLR.</summary>
    private const double MaxMomentum = 0.9;

    public static TheoryData<string> Names => new("cyclic_triangular", "cyclic_triangular2", "cyclic_exp_range", "step", "exponential");

    [Theory]
    [MemberData(nameof(Names))]
    public void Schedule_matches_pytorch(string name)
    {
        var (expectedLr, expectedMomentum) = Reference(name);
        var (lrs, momenta) = Run(opt => Make(name, opt));
        for (var i = 0; i < Steps; i++)
        {
            Assert.True(Math.Abs(lrs[i] - expectedLr[i]) <= 1e-12 * Math.Max(1, Math.Abs(expectedLr[i])), $"{name} lr at step {i}: {lrs[i]} but PyTorch has {expectedLr[i]}");
            Assert.True(Math.Abs(momenta[i] - expectedMomentum[i]) <= 1e-12, $"{name} momentum at step {i}: {momenta[i]} but PyTorch has {expectedMomentum[i]}");
        }
    }

    [Fact]
    public void TorchSharp_cyclic_lr_departs_from_pytorch_as_known()
    {
        // If this fails after a TorchSharp upgrade, CyclicLR was fixed: drop PyTorchCyclicLR's translation (src/Models/Torch) and use TorchSharp's CyclicLR directly.
        var (triangularLr, triangularMomentum) = Reference("cyclic_triangular");
        var (lrs, momenta) = Run(opt => CyclicLR(opt, 0.001, 0.1, step_size_up: 4, step_size_down: 6, mode: CyclicMode.Triangular));
        Assert.Equal(triangularLr, lrs, (a, b) => Math.Abs(a - b) <= 1e-12);
        // Momentum mirrored about max_momentum: 0.9 + (0.9 − PyTorch's).
        Assert.Equal(triangularMomentum.Select(m => (2 * MaxMomentum) - m), momenta, (a, b) => Math.Abs(a - b) <= 1e-12);

        var (expRangeLr, _) = Reference("cyclic_exp_range");
        var (exp, _) = Run(opt => CyclicLR(opt, 0.001, 0.1, step_size_up: 3, step_size_down: 7, mode: CyclicMode.ExpRange, gamma: 0.97));
        Assert.Equal(expRangeLr[1], exp[1], 12); // iteration 1 of cycle 1: gamma^1 either way
        Assert.Equal(0.001 + (0.099 * 2 / 3 * 0.97), exp[2], 12); // gamma^cycle, where PyTorch has gamma^2
        Assert.NotEqual(expRangeLr[2], exp[2], 6);
    }

    private static (double[] Lr, double[] Momentum) Reference(string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf("lr_schedules.json")));
        var reference = json.RootElement.GetProperty("schedules").GetProperty(name);
        return ([.. reference.GetProperty("lr").EnumerateArray().Select(e => e.GetDouble())],
            [.. reference.GetProperty("momentum").EnumerateArray().Select(e => e.GetDouble())]);
    }

    /// <summary>The learning rate and momentum in force at each of <see cref="Steps"/> optimiser steps, as make_fixtures.py records them.</summary>
    private static (double[] Lr, double[] Momentum) Run(Func<optim.Optimizer, LRScheduler> schedule)
    {
        using var p = new Parameter(zeros([1]));
        using var opt = optim.SGD([p], 0.1, momentum: 0.9);
        var scheduler = schedule(opt);
        var lrs = new double[Steps];
        var momenta = new double[Steps];
        for (var i = 0; i < Steps; i++)
        {
            lrs[i] = opt.ParamGroups.First().LearningRate;
            momenta[i] = ((optim.IMomentum)opt.ParamGroups.First()).Momentum;
            opt.step();
            scheduler.step();
        }

        return (lrs, momenta);
    }

    /// <summary>make_fixtures.py's schedules: CyclicLR through <see cref="PyTorchCyclicLR"/>, with PyTorch's arguments.</summary>
    private static LRScheduler Make(string name, optim.Optimizer opt) => name switch
    {
        "cyclic_triangular" => PyTorchCyclicLR.Create(opt, 0.001, 0.1, stepSizeUp: 4, stepSizeDown: 6, mode: CyclicMode.Triangular),
        "cyclic_triangular2" => PyTorchCyclicLR.Create(opt, 0.001, 0.1, stepSizeUp: 5, mode: CyclicMode.Triangular2),
        "cyclic_exp_range" => PyTorchCyclicLR.Create(opt, 0.001, 0.1, stepSizeUp: 3, stepSizeDown: 7, mode: CyclicMode.ExpRange, gamma: 0.97),
        "step" => StepLR(opt, 7, 0.5),
        "exponential" => ExponentialLR(opt, 0.9),
        _ => throw new ArgumentException(name),
    };

}
