using static TorchSharp.torch.optim;
using Mode = TorchSharp.torch.optim.lr_scheduler.impl.CyclicLR.Mode;
using ScaleMode = TorchSharp.torch.optim.lr_scheduler.impl.CyclicLR.ScaleMode;

namespace PsTraining.Models.Torch;

/// <summary>
/// PyTorch's <c>torch.optim.lr_scheduler.CyclicLR</c> (Smith 2017), with PyTorch's arguments, as TorchSharp's own CyclicLR
/// given the arguments that make it compute PyTorch's sequence. TorchSharp 0.107 departs from PyTorch in two places:
/// it cycles the momentum upwards from max_momentum (max + amplitude·scale, where PyTorch has max − amplitude·scale), and
/// its exp_range mode scales by γ^cycle instead of γ^iteration. Its parameters can still say PyTorch's schedule: a
/// base_momentum of 2·max − base (the amplitude negated), and for exp_range a scale function γ^x on iterations.
/// tests/Models.Tests/ScheduleTests checks every mode against PyTorch's sequences, and pins the departure so that a
/// TorchSharp that fixes it shows up.
/// </summary>
public static class PyTorchCyclicLR
{
    public static lr_scheduler.LRScheduler Create(Optimizer optimizer, double baseLr, double maxLr, int stepSizeUp = 2000, int? stepSizeDown = null,
        Mode mode = Mode.Triangular, double gamma = 1.0, bool cycleMomentum = true, double baseMomentum = 0.8, double maxMomentum = 0.9)
    {
        var negatedAmplitude = (2 * maxMomentum) - baseMomentum;
        return mode == Mode.ExpRange
            ? lr_scheduler.CyclicLR(optimizer, baseLr, maxLr, stepSizeUp, stepSizeDown ?? -1, scale_fn: x => Math.Pow(gamma, x),
                scale_mode: ScaleMode.Iterations, cycle_momentum: cycleMomentum, base_momentum: negatedAmplitude, max_momentum: maxMomentum)
            : lr_scheduler.CyclicLR(optimizer, baseLr, maxLr, stepSizeUp, stepSizeDown ?? -1, mode, gamma,
                cycle_momentum: cycleMomentum, base_momentum: negatedAmplitude, max_momentum: maxMomentum);
    }
}
