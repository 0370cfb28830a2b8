using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Models.Zoo;

/// <summary>The 3-layer ReLU network of the backprop worked example: 2 → 3 → 2 → 1, with a ReLU after every layer, the last included.</summary>
public sealed class WorkedExampleMlp : nn.Module<Tensor, Tensor>
{
    public readonly Linear fc1;
    public readonly Linear fc2;
    public readonly Linear fc3;

    public WorkedExampleMlp() : base(nameof(WorkedExampleMlp))
    {
        fc1 = nn.Linear(2, 3);
        fc2 = nn.Linear(3, 2);
        fc3 = nn.Linear(2, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) =>
        nn.functional.relu(fc3.call(nn.functional.relu(fc2.call(nn.functional.relu(fc1.call(input))))));
}
