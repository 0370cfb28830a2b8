namespace PsTraining.Models.Tests;

/// <summary>
/// Tests that must not share the process with others running at the same time: those that seed
/// libtorch's process-wide generator and rely on its sequence (initialisation, dropout masks), since
/// any test that builds a model draws from it; and those that measure the process's memory. xunit
/// runs this collection alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}
