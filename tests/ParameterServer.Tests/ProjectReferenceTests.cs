using PsTraining.TestSupport;
using System.Xml.Linq;
using PsTraining.ParameterServer.Tests.Interop;

namespace PsTraining.ParameterServer.Tests;

/// <summary>
/// The contract and the core stay libraries that anything may reference: no web host, no cluster runtime, no tensor
/// engine, and no other project of ours but the contract; the hosting library knows no model, no tensor and no
/// service; and the learner sees the server through the contract only (read from the project files themselves).
/// </summary>
public sealed class ProjectReferenceTests
{
    [Theory]
    [InlineData("proto/PsTraining.Protocol.csproj", new string[0])]
    [InlineData("src/ParameterServer.Core/PsTraining.ParameterServer.Core.csproj", new[] { "PsTraining.Protocol.csproj" })]
    public void The_contract_and_the_core_reference_no_host_cluster_or_tensor_library(string project, string[] allowedProjects)
    {
        var xml = XDocument.Load(Repository.Path(project));
        var items = References(project);

        Assert.DoesNotContain(items, i => i.Kind == "FrameworkReference");
        Assert.DoesNotContain(items, i => i.Include.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
                                           || i.Include.StartsWith("Grpc.AspNetCore", StringComparison.Ordinal)
                                           || i.Include.StartsWith("Microsoft.Orleans", StringComparison.Ordinal)
                                           || i.Include.StartsWith("TorchSharp", StringComparison.Ordinal)
                                           || i.Include.StartsWith("libtorch", StringComparison.Ordinal));
        Assert.Equal(allowedProjects, items.Where(i => i.Kind == "ProjectReference").Select(i => Path.GetFileName(i.Include)));
        Assert.DoesNotContain(xml.Descendants(), e => e.Name.LocalName == "OutputType" && e.Value.Equals("Exe", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_hosting_library_references_no_project_of_ours_and_no_tensor_or_grpc_service_library()
    {
        var items = References("src/Hosting/PsTraining.Hosting.csproj");
        Assert.DoesNotContain(items, i => i.Kind == "ProjectReference");
        Assert.DoesNotContain(items, i => i.Include.StartsWith("Grpc.", StringComparison.Ordinal) || i.Include.StartsWith("TorchSharp", StringComparison.Ordinal));
    }

    [Fact]
    public void The_learner_references_the_contract_and_not_the_server()
    {
        var projects = References("src/Learner/PsTraining.Learner.csproj").Where(i => i.Kind == "ProjectReference").Select(i => Path.GetFileName(i.Include)).ToList();
        Assert.Contains("PsTraining.Protocol.csproj", projects);
        Assert.DoesNotContain(projects, p => p.StartsWith("PsTraining.ParameterServer", StringComparison.Ordinal));
    }

    /// <summary>
    /// Issue 19: the launcher starts the learner and the server as programs; it does not use them as libraries (what it
    /// shares with them is in the contract, the core and the models).
    /// </summary>
    [Fact]
    public void The_command_line_builds_the_programs_it_launches_without_referencing_their_assemblies()
    {
        var programs = XDocument.Load(Repository.Path("src", "Sim", "PsTraining.Sim.csproj")).Descendants()
            .Where(e => e.Name.LocalName is "ProjectReference" or "LaunchedProgram").ToList();
        Assert.Equal(["../Learner/PsTraining.Learner.csproj", "../ParameterServer/PsTraining.ParameterServer.csproj"],
            programs.Where(e => e.Name.LocalName == "LaunchedProgram").Select(e => e.Attribute("Include")!.Value));
        Assert.DoesNotContain(programs, e => e.Name.LocalName == "ProjectReference" && e.Attribute("Include")!.Value.Contains("Learner", StringComparison.Ordinal));
        Assert.DoesNotContain(programs, e => e.Name.LocalName == "ProjectReference" && e.Attribute("Include")!.Value.EndsWith("PsTraining.ParameterServer.csproj", StringComparison.Ordinal));
        Assert.Equal("false", programs.Single(e => e.Attribute("Include")!.Value == "@(LaunchedProgram)").Attribute("ReferenceOutputAssembly")!.Value);
    }

    /// <summary>
    /// Issue 19: the server seeds its weights from a file, so neither it nor any project it references brings a tensor
    /// library, and its build (what a publish copies) lists no TorchSharp and no libtorch: its image needs none.
    /// </summary>
    [Fact]
    public void The_server_references_no_tensor_library_and_its_build_carries_no_libtorch()
    {
        var closure = new List<string>();
        var pending = new Stack<string>([Repository.Path("src", "ParameterServer", "PsTraining.ParameterServer.csproj")]);
        while (pending.TryPop(out var project))
        {
            if (closure.Contains(project))
            {
                continue;
            }

            closure.Add(project);
            var folder = Path.GetDirectoryName(project)!;
            foreach (var (kind, include) in References(project))
            {
                if (kind == "ProjectReference")
                {
                    pending.Push(Path.GetFullPath(Path.Combine(folder, include)));
                }
                else
                {
                    Assert.False(include.StartsWith("TorchSharp", StringComparison.Ordinal) || include.StartsWith("libtorch", StringComparison.Ordinal),
                        $"{Path.GetFileName(project)} references {include}");
                }
            }
        }

        Assert.DoesNotContain(closure, p => Path.GetFileName(p) == "PsTraining.Models.csproj");
        var deps = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "PsTraining.ParameterServer.deps.json"));
        Assert.Contains("PsTraining.Protocol", deps);
        Assert.DoesNotContain("TorchSharp", deps);
        Assert.DoesNotContain("libtorch", deps);
    }

    private static List<(string Kind, string Include)> References(string project) =>
        XDocument.Load(Path.IsPathRooted(project) ? project : Repository.Path(project)).Descendants()
            .Where(e => e.Name.LocalName is "PackageReference" or "FrameworkReference" or "ProjectReference")
            .Select(e => (Kind: e.Name.LocalName, Include: e.Attribute("Include")?.Value ?? "")).ToList();
}
