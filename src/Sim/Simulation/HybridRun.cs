using PsTraining.Models.Data;
using PsTraining.Models.Speed;
using PsTraining.ParameterServer.Core;

namespace PsTraining.Sim.Simulation;

/// <summary>
/// The hybrid mode: simulated learners of the given speeds on a virtual clock, real LeNet-5 gradients on Fashion-MNIST,
/// the real server core applying them. Returns the applied gradients (with their staleness) and the test loss and
/// accuracy every <c>evalEvery</c> updates, against virtual time and against updates.
/// </summary>
public static class HybridRun
{
    public static (List<AppliedGradient> Applied, List<HybridPoint> Curve) Run(IReadOnlyList<SpeedModel> speeds, ConsistencyPolicy policy, TimeScale scale,
        decimal until, float learningRate, int batchSize, int evalEvery, ImageDataset train, ImageDataset test, long seed = 1, float momentum = 0)
    {
        using var gradients = new FashionMnistGradients("lenet5", speeds.Count, batchSize, seed, train);
        var curve = new List<HybridPoint>();
        var weights = new float[gradients.Layout.TotalLength];
        void Evaluate(decimal time, ulong version)
        {
            var (loss, accuracy) = gradients.Evaluate(weights, test);
            curve.Add(new HybridPoint(time, version, loss, accuracy));
        }

        gradients.InitialWeights.CopyTo(weights, 0);
        Evaluate(0, 0);
        var simulation = new StalenessSimulation(speeds, policy, seed, gradients, new CoreOptions
        {
            Shards = 1,
            LearningRate = learningRate,
            Optimizer = new ServerOptimizerOptions { Kind = "sgd", Momentum = momentum },
        })
        {
            OnApplied = (gradient, _, core) =>
            {
                // A BSP round reports each of its gradients at the same version: evaluate that version once.
                if (core.Version % (ulong)evalEvery == 0 && curve[^1].Version != core.Version)
                {
                    core.Pull(0, weights);
                    Evaluate(scale.ToTime(gradient.Ticks), core.Version);
                }
            },
        };
        var applied = simulation.Run(scale.ToTicks(until), scale);
        return (applied, curve);
    }
}
