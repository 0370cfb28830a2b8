using PsTraining.Simulation;
using System.CommandLine;
using System.Globalization;
using System.Text;
using PsTraining.Models.Data;
using PsTraining.Models.Speed;
using PsTraining.ParameterServer.Core;

namespace PsTraining.Sim.Commands;

/// <summary><c>hybrid</c>: simulated learners on a virtual clock, real LeNet-5 gradients on Fashion-MNIST, test accuracy against virtual time and updates.</summary>
internal static class HybridCommand
{
    public static Command Create()
    {
        var stepTimes = new Option<string>("--step-times") { Description = "each learner's time per gradient, comma-separated", DefaultValueFactory = _ => "1,1,1,2.5" };
        var until = new Option<string>("--until") { Description = "virtual time to run to", DefaultValueFactory = _ => "150" };
        var policy = new Option<string>("--policy") { Description = "asp, ssp:S or bsp", DefaultValueFactory = _ => "asp" };
        var lr = new Option<float>("--lr") { Description = "server SGD learning rate", DefaultValueFactory = _ => 0.05f };
        var batch = new Option<int>("--batch-size") { Description = "minibatch per gradient", DefaultValueFactory = _ => 32 };
        var evalEvery = new Option<int>("--eval-every") { Description = "evaluate every this many updates", DefaultValueFactory = _ => 50 };
        var trainSamples = new Option<int>("--train-samples") { Description = "training images shared out among the learners", DefaultValueFactory = _ => 12000 };
        var testSamples = new Option<int>("--test-samples") { Description = "test images per evaluation", DefaultValueFactory = _ => 1000 };
        var seed = new Option<long>("--seed") { Description = "seed of the weights and the data order", DefaultValueFactory = _ => 1 };
        var command = new Command("hybrid", "Real gradients on a virtual clock: LeNet-5 on Fashion-MNIST with simulated learners of the given speeds.")
        {
            stepTimes, until, policy, lr, batch, evalEvery, trainSamples, testSamples, seed,
        };
        command.SetAction(parse =>
        {
            try
            {
                var times = parse.GetValue(stepTimes)!.Split(',', StringSplitOptions.TrimEntries).Select(t => TimeScale.ParseTime(t, "--step-times")).ToList();
                var horizon = TimeScale.ParseTime(parse.GetValue(until)!, "--until");
                var (learningRate, batchSize, every) = (parse.GetValue(lr), parse.GetValue(batch), parse.GetValue(evalEvery));
                if (!(learningRate > 0) || batchSize < 1 || every < 1 || parse.GetValue(trainSamples) < 1 || parse.GetValue(testSamples) < 1)
                {
                    throw new ArgumentException("--lr must be > 0, and --batch-size, --eval-every, --train-samples and --test-samples >= 1");
                }

                var train = FashionMnist.Load("train").Take(parse.GetValue(trainSamples)).Padded(2);
                var test = FashionMnist.Load("test").Take(parse.GetValue(testSamples)).Padded(2);
                var scale = TimeScale.For([.. times, horizon]);
                var options = new CoreOptions { Shards = 1, Policy = ConsistencyPolicy.Parse(parse.GetValue(policy)!), LearningRate = learningRate };
                var (applied, curve) = HybridRun.Run(times.Select(t => (SpeedModel)new ConstantSpeed(t)).ToList(), options,
                    scale, horizon, batchSize, every, train, test, parse.GetValue(seed));
                Console.Write(Report(applied, curve, times.Count));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
        });
        return command;
    }

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
