using PsTraining.Models.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// A real network of 1×1 convolutions whose local derivatives are set by hand: each convolution's one weight is its
/// ∂z/∂input, followed by a ReLU (its derivative is 1 on the positive input used here). The layers form blocks;
/// with <c>residual</c> each block's output is conv(…conv(x)) + x. A last 1×1 convolution is the loss head, its weight
/// being ∂L/∂(last output), so that autograd's ∂L/∂x is the product of the chosen local derivatives.
/// </summary>
internal sealed class LocalDerivativeChain : nn.Module<Tensor, Tensor>
{
    private readonly List<Sequential> _blocks = [];
    private readonly bool _residual;
    private readonly Conv2d _head;

    public LocalDerivativeChain(IReadOnlyList<IReadOnlyList<double>> blocks, bool residual, double headDerivative) : base(nameof(LocalDerivativeChain))
    {
        _residual = residual;
        for (var b = 0; b < blocks.Count; b++)
        {
            var block = nn.Sequential();
            foreach (var derivative in blocks[b])
            {
                block.append(Scaled(derivative)).append(nn.ReLU());
            }

            _blocks.Add(block);
            register_module($"block{b + 1}", block);
        }

        _head = Scaled(headDerivative);
        register_module("head", _head);
    }

    public override Tensor forward(Tensor input)
    {
        var y = input;
        foreach (var block in _blocks)
        {
            var z = block.call(y);
            y = _residual ? z.add(y, Scalars.One) : z;
        }

        return _head.call(y).sum();
    }

    /// <summary>∂L/∂x at x = 1, read from autograd.</summary>
    public double InputGradient()
    {
        using var scope = NewDisposeScope();
        var x = ones([1, 1, 1, 1], requires_grad: true);
        call(x).backward();
        return x.grad!.item<float>();
    }

    private static Conv2d Scaled(double derivative)
    {
        var conv = nn.Conv2d(1, 1, 1, bias: false);
        using (no_grad())
        using (var value = derivative.ToScalar())
        {
            conv.weight!.fill_(value);
        }

        return conv;
    }
}
