using static PsTraining.Torch.torch.nn;

namespace PsTraining.Torch.Modules;

/// <summary>Upsampling by a scale factor, as <c>torch.nn.Upsample(scale_factor=s, mode=...)</c>.</summary>
public sealed class Upsample(double scale_factor, UpsampleMode mode = UpsampleMode.Nearest, bool align_corners = false) : Module
{
    public double ScaleFactor { get; } = scale_factor > 0 ? scale_factor : throw new ArgumentOutOfRangeException(nameof(scale_factor), scale_factor, "must be > 0");

    public override Tensor forward(Tensor input) =>
        functional.interpolate(input, scale_factor: (ScaleFactor, ScaleFactor), mode: mode, align_corners: align_corners);
}
