using PsTraining.Models.Zoo;
using PsTraining.Torch;

namespace PsTraining.Models.Tests.Torch;

/// <summary>Saving and loading weights: exact round trips, PyTorch's names, and refusals that leave the module unchanged.</summary>
public sealed class StateDictTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pst-sd").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LeNet5_uses_pytorch_state_dict_names()
    {
        using var model = new LeNet5();
        Assert.Equal(
            ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"],
            model.state_dict().Keys);
    }

    [Fact]
    public void Save_then_load_reproduces_the_outputs_exactly()
    {
        using var scope = torch.NewDisposeScope();
        using var a = new SmallInception();
        using var b = new SmallInception();
        var path = Path.Combine(_dir, "inception.pst");
        a.train();
        a.call(torch.randn([4, 1, 28, 28])); // moves the batch-norm running statistics away from their initial values
        a.save(path);
        b.load(path);
        a.eval();
        b.eval();
        var x = torch.randn([2, 1, 28, 28]);
        Assert.Equal(a.call(x).data<float>(), b.call(x).data<float>());
        Assert.Equal(1L, b.state_dict()["conv1.bn.num_batches_tracked"].data<long>()[0]);
    }

    [Fact]
    public void Missing_keys_or_wrong_shapes_are_refused_and_change_nothing()
    {
        using var model = new LeNet5();
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.data<float>());

        using var other = new LeNet5(inChannels: 3);
        var e = Assert.Throws<ArgumentException>(() => model.load_state_dict(other.state_dict()));
        Assert.Contains("conv1.weight", e.Message);
        Assert.Contains("[6, 3, 5, 5]", e.Message);

        var partial = model.state_dict().Where(kv => kv.Key != "fc3.bias").ToDictionary();
        var e2 = Assert.Throws<ArgumentException>(() => model.load_state_dict(partial));
        Assert.Contains("missing [fc3.bias]", e2.Message);

        foreach (var (key, value) in model.state_dict())
        {
            Assert.Equal(before[key], value.data<float>());
        }
    }

    [Fact]
    public void Missing_truncated_and_foreign_files_get_clear_errors()
    {
        using var model = new LeNet5();
        Assert.Throws<FileNotFoundException>(() => model.load(Path.Combine(_dir, "nope.pst")));

        var path = Path.Combine(_dir, "lenet.pst");
        model.save(path);
        var bytes = File.ReadAllBytes(path);
        var truncated = Path.Combine(_dir, "truncated.pst");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => StateDictFile.Load(truncated)).Message);

        // A header that claims a 2 GB name, or a negative number of dimensions, is refused before anything is allocated.
        var hugeName = Path.Combine(_dir, "huge-name.pst");
        File.WriteAllBytes(hugeName, [.. "PSTSD001"u8, .. BitConverter.GetBytes(1), .. BitConverter.GetBytes(int.MaxValue)]);
        Assert.Contains("corrupt", Assert.Throws<InvalidDataException>(() => StateDictFile.Load(hugeName)).Message);
        var negativeDims = Path.Combine(_dir, "negative-dims.pst");
        File.WriteAllBytes(negativeDims, [.. "PSTSD001"u8, .. BitConverter.GetBytes(1), .. BitConverter.GetBytes(1), (byte)'w', .. BitConverter.GetBytes(6), .. BitConverter.GetBytes(-3)]);
        Assert.Contains("dimensions", Assert.Throws<InvalidDataException>(() => StateDictFile.Load(negativeDims)).Message);

        var foreign = Path.Combine(_dir, "foreign.pst");
        File.WriteAllText(foreign, "PK\u0003\u0004 not a state dict");
        Assert.Contains("bad magic", Assert.Throws<InvalidDataException>(() => StateDictFile.Load(foreign)).Message);
        Assert.False(File.Exists(path + ".tmp"));
    }
}
