using PsTraining.Torch;

namespace PsTraining.Models.Tests.Torch;

public sealed class DisposeScopeTests
{
    [Fact]
    public void Tensors_created_in_a_scope_are_freed_when_it_ends()
    {
        Tensor a, b;
        using (var scope = torch.NewDisposeScope())
        {
            a = torch.ones([3]);
            b = a * 2;
            Assert.Equal(2, scope.Count);
        }

        Assert.True(a.IsDisposed);
        Assert.True(b.IsDisposed);
    }

    [Fact]
    public void Moved_and_detached_tensors_survive_their_scope()
    {
        Tensor kept, detached, inner;
        using (var outer = torch.NewDisposeScope())
        {
            using (torch.NewDisposeScope())
            {
                kept = torch.ones([2]).MoveToOuterDisposeScope();
                detached = torch.ones([2]).DetachFromDisposeScope();
                inner = torch.ones([2]);
            }

            Assert.True(inner.IsDisposed);
            Assert.False(kept.IsDisposed);
            Assert.Equal(1, outer.Count);
        }

        Assert.True(kept.IsDisposed);
        Assert.False(detached.IsDisposed);
        Assert.Equal(2, detached.sum().item());
        detached.Dispose();
    }

    [Fact]
    public void Closing_an_outer_scope_first_leaves_no_closed_scope_current()
    {
        var outer = torch.NewDisposeScope();
        var inner = torch.NewDisposeScope();
        outer.Dispose();
        Assert.Null(DisposeScope.Current);
        var later = torch.ones([1]);
        Assert.Null(later.Scope);
        inner.Dispose();
        Assert.False(later.IsDisposed);
        later.Dispose();
    }

    [Fact]
    public void Include_takes_over_a_tensor_created_outside()
    {
        var t = torch.ones([1]);
        using (var scope = torch.NewDisposeScope())
        {
            scope.Include(t);
        }

        Assert.True(t.IsDisposed);
    }

    [Fact]
    public void Autograd_keeps_intermediates_alive_after_their_handles_are_freed()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor([3f], requires_grad: true);
        Tensor y;
        using (torch.NewDisposeScope())
        {
            var square = x * x;
            y = (square * 2).MoveToOuterDisposeScope();
        }

        y.backward();
        Assert.Equal(12f, x.grad!.data<float>()[0]);
    }
}
