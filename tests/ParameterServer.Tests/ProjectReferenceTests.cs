using System.Xml.Linq;
using PsTraining.ParameterServer.Tests.Interop;

namespace PsTraining.ParameterServer.Tests;

/// <summary>
/// The contract and the core stay libraries that anything may reference: no web host, no cluster runtime, no tensor
/// engine, and no other project of ours but the contract (read from the project files themselves).
/// </summary>
public sealed class ProjectReferenceTests
{
    [Theory]
    [InlineData("proto/PsTraining.Protocol.csproj", new string[0])]
    [InlineData("src/ParameterServer.Core/PsTraining.ParameterServer.Core.csproj", new[] { "PsTraining.Protocol.csproj" })]
    public void The_contract_and_the_core_reference_no_host_cluster_or_tensor_library(string project, string[] allowedProjects)
    {
        var xml = XDocument.Load(Path.Combine(PythonProcess.RepositoryRoot(), project));
        var items = xml.Descendants().Where(e => e.Name.LocalName is "PackageReference" or "FrameworkReference" or "ProjectReference")
            .Select(e => (Kind: e.Name.LocalName, Include: e.Attribute("Include")?.Value ?? "")).ToList();

        Assert.DoesNotContain(items, i => i.Kind == "FrameworkReference");
        Assert.DoesNotContain(items, i => i.Include.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
                                           || i.Include.StartsWith("Grpc.AspNetCore", StringComparison.Ordinal)
                                           || i.Include.StartsWith("Microsoft.Orleans", StringComparison.Ordinal)
                                           || i.Include.StartsWith("TorchSharp", StringComparison.Ordinal)
                                           || i.Include.StartsWith("libtorch", StringComparison.Ordinal));
        Assert.Equal(allowedProjects, items.Where(i => i.Kind == "ProjectReference").Select(i => Path.GetFileName(i.Include)));
        Assert.DoesNotContain(xml.Descendants(), e => e.Name.LocalName == "OutputType" && e.Value.Equals("Exe", StringComparison.OrdinalIgnoreCase));
    }
}
