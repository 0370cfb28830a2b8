using System.Text;
using PsTraining.ParameterServer.Tests.Interop;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Tests;

/// <summary>
/// The initial-weights file as the server reads it (safetensors, no tensor library): a hand-made file reads back
/// exactly, and every malformed one is refused with an error that names the file and what is wrong, and the server
/// started on it exits 2 saying so.
/// </summary>
public sealed class WeightsFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pst-weightsfile").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_hand_made_file_reads_in_the_order_of_its_bytes_with_its_model_name()
    {
        // Header keys in another order than the data, as Python's safetensors writes them: the bytes decide.
        var path = Make("""{"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]},"__metadata__":{"pstraining.model":"tiny"},"a":{"dtype":"F32","shape":[3,1],"data_offsets":[0,12]}}""",
            [1f, 2f, 3f, 4f, 5f]);
        var read = WeightsFile.Read(path);
        Assert.Equal("tiny", read.Model);
        Assert.Equal(["a", "b"], read.Layout.Tensors.Select(t => t.Name));
        Assert.Equal([3L, 1L], read.Layout.Tensors[0].Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f], read.Weights);
    }

    [Fact]
    public void Write_then_read_gives_the_same_layout_and_values()
    {
        var layout = new ParameterLayout([("w", [2, 3]), ("b", [3])]);
        float[] weights = [.. Enumerable.Range(0, 9).Select(i => i * 0.5f - 1)];
        var path = Path.Combine(_dir, "w.safetensors");
        WeightsFile.Write(path, "m", layout, weights);
        var read = WeightsFile.Read(path);
        Assert.Equal("m", read.Model);
        Assert.Equal(weights, read.Weights);
        Assert.Equal(layout.Tensors.Select(t => (t.Name, t.Offset, t.Length)), read.Layout.Tensors.Select(t => (t.Name, t.Offset, t.Length)));
        Assert.Equal(0, (new FileInfo(path).Length - 4 * 9) % 8); // the data starts 8-byte aligned
    }

    public static TheoryData<string, byte[], string> Malformed() => new()
    {
        { "short", [1, 2, 3], "shorter than the 8 bytes of a header length" },
        { "long-header", [.. BitConverter.GetBytes(1000UL), .. "{}"u8.ToArray()], "its header length (1000 bytes) runs past the file" },
        { "not-json", File("{not json", []), "its header is not JSON" },
        { "array", File("[1,2]", []), "its header is not a JSON object" },
        { "empty", File("""{"__metadata__":{}}""", []), "it holds no tensor" },
        { "bf16", File("""{"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}""", [0f]), "tensor 'a' is BF16; the parameter server holds F32 (float32) only" },
        { "no-shape", File("""{"a":{"dtype":"F32","data_offsets":[0,4]}}""", [0f]), "tensor 'a' lacks a dtype, a shape or two data_offsets" },
        { "negative", File("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", [0f]), "not non-negative integers" },
        { "wrong-size", File("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", [0f, 0f]), "tensor 'a' of shape [3] spans bytes 0..8, not 12 bytes" },
        { "gap", File("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", [0f, 0f, 0f]), "tensor 'b' starts at byte 8 of the data, not at 4" },
        { "trailing", File("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", [0f, 0f]), "its tensors take 4 bytes, but 8 follow the header" },
        { "truncated", File("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", [0f]), "its tensors take 8 bytes, but 4 follow the header" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_file_is_refused_naming_the_file_and_the_fault(string name, byte[] bytes, string fault)
    {
        var path = Path.Combine(_dir, $"{name}.safetensors");
        System.IO.File.WriteAllBytes(path, bytes);
        var refused = Assert.Throws<InvalidDataException>(() => WeightsFile.Read(path));
        Assert.StartsWith($"{path} is not a safetensors file of float32 weights: ", refused.Message);
        Assert.Contains(fault, refused.Message);
    }

    [Fact]
    public async Task The_server_exits_2_on_a_malformed_file_and_without_one()
    {
        var path = Make("""{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}""", [0f, 0f]);
        var malformed = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync("--initial-weights", path));
        Assert.Contains("tensor 'a' is F64; the parameter server holds F32 (float32) only", malformed.Message);

        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync("--initial-weights", Path.Combine(_dir, "nothing.safetensors")));
        Assert.Contains("--initial-weights: '" + Path.Combine(_dir, "nothing.safetensors") + "' does not exist", missing.Message);
    }

    private string Make(string header, float[] data)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.safetensors");
        System.IO.File.WriteAllBytes(path, File(header, data));
        return path;
    }

    /// <summary>A safetensors file's bytes: the header's length, the header, the floats.</summary>
    private static byte[] File(string header, float[] data) =>
        [.. BitConverter.GetBytes((ulong)Encoding.UTF8.GetByteCount(header)), .. Encoding.UTF8.GetBytes(header), .. data.SelectMany(BitConverter.GetBytes)];
}
