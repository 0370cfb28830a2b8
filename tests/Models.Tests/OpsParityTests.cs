using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PsTraining.Models.Tests;

/// <summary>Each functional op, and the gradient through all of them, against python3-torch (fixture ops.pt from make_fixtures.py).</summary>
public sealed class OpsParityTests
{
    [Fact]
    public void Functional_ops_and_their_gradients_match_pytorch()
    {
        using var scope = NewDisposeScope();
        var f = Fixtures.Load("ops.pt");
        var x = f["x"].clone().requires_grad_();
        var (w, target, labels) = (f["w"], f["target"], f["labels"]);

        // Same order as in make_fixtures.py: op i enters the total with weight i + 1.
        (string Name, Tensor Value)[] results =
        [
            ("avg_pool2d", functional.avg_pool2d(x, [2, 2])),
            ("max_pool2d", functional.max_pool2d(x, [3, 3], [2, 2], [1, 1])),
            ("adaptive_avg_pool2d", functional.adaptive_avg_pool2d(x, [3, 3])),
            ("sigmoid", functional.sigmoid(x)),
            ("tanh", functional.tanh(x)),
            ("relu", functional.relu(x)),
            ("upsample_nearest", functional.interpolate(x, scale_factor: [2, 2], mode: InterpolationMode.Nearest)),
            ("upsample_bilinear", functional.interpolate(x, scale_factor: [2, 2], mode: InterpolationMode.Bilinear, align_corners: false)),
            ("matmul", matmul(x.permute(0, 2, 3, 1), w)),
            ("cat_flatten", flatten(cat([x, x * 2], 1), 1)),
            ("reshape", x.reshape(6, 64).sum(1)),
            ("softmax", x.softmax(1)),
            ("log_softmax", x.log_softmax(1)),
            ("mse_loss", functional.mse_loss(x, target)),
            ("bce_loss", functional.binary_cross_entropy(x.sigmoid(), target)),
            ("bce_with_logits", functional.binary_cross_entropy_with_logits(x, target)),
            ("cross_entropy", functional.cross_entropy(x, labels)),
        ];

        var total = zeros([]);
        for (var i = 0; i < results.Length; i++)
        {
            Fixtures.AssertClose(f, results[i].Name, results[i].Value);
            total += results[i].Value.sum() * (i + 1);
        }

        total.backward();
        Fixtures.AssertClose(f, "grad", x.grad!);
    }

    [Fact]
    public void No_grad_records_nothing()
    {
        using var scope = NewDisposeScope();
        var x = ones([3], requires_grad: true);
        using (no_grad())
        {
            Assert.False(is_grad_enabled());
            Assert.False((x * 2).requires_grad);
        }

        Assert.True(is_grad_enabled());
        Assert.True((x * 2).requires_grad);
    }
}
