using PsTraining.Simulation;
using System.CommandLine;
using PsTraining.Hosting;

namespace PsTraining.Sim.Commands;

/// <summary><c>staleness --step-times 1,2.5 --until 5 [--format jsonl|table] [--policy asp|ssp:S|bsp]</c>, <c>example-2.5x</c> and <c>run --scenario FILE</c>: the command line of <see cref="StalenessReport"/>.</summary>
internal static class StalenessCommand
{
    public static IEnumerable<Command> Create()
    {
        var staleness = CommandLineOptions.Command<StalenessOptions>("staleness", "Simulate learners on a virtual clock and print the staleness of every applied gradient.", async o =>
        {
            try
            {
                await using var live = o.ServeMetrics is { } port ? await LiveMetrics.StartAsync(port, o.Pace) : null;
                if (live is not null)
                {
                    Console.Error.WriteLine($"metrics on {live.Url} (mode=\"sim\"), replaying at {o.Pace} virtual time units per second");
                }

                if (o.Trace is { } recorded)
                {
                    Console.Write(StalenessReport.Replay(recorded, o.Format, o.Policy));
                    return 0;
                }

                Console.Write(StalenessReport.Run(StalenessReport.StepTimes(o.StepTimes, o.Speeds), o.Until!, o.Format, o.Policy, o.Random, o.Stragglers, o.Seed, o.SlowPeriods, live));
                if (live is not null)
                {
                    await Task.Delay(TimeSpan.FromSeconds(o.Linger));
                }

                return 0;
            }
            catch (Exception e) when (e is ArgumentException or FileNotFoundException)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
        });

        var example = new Command("example-2.5x", "The textbook case: learner 1 runs 2.5× as fast as learner 2 (gradients at t = 1, 2, 3, ... and 2.5, 5, ...).");
        example.SetAction(_ =>
        {
            Console.Write(StalenessReport.Example());
            return 0;
        });
        var run = CommandLineOptions.Command<ScenarioOptions>("run",
            "Run a scenario file and write a run directory: scenario.json, applied.jsonl (one line per gradient), summary.json.", o =>
        {
            try
            {
                var scenario = Scenario.Load(o.Scenario);
                Console.Write(StalenessReport.RunScenario(scenario, o.Out ?? Path.Combine("runs", $"{scenario.Name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}")));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or FileNotFoundException)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
        });
        return [staleness, example, run];
    }
}
