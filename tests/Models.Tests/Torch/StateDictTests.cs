using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using PsTraining.Models.Torch;
using PsTraining.Models.Zoo;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace PsTraining.Models.Tests.Torch;

/// <summary>
/// Weights and named tensors in PyTorch's file format: exact round trips, PyTorch's names, refusals that leave the
/// module unchanged, and clear errors for files that are missing, truncated or not PyTorch's.
/// </summary>
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
    public void Save_py_then_load_py_reproduces_the_outputs_exactly()
    {
        using var scope = NewDisposeScope();
        using var a = new SmallInception();
        using var b = new SmallInception();
        var path = Path.Combine(_dir, "inception.pt");
        a.train();
        a.call(randn([4, 1, 28, 28])); // moves the batch-norm running statistics away from their initial values
        a.save_py(path);
        b.load_py(path);
        a.eval();
        b.eval();
        var x = randn([2, 1, 28, 28]);
        Assert.Equal(a.call(x).data<float>().ToArray(), b.call(x).data<float>().ToArray());
        Assert.Equal(1L, b.state_dict()["conv1.bn.num_batches_tracked"].item<long>());
    }

    [Fact]
    public void Every_dtype_and_shape_round_trips_exactly_through_a_state_dict_file()
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["weights"] = randn([3, 4, 5]),
            ["transposed"] = randn([4, 6]).t(), // not contiguous: written as its values, row-major
            ["slice"] = arange(100, ScalarType.Float32)[TensorIndex.Slice(10, 20)], // a view into a larger storage
            ["double_scalar"] = tensor(Math.PI, ScalarType.Float64),
            ["float_scalar"] = tensor(2.5f),
            ["labels"] = tensor(new[] { 3L, long.MaxValue, -1 }),
            ["count"] = tensor(7L),
            ["empty"] = zeros([0, 3]),
            ["int32"] = tensor(new[] { 1, -2 }),
            ["bytes"] = tensor(new byte[] { 0, 255 }),
            ["mask"] = tensor(new[] { true, false }),
        };
        var path = Path.Combine(_dir, "all.pt");
        StateDictFile.Save(path, tensors);
        Assert.False(File.Exists(path + ".tmp"));

        var loaded = StateDictFile.Load(path);
        Assert.Equal(tensors.Keys.Order(), loaded.Keys.Order());
        foreach (var (key, t) in tensors)
        {
            Assert.Equal(t.dtype, loaded[key].dtype);
            Assert.Equal(t.shape, loaded[key].shape);
            Assert.True(t.contiguous().bytes.SequenceEqual(loaded[key].contiguous().bytes), $"{key}: [{string.Join(", ", Fixtures.Values(loaded[key]))}] but saved [{string.Join(", ", Fixtures.Values(t))}]");
        }
    }

    [Fact]
    public void Pytorch_reads_what_we_save()
    {
        // python3-torch is how the reference fixtures are made (tests/reference/make_fixtures.py); where it is not
        // installed there is no PyTorch to read the file, and nothing to check.
        const string Python = "/usr/bin/python3";
        if (!File.Exists(Python) || Run(Python, "-c", "import torch").ExitCode != 0)
        {
            return;
        }

        using var scope = NewDisposeScope();
        using var model = new LeNet5();
        var weights = Path.Combine(_dir, "lenet.pt");
        model.save_py(weights);
        var batch = Path.Combine(_dir, "batch.pt");
        StateDictFile.Save(batch, new Dictionary<string, Tensor>
        {
            ["x"] = ones([2, 3]),
            ["y"] = tensor(new[] { 4L, 5L }),
            ["s"] = tensor(0.25),
            ["view"] = arange(10, ScalarType.Float32)[TensorIndex.Slice(5, 8)],
            ["t"] = arange(6, ScalarType.Int64).reshape(2, 3).t(),
        });

        const string Script = """
            import sys, torch
            w, b = torch.load(sys.argv[1]), torch.load(sys.argv[2])
            print(",".join(sorted(w)))
            print(repr(w["fc3.bias"].double().sum().item()))
            print(b["x"].dtype, b["x"].sum().item(), b["y"].dtype, b["y"].tolist(), b["s"].dtype, b["s"].item())
            print(b["view"].tolist(), b["t"].tolist())
            """;
        var (exit, output) = Run(Python, "-c", Script, weights, batch);
        Assert.True(exit == 0, output);
        var lines = output.Trim().Split('\n');
        Assert.Equal(string.Join(",", model.state_dict().Keys.Order(StringComparer.Ordinal)), lines[0]);
        var fc3Bias = model.fc3.bias!.to_type(ScalarType.Float64).sum().item<double>();
        Assert.Equal(fc3Bias, double.Parse(lines[1], CultureInfo.InvariantCulture), 1e-12);
        Assert.Equal("torch.float32 6.0 torch.int64 [4, 5] torch.float64 0.25", lines[2]);
        Assert.Equal("[5.0, 6.0, 7.0] [[0, 3], [1, 4], [2, 5]]", lines[3]);
    }

    [Fact]
    public void Missing_keys_or_wrong_shapes_are_refused_and_change_nothing()
    {
        using var scope = NewDisposeScope();
        using var model = new LeNet5();
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.data<float>().ToArray());

        using var other = new LeNet5(inChannels: 3);
        var e = Assert.Throws<ExternalException>(() => model.load_state_dict(other.state_dict()));
        Assert.Contains("[6, 3, 5, 5]", e.Message);
        Assert.Contains("[6, 1, 5, 5]", e.Message);

        var partial = model.state_dict().Where(kv => kv.Key != "fc3.bias").ToDictionary();
        Assert.Throws<InvalidOperationException>(() => model.load_state_dict(partial));
        var path = Path.Combine(_dir, "partial.pt");
        StateDictFile.Save(path, partial);
        Assert.Throws<InvalidOperationException>(() => model.load_py(path));

        foreach (var (key, value) in model.state_dict())
        {
            Assert.Equal(before[key], value.data<float>().ToArray());
        }
    }

    [Fact]
    public void Missing_truncated_and_foreign_files_get_clear_errors()
    {
        using var scope = NewDisposeScope();
        using var model = new LeNet5();
        var missing = Path.Combine(_dir, "nope.pt");
        Assert.Throws<FileNotFoundException>(() => model.load(missing));
        Assert.Throws<FileNotFoundException>(() => model.load_py(missing));
        Assert.Equal(missing, Assert.Throws<FileNotFoundException>(() => StateDictFile.Load(missing)).FileName);

        var path = Path.Combine(_dir, "lenet.pt");
        StateDictFile.Save(path, model.state_dict());
        var bytes = File.ReadAllBytes(path);
        var truncated = Path.Combine(_dir, "truncated.pt");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        Assert.Contains("not a PyTorch file", Assert.Throws<InvalidDataException>(() => StateDictFile.Load(truncated)).Message);

        var foreign = Path.Combine(_dir, "foreign.pt");
        File.WriteAllText(foreign, "PK\u0003\u0004 not a state dict");
        Assert.Contains("not a PyTorch file", Assert.Throws<InvalidDataException>(() => StateDictFile.Load(foreign)).Message);

        var text = Path.Combine(_dir, "text.pt");
        File.WriteAllText(text, "hello");
        Assert.Contains("not a PyTorch file", Assert.Throws<InvalidDataException>(() => StateDictFile.Load(text)).Message);

        var empty = Path.Combine(_dir, "empty.pt");
        File.WriteAllBytes(empty, []);
        Assert.Throws<InvalidDataException>(() => StateDictFile.Load(empty));

        // A well-formed PyTorch file whose dict holds something other than tensors.
        var notTensors = Path.Combine(_dir, "not-tensors.pt");
        PyTorchPickler.PickleStateDict(notTensors, new Hashtable { ["lr"] = 0.1 });
        Assert.Contains("'lr' is a Double, not a tensor", Assert.Throws<InvalidDataException>(() => StateDictFile.Load(notTensors)).Message);
    }

    private static (int ExitCode, string Output) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
