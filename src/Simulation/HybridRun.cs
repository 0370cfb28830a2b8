using PsTraining.Models.Learning;
using PsTraining.Models.Data;
using PsTraining.Models.Speed;
using PsTraining.ParameterServer.Core;

namespace PsTraining.Simulation;

/// <summary>
/// The hybrid mode: simulated learners of the given speeds on a virtual clock, real LeNet-5 gradients on Fashion-MNIST,
/// the real server core applying them with <c>options</c> (policy, learning rate, optimiser, staleness-aware rate,
/// delay compensation). Returns the applied gradients (with their staleness) and the test loss and accuracy at the
/// start, every <c>evalEvery</c> updates (or, with <c>evalInterval</c> &gt; 0, at the first update at or after each
/// multiple of that virtual time), and at the end, against virtual time and against updates.
/// </summary>
public static class HybridRun
{
    public static (List<AppliedGradient> Applied, List<HybridPoint> Curve) Run(IReadOnlyList<SpeedModel> speeds, CoreOptions options, TimeScale scale,
        decimal until, int batchSize, int evalEvery, ImageDataset train, ImageDataset test, long seed = 1, decimal evalInterval = 0)
    {
        using var gradients = new ShardGradients("lenet5", speeds.Count, batchSize, seed, train);
        var curve = new List<HybridPoint>();
        var weights = new float[gradients.Layout.TotalLength];
        var (version, ticks) = (0UL, 0L);
        void Evaluate()
        {
            var (loss, accuracy) = gradients.Evaluate(weights, test);
            curve.Add(new HybridPoint(scale.ToTime(ticks), version, loss, accuracy));
        }

        gradients.InitialWeights.CopyTo(weights, 0);
        Evaluate();
        var intervalTicks = scale.ToTicks(evalInterval);
        var nextEval = intervalTicks;
        var simulation = new StalenessSimulation(speeds, options.Policy, seed, gradients, options)
        {
            OnApplied = (gradient, _, core) =>
            {
                (version, ticks) = (core.Version, gradient.Ticks);
                core.Pull(0, weights);
                // A BSP round reports each of its gradients at the same version: evaluate that version once.
                var due = intervalTicks > 0 ? ticks >= nextEval : version % (ulong)evalEvery == 0;
                if (due && curve[^1].Version != version)
                {
                    Evaluate();
                    nextEval = intervalTicks > 0 ? ((ticks / intervalTicks) + 1) * intervalTicks : 0;
                }
            },
        };
        var applied = simulation.Run(scale.ToTicks(until), scale);
        if (curve[^1].Version != version)
        {
            Evaluate();
        }

        return (applied, curve);
    }
}
