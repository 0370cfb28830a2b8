using PsTraining.Simulation;
using System.CommandLine;
using PsTraining.Hosting;
using System.Globalization;
using System.Text;
using PsTraining.Models.Data;
using PsTraining.Models.Speed;
using PsTraining.ParameterServer.Core;

namespace PsTraining.Sim.Commands;

/// <summary><c>hybrid</c>: simulated learners on a virtual clock, real LeNet-5 gradients on Fashion-MNIST, test accuracy against virtual time and updates.</summary>
internal static class HybridCommand
{
    public static Command Create() => CommandLineOptions.Command<HybridOptions>("hybrid",
        "Real gradients on a virtual clock: LeNet-5 on Fashion-MNIST with simulated learners of the given speeds.", o =>
    {
        try
        {
            var times = o.StepTimes.Split(',', StringSplitOptions.TrimEntries).Select(t => TimeScale.ParseTime(t, "--step-times")).ToList();
            var horizon = TimeScale.ParseTime(o.Until, "--until");
            var train = FashionMnist.Load("train").Take(o.TrainSamples).Padded(2);
            var test = FashionMnist.Load("test").Take(o.TestSamples).Padded(2);
            var scale = TimeScale.For([.. times, horizon]);
            var options = new CoreOptions { Shards = 1, Policy = ConsistencyPolicy.Parse(o.Policy), LearningRate = o.LearningRate };
            var (applied, curve) = HybridRun.Run(times.Select(t => (SpeedModel)new ConstantSpeed(t)).ToList(), options,
                scale, horizon, o.BatchSize, o.EvalEvery, train, test, o.Seed);
            Console.Write(Report(applied, curve, times.Count));
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    });

    private static string Report(IReadOnlyList<AppliedGradient> applied, IReadOnlyList<HybridPoint> curve, int learners)
    {
        var text = new StringBuilder();
        text.AppendLine(" virtual time  updates  test loss  test accuracy");
        foreach (var p in curve)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{p.Time,13:0.###} {p.Version,8} {p.TestLoss,10:F4} {p.TestAccuracy,14:P1}");
        }

        text.AppendLine();
        text.AppendLine("learner  gradients  mean staleness  max");
        foreach (var s in StalenessSummary.Of(applied, learners))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"L{s.Learner,-7} {s.Gradients,9} {s.Mean,15:0.###} {s.Max,4}");
        }

        return text.ToString();
    }
}
