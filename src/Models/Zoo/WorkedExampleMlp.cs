using PsTraining.Torch;
using PsTraining.Torch.Modules;

namespace PsTraining.Models.Zoo;

/// <summary>The 3-layer ReLU network of the backprop worked example: 2 → 3 → 2 → 1, with a ReLU after every layer, the last included.</summary>
public sealed class WorkedExampleMlp : Module
{
    public WorkedExampleMlp()
    {
        fc1 = register_module("fc1", new Linear(2, 3));
        fc2 = register_module("fc2", new Linear(3, 2));
        fc3 = register_module("fc3", new Linear(2, 1));
        _relu = register_module("relu", new ReLU());
    }

    private readonly ReLU _relu;

    public Linear fc1 { get; }

    public Linear fc2 { get; }

    public Linear fc3 { get; }

    public override Tensor forward(Tensor input) => _relu.call(fc3.call(_relu.call(fc2.call(_relu.call(fc1.call(input))))));
}
