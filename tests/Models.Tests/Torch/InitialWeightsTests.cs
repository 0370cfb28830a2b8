using PsTraining.Models.Torch;
using PsTraining.Models.Zoo;
using PsTraining.Protocol;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace PsTraining.Models.Tests.Torch;

/// <summary>
/// The initial-weights file the parameter server seeds itself from (safetensors, read by the server with no tensor
/// library): checked against an implementation we did not write, TorchSharp.PyBridge's safetensors reader and writer.
/// </summary>
public sealed class InitialWeightsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pst-weights").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("lenet5")]
    [InlineData("linear-regression")]
    public void Our_file_loads_strictly_through_pybridge_into_the_seeded_model(string model)
    {
        var path = Path.Combine(_dir, $"{model}.safetensors");
        var written = InitialWeights.Write(model, 7, path);
        using var seeded = ModelRegistry.CreateSeeded(model, 7);
        using var loaded = ModelRegistry.CreateSeeded(model, 8);
        Assert.NotEqual(Flat(seeded), Flat(loaded));

        loaded.load_safetensors(path); // strict: every parameter, names and shapes as PyTorch's state_dict has them
        Assert.Equal(Flat(seeded), Flat(loaded));
        Assert.Equal(Flat(seeded), written.Weights);
        Assert.Equal(seeded.named_parameters().Select(p => p.name), written.Layout.Tensors.Select(t => t.Name));
    }

    [Fact]
    public void A_file_pybridge_writes_reads_as_the_model_in_parameter_order()
    {
        var path = Path.Combine(_dir, "pybridge.safetensors");
        using var model = ModelRegistry.CreateSeeded("lenet5", 3);
        model.save_safetensors(path);

        var read = WeightsFile.Read(path);
        Assert.Equal("pybridge", read.Model); // no metadata: the file's name
        Assert.Equal(model.named_parameters().Select(p => (p.name, string.Join("x", p.parameter.shape))),
            read.Layout.Tensors.Select(t => (t.Name, string.Join("x", t.Shape))));
        Assert.Equal(Flat(model), read.Weights);
    }

    [Fact]
    public void Our_file_round_trips_with_its_model_name_and_seed()
    {
        var path = Path.Combine(_dir, "w.safetensors");
        var written = InitialWeights.Write("lenet5", 2, path);
        var read = WeightsFile.Read(path);
        Assert.Equal("lenet5", read.Model);
        Assert.Equal(written.Weights, read.Weights);
        Assert.Equal(written.Layout.Tensors.Select(t => (t.Name, t.Offset, t.Length)), read.Layout.Tensors.Select(t => (t.Name, t.Offset, t.Length)));
        Assert.Contains("\"pstraining.seed\":\"2\"", System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(path).AsSpan(8, 200)));
        Assert.Equal(61_706, read.Layout.TotalLength);
    }

    private static float[] Flat(nn.Module module)
    {
        var parameters = module.parameters().Select(p => (Tensor)p).ToList();
        var flat = new float[parameters.Sum(p => p.numel())];
        FlatBuffer.GatherValues(parameters, flat);
        return flat;
    }
}
