using PsTraining.Torch;
using PsTraining.Torch.Modules;

namespace PsTraining.Models.Zoo;

/// <summary>
/// LeNet-5 for 32×32 inputs of 1 or 3 channels: conv 5×5 (6) → ReLU → max-pool 2 → conv 5×5 (16) → ReLU →
/// max-pool 2 → fc 400→120 → ReLU → fc 120→84 → ReLU → fc 84→classes. 61,706 parameters with one channel.
/// </summary>
public sealed class LeNet5 : Module
{
    public LeNet5(long inChannels = 1, long numClasses = 10)
    {
        if (inChannels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "LeNet-5 takes 1 or 3 input channels");
        }

        conv1 = register_module("conv1", new Conv2d(inChannels, 6, 5));
        conv2 = register_module("conv2", new Conv2d(6, 16, 5));
        fc1 = register_module("fc1", new Linear(16 * 5 * 5, 120));
        fc2 = register_module("fc2", new Linear(120, 84));
        fc3 = register_module("fc3", new Linear(84, numClasses));
        _relu = register_module("relu", new ReLU());
        _pool = register_module("pool", new MaxPool2d(2, 2));
        _flatten = register_module("flatten", new Flatten());
    }

    private readonly ReLU _relu;
    private readonly MaxPool2d _pool;
    private readonly Flatten _flatten;

    public Conv2d conv1 { get; }

    public Conv2d conv2 { get; }

    public Linear fc1 { get; }

    public Linear fc2 { get; }

    public Linear fc3 { get; }

    public override Tensor forward(Tensor input)
    {
        var x = _pool.call(_relu.call(conv1.call(input)));
        x = _pool.call(_relu.call(conv2.call(x)));
        x = _flatten.call(x);
        x = _relu.call(fc1.call(x));
        x = _relu.call(fc2.call(x));
        return fc3.call(x);
    }
}
