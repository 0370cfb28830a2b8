using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Models.Zoo;

/// <summary>
/// LeNet-5 for 32×32 inputs of 1 or 3 channels: conv 5×5 (6) → ReLU → max-pool 2 → conv 5×5 (16) → ReLU →
/// max-pool 2 → fc 400→120 → ReLU → fc 120→84 → ReLU → fc 84→classes. 61,706 parameters with one channel.
/// </summary>
public sealed class LeNet5 : nn.Module<Tensor, Tensor>
{
    // Fields named and ordered as tests/reference/models.py's twin, so that state_dict names and the flat order match.
    public readonly Conv2d conv1;
    public readonly Conv2d conv2;
    public readonly Linear fc1;
    public readonly Linear fc2;
    public readonly Linear fc3;
    public readonly ReLU relu = nn.ReLU();
    public readonly MaxPool2d pool = nn.MaxPool2d(2, 2);
    public readonly Flatten flatten = nn.Flatten();

    public LeNet5(long inChannels = 1, long numClasses = 10) : base(nameof(LeNet5))
    {
        if (inChannels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "LeNet-5 takes 1 or 3 input channels");
        }

        conv1 = nn.Conv2d(inChannels, 6, 5);
        conv2 = nn.Conv2d(6, 16, 5);
        fc1 = nn.Linear(16 * 5 * 5, 120);
        fc2 = nn.Linear(120, 84);
        fc3 = nn.Linear(84, numClasses);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var x = pool.call(relu.call(conv1.call(input)));
        x = pool.call(relu.call(conv2.call(x)));
        x = flatten.call(x);
        x = relu.call(fc1.call(x));
        x = relu.call(fc2.call(x));
        return fc3.call(x);
    }
}
