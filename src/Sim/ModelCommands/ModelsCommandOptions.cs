using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using PsTraining.Hosting;

namespace PsTraining.Sim.ModelCommands;

/// <summary>The options of <c>models summary NAME</c>.</summary>
internal sealed class ModelSummaryOptions
{
    [Description("model name (`models list`)"), Argument]
    public string Name { get; init; } = "";

    [Description("input channels (models that accept several)"), Range(1, 4096)]
    public long? InChannels { get; init; }
}

/// <summary>The options of <c>models init</c>.</summary>
internal sealed class ModelInitOptions
{
    [Description("model name (`models list`)")]
    public string Model { get; init; } = "lenet5";

    [Description("seed of the initial weights"), Range(0, int.MaxValue)]
    public int Seed { get; init; } = 1;

    [Description("the file to write (safetensors)"), Required]
    public string Out { get; init; } = "";
}
