namespace PsTraining.Sim.Tests;

/// <summary>
/// Tests whose processes keep wall-clock schedules (learners padding their steps to 0.2 s and 0.5 s, retries, kills
/// at a moment): on a 2-core machine, CPU-heavy tests running beside them would make their learners late. xunit runs
/// this collection alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}
