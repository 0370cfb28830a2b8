using static PsTraining.Torch.torch.nn;

namespace PsTraining.Torch.Modules;

/// <summary>Batch normalisation over (N, H, W) per channel, as <c>torch.nn.BatchNorm2d</c>, with running statistics.</summary>
public sealed class BatchNorm2d : Module
{
    public BatchNorm2d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = true, bool track_running_stats = true, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(num_features, 1, nameof(num_features));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(eps, nameof(eps));
        NumFeatures = num_features;
        Eps = eps;
        Momentum = momentum;
        using var scope = torch.NewDisposeScope();
        if (affine)
        {
            weight = register_parameter("weight", new Parameter(torch.ones([num_features], device: device)));
            bias = register_parameter("bias", new Parameter(torch.zeros([num_features], device: device)));
        }

        if (track_running_stats)
        {
            running_mean = register_buffer("running_mean", torch.zeros([num_features], device: device));
            running_var = register_buffer("running_var", torch.ones([num_features], device: device));
            num_batches_tracked = register_buffer("num_batches_tracked", torch.zeros([], ScalarType.Int64, device));
        }
    }

    public long NumFeatures { get; }

    public double Eps { get; }

    public double Momentum { get; }

    public Parameter? weight { get; }

    public Parameter? bias { get; }

    public Tensor? running_mean { get; }

    public Tensor? running_var { get; }

    public Tensor? num_batches_tracked { get; }

    public override Tensor forward(Tensor input)
    {
        if (input.ndim != 4)
        {
            throw new ArgumentException($"BatchNorm2d expects a 4-D input (N, C, H, W), got [{string.Join(", ", input.shape)}]", nameof(input));
        }

        // As PyTorch: batch statistics in training, or whenever no running statistics are kept.
        var useBatchStats = training || running_mean is null;
        if (training && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(1);
        }

        return functional.batch_norm(input, running_mean, running_var, weight, bias, useBatchStats, Momentum, Eps);
    }
}
