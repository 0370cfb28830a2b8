using PsTraining.Models.Torch;
using PsTraining.Models.Zoo;
using static TorchSharp.torch;

namespace PsTraining.Models.Tests.Torch;

/// <summary>
/// A seeded computation gets the same bits whatever other threads draw or set meanwhile: libtorch's generator and the
/// thread's intra-op thread count are held for it (<see cref="Reproducible"/>). TorchSharp's own draws do not pass
/// Reproducible's gate (only ours do: <see cref="ModelRegistry.Create"/>, or code that holds <see cref="Reproducible.Draw"/>),
/// so no other test that builds models or draws random batches may run beside these (OneTestAtATime).
/// </summary>
public sealed class ReproducibleTests
{
    [Fact]
    public void A_seeded_computation_is_not_shifted_by_draws_on_other_threads()
    {
        var quiet = SeededDraws();

        // Another thread draws without a seed as fast as it can, through the gate (as ModelRegistry.Create does): every draw
        // of it waits while the seeded computation holds the generator, so none lands between the seed and its draws.
        using var stop = new CancellationTokenSource();
        var draws = 0;
        var neighbour = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using (Reproducible.Draw())
                using (NewDisposeScope())
                {
                    randn([16]);
                }

                Interlocked.Increment(ref draws);
            }
        });
        neighbour.Start();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(quiet, SeededDraws());
        }

        stop.Cancel();
        neighbour.Join();
        Assert.True(draws > 0, "the neighbour never drew");
    }

    [Fact]
    public void The_thread_count_is_set_for_the_scope_and_put_back_after_it()
    {
        var before = get_num_threads();
        var other = before == 1 ? 2 : 1;
        using (var outer = Reproducible.Enter(1, other))
        {
            Assert.Equal(other, get_num_threads());
            Assert.Equal(other, outer.Threads);
            using (Reproducible.Enter(2))
            {
                // A nested scope (an experiment running an earlier one) keeps the count unless it names one.
                Assert.Equal(other, get_num_threads());
            }

            Assert.Equal(other, get_num_threads());
        }

        Assert.Equal(before, get_num_threads());
    }

    [Fact]
    public void Another_thread_count_sums_in_another_order()
    {
        // Why the count is part of what a result records: a long reduction split over 1 and over 2 threads.
        float Sum(int threads)
        {
            using var seeded = Reproducible.Enter(3, threads);
            using var scope = NewDisposeScope();
            return randn([1 << 20]).sum().item<float>();
        }

        Assert.Equal(Sum(1), Sum(1));
        Assert.NotEqual(Sum(1), Sum(2));
    }

    [Fact]
    public void A_reseed_outside_a_scope_and_a_thread_count_below_one_are_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Reproducible.Reseed(1));
        Assert.Contains("outside a Reproducible scope", e.Message);
        var threads = Assert.Throws<ArgumentOutOfRangeException>(() => Reproducible.Enter(1, 0));
        Assert.Equal("threads", threads.ParamName);

        // Neither left the gate held: another thread can still enter.
        var other = new Thread(() =>
        {
            using var s = Reproducible.Enter(1);
        });
        other.Start();
        Assert.True(other.Join(TimeSpan.FromSeconds(30)), "the gate stayed held");
    }

    [Fact]
    public void A_seeded_model_has_the_same_weights_whatever_thread_builds_it()
    {
        float[] Weights(long seed)
        {
            using var model = ModelRegistry.CreateSeeded("lenet5", seed);
            return [.. model.parameters().SelectMany(p => p.data<float>().ToArray())];
        }

        var here = Weights(7);
        float[]? there = null;
        var other = new Thread(() => there = Weights(7));
        other.Start();
        other.Join();
        Assert.Equal(here, there);
        Assert.NotEqual(here, Weights(8));
    }

    [Fact]
    public void Batch_norm_statistics_and_dropout_repeat_bit_for_bit()
    {
        // SmallInception trains with BatchNorm (running statistics updated each step) and dropout: three SGD steps, then
        // an evaluation on the running statistics, twice with one seed.
        (float[] Buffers, float[] Eval) Train()
        {
            using var seeded = Reproducible.Enter(11, threads: 1);
            using var scope = NewDisposeScope();
            using var model = ModelRegistry.Create("small-inception");
            using var optimizer = optim.SGD(model.parameters(), 0.05, 0.9);
            var (x, y) = (randn([16, 1, 28, 28]), randint(10, [16]));
            model.train();
            for (var step = 0; step < 3; step++)
            {
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.call(x), y).backward();
                optimizer.step();
            }

            model.eval();
            using var noGrad = no_grad();
            return ([.. model.named_buffers().Where(b => b.buffer.dtype == ScalarType.Float32).SelectMany(b => b.buffer.data<float>().ToArray())], model.call(x).data<float>().ToArray());
        }

        var (buffers, eval) = Train();
        Assert.NotEmpty(buffers);
        var again = Train();
        Assert.Equal(buffers, again.Buffers);
        Assert.Equal(eval, again.Eval);
    }

    /// <summary>A seed, a model and a draw: what an experiment does first.</summary>
    private static float[] SeededDraws()
    {
        using var seeded = Reproducible.Enter(42);
        using var scope = NewDisposeScope();
        using var model = ModelRegistry.Create("lenet5");
        return [.. model.parameters().First().data<float>().ToArray().Take(8), .. randn([8]).data<float>().ToArray()];
    }
}
