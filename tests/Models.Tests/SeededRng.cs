namespace PsTraining.Models.Tests;

/// <summary>
/// Tests that seed libtorch's process-wide generator and then rely on its sequence (initialisation,
/// dropout masks). They run alone, after the parallel tests, since any other test that builds a
/// model draws from the same generator.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SeededRng
{
    public const string Name = "seeded libtorch generator";
}
