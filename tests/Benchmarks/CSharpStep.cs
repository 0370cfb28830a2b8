using System.Diagnostics;
using PsTraining.Models.Zoo;
using PsTraining.Torch;
using PsTraining.Torch.Modules;
using PsTraining.Torch.Optim;
using static PsTraining.Torch.torch.nn;

namespace PsTraining.Benchmarks;

/// <summary>The C# side: one model, its optimiser and a fixed random batch, stepped as a training loop would.</summary>
public sealed class CSharpStep : IDisposable
{
    private readonly Module _model;
    private readonly SGD _optimizer;
    private readonly Tensor _x;
    private readonly Tensor _y;

    public CSharpStep(string model, long[] sampleShape, int batch)
    {
        _model = ModelRegistry.Create(model);
        _model.train();
        _optimizer = torch.optim.SGD(_model.parameters(), 0.01, momentum: 0.9);
        _x = torch.randn([batch, .. sampleShape]);
        _y = torch.randint(10, [batch]);
    }

    public void Run(int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            _optimizer.zero_grad();
            functional.cross_entropy(_model.call(_x), _y).backward();
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
