using System.Diagnostics;
using PsTraining.Models.Zoo;
using static TorchSharp.torch;

namespace PsTraining.Benchmarks;

/// <summary>The C# side: one model, its optimiser and a fixed random batch, stepped as a training loop would.</summary>
public sealed class CSharpStep : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly optim.Optimizer _optimizer;
    private readonly Tensor _x;
    private readonly Tensor _y;

    public CSharpStep(string model, long[] sampleShape, int batch)
    {
        _model = ModelRegistry.Create(model);
        _model.train();
        _optimizer = optim.SGD(_model.parameters(), 0.01, momentum: 0.9);
        _x = randn([batch, .. sampleShape]);
        _y = randint(10, [batch]);
    }

    public void Run(int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            _optimizer.zero_grad();
            nn.functional.cross_entropy(_model.call(_x), _y).backward();
            _optimizer.step();
        }
    }

    /// <summary>Milliseconds per step over <paramref name="steps"/> steps.</summary>
    public double TimeBlock(int steps)
    {
        var clock = Stopwatch.StartNew();
        Run(steps);
        return clock.Elapsed.TotalMilliseconds / steps;
    }

    public void Dispose()
    {
        _x.Dispose();
        _y.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
    }
}
