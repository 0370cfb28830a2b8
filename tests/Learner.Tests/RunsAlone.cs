namespace PsTraining.Learner.Tests;

/// <summary>
/// Tests that must not run beside others: those whose processes keep wall-clock schedules (learners padding their steps
/// to 0.2 s and 0.5 s, retries, kills at a moment), which CPU-heavy tests running beside them would make late on a
/// 2-core machine; and those that measure the memory of their process, which another test allocating meanwhile would
/// change. xunit runs this collection alone, after the parallel tests. (xunit takes a collection's definition only
/// from the test assembly itself: each test project that needs this collection has this class.)
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}
