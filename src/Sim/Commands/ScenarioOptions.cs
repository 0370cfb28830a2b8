using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PsTraining.Sim.Commands;

/// <summary>The options of <c>run</c>: a scenario file and where its run directory goes.</summary>
internal sealed class ScenarioOptions
{
    [Description("scenario file (JSON or YAML)"), Required]
    public string Scenario { get; init; } = "";

    [Description("run directory (default runs/NAME-TIMESTAMP)")]
    public string? Out { get; init; }
}
