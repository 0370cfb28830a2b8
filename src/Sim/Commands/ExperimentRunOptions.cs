using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using PsTraining.Experiments;
using PsTraining.Hosting;

namespace PsTraining.Sim.Commands;

/// <summary>The options of <c>experiment run NAME|all</c>.</summary>
internal sealed class ExperimentRunOptions
{
    [Description("an experiment from `experiment list`, or all"), Argument]
    public string Name { get; init; } = "";

    [Description("results directory; each experiment writes OUT/NAME/")]
    public string Out { get; init; } = "results";

    [Description("seed of every random choice")]
    public long Seed { get; init; } = 1;

    [Description("tiny (seconds, as the tests run), default (CPU-sized minutes) or full (the original sizes, hours on a CPU)")]
    public ExperimentScale Scale { get; init; } = ExperimentScale.Default;

    [Description("the same as --scale full")]
    public bool Full { get; init; }

    [Description("libtorch's intra-op thread count: one gives the same bits on every machine, another count other bits (each result records its count)"),
     Range(1, 1024)]
    public int Threads { get; init; } = ExperimentContext.DefaultThreads;
}
