using PsTraining.TestSupport;
using System.Xml.Linq;

namespace PsTraining.Deploy.Tests;

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
    /// Issue 19: no project of src/ or proto/ uses a program (an Exe project) as a library; one that builds a program it
    /// starts says so with ReferenceOutputAssembly="false".
    /// </summary>
    [Fact]
    public void No_library_or_program_references_an_executables_assembly()
    {
        var projects = Directory.GetFiles(Repository.Path("src"), "*.csproj", SearchOption.AllDirectories).Append(Repository.Path("proto", "PsTraining.Protocol.csproj")).ToList();
        Assert.True(projects.Count >= 9, string.Join(", ", projects));
        bool IsExe(string project) => XDocument.Load(project).Descendants().Any(e => e.Name.LocalName == "OutputType" && e.Value.Equals("Exe", StringComparison.OrdinalIgnoreCase));
        foreach (var project in projects)
        {
            var folder = Path.GetDirectoryName(project)!;
            var document = XDocument.Load(project);
            var items = document.Descendants().Where(e => e.Name.LocalName is "ProjectReference" or "LaunchedProgram").ToList();
            foreach (var reference in items.Where(e => e.Name.LocalName == "ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value;
                var targets = include == "@(LaunchedProgram)"
                    ? items.Where(e => e.Name.LocalName == "LaunchedProgram").Select(e => e.Attribute("Include")!.Value)
                    : [include];
                foreach (var target in targets.Select(t => Path.GetFullPath(Path.Combine(folder, t))).Where(IsExe))
                {
                    Assert.True(reference.Attribute("ReferenceOutputAssembly")?.Value == "false",
                        $"{Path.GetFileName(project)} references the assembly of the program {Path.GetFileName(target)}");
                }
            }
        }
    }

    /// <summary>Issue 19: the server's published output, what its image copies, holds no libtorch and no TorchSharp.</summary>
    [Fact]
    public async Task The_servers_published_output_holds_no_libtorch()
    {
        var output = Directory.CreateTempSubdirectory("pst-publish").FullName;
        try
        {
            var info = new System.Diagnostics.ProcessStartInfo("dotnet", ["publish", Repository.Path("src", "ParameterServer", "PsTraining.ParameterServer.csproj"),
                "--no-build", "-c", Repository.BuildConfiguration, "-o", output]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var publish = System.Diagnostics.Process.Start(info)!;
            var log = publish.StandardOutput.ReadToEndAsync();
            var errors = await publish.StandardError.ReadToEndAsync();
            await publish.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
            Assert.True(publish.ExitCode == 0, await log + errors);
            var files = Directory.GetFiles(output, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
            Assert.Contains("PsTraining.ParameterServer.dll", files);
            Assert.Contains("Orleans.Runtime.dll", files);
            Assert.DoesNotContain(files, f => f!.Contains("torch", StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>Issue 19: the simulator and the experiment suite are libraries apart from the command line, and use no program as a library.</summary>
    [Theory]
    [InlineData("src/Simulation/PsTraining.Simulation.csproj")]
    [InlineData("src/Experiments/PsTraining.Experiments.csproj")]
    public void The_simulator_and_the_experiments_are_libraries_that_reference_no_program(string project)
    {
        var xml = XDocument.Load(Repository.Path(project));
        Assert.DoesNotContain(xml.Descendants(), e => e.Name.LocalName == "OutputType" && e.Value.Equals("Exe", StringComparison.OrdinalIgnoreCase));
        Assert.All(References(project).Where(i => i.Kind == "ProjectReference").Select(i => Path.GetFileName(i.Include)),
            p => Assert.Contains(p, new[] { "PsTraining.Hosting.csproj", "PsTraining.Models.csproj", "PsTraining.ParameterServer.Core.csproj", "PsTraining.Simulation.csproj" }));
        Assert.Contains(References("src/Sim/PsTraining.Sim.csproj"), i => i.Kind == "ProjectReference" && i.Include.EndsWith(Path.GetFileName(project), StringComparison.Ordinal));
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
