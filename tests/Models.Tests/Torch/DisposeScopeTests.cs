using PsTraining.Models.Torch;
using static TorchSharp.torch;

namespace PsTraining.Models.Tests.Torch;

/// <summary>What our training steps rely on from TorchSharp's dispose scopes: temporaries (loaded ones included) go with the scope, what is moved out stays, and autograd keeps what it needs.</summary>
public sealed class DisposeScopeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pst-scope").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Tensors_made_or_loaded_in_a_scope_are_freed_when_it_ends()
    {
        var path = Path.Combine(_dir, "t.pt");
        using (var t = ones([3]))
        {
            StateDictFile.Save(path, new Dictionary<string, Tensor> { ["t"] = t });
        }

        Tensor a, b, loaded;
        using (NewDisposeScope())
        {
            a = ones([3]);
            b = a * 2;
            loaded = StateDictFile.Load(path)["t"];
        }

        Assert.True(a.IsInvalid);
        Assert.True(b.IsInvalid);
        Assert.True(loaded.IsInvalid);
    }

    [Fact]
    public void Moved_and_detached_tensors_survive_their_scope()
    {
        Tensor kept, detached, inner;
        using (NewDisposeScope())
        {
            using (NewDisposeScope())
            {
                kept = ones([2]).MoveToOuterDisposeScope();
                detached = ones([2]).DetachFromDisposeScope();
                inner = ones([2]);
            }

            Assert.True(inner.IsInvalid);
            Assert.False(kept.IsInvalid);
        }

        Assert.True(kept.IsInvalid);
        Assert.False(detached.IsInvalid);
        Assert.Equal(2f, detached.sum().item<float>());
        detached.Dispose();
    }

    [Fact]
    public void Autograd_keeps_intermediates_alive_after_their_handles_are_freed()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 3f }, requires_grad: true);
        Tensor y;
        using (NewDisposeScope())
        {
            var square = x * x;
            y = (square * 2).MoveToOuterDisposeScope();
        }

        y.backward();
        Assert.Equal(12f, x.grad!.item<float>());
    }
}
