using PsTraining.Models.Zoo;
using PsTraining.Torch;
using PsTraining.Torch.Modules;
using PsTraining.Torch.Optim;
using static PsTraining.Torch.torch.nn;

namespace PsTraining.Models.Tests;

/// <summary>
/// Numerical parity with PyTorch: the same weights and batch give the same loss, gradients and
/// optimiser trajectories as python3-torch (fixtures from tests/reference/make_fixtures.py).
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class ParityTests
{
    /// <summary>Must match FORWARD_SEED in make_fixtures.py: reseeding before each forward makes dropout masks equal.</summary>
    private const long ForwardSeed = 1234;

    private const int Steps = 5;

    private static readonly string[] Names = ["mlp-worked-example", "lenet5", "small-inception", "unet"];

    public static TheoryData<string> ModelNames => new(Names);

    public static TheoryData<string, string> ModelsAndOptimisers
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var model in Names)
            {
                foreach (var optimiser in new[] { "sgd", "sgd_nesterov_wd", "adam", "adamw", "rmsprop" })
                {
                    data.Add(model, optimiser);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Loss_and_gradients_match_pytorch(string name)
    {
        using var scope = torch.NewDisposeScope();
        using var model = LoadInitial(name);
        var batch = Fixtures.Load($"{name}.batch.pst");
        var expected = Fixtures.Load($"{name}.expected.pst");

        // Dropout draws from libtorch's generator: the same seed as make_fixtures.py's forward, held against other tests' draws.
        using var seeded = Reproducible.Enter(ForwardSeed);
        var loss = Loss(name, model.call(batch["x"]), batch["y"]);
        loss.backward();

        Fixtures.AssertClose("loss", [expected["loss"].item()], [loss.item()]);
        foreach (var (key, p) in model.named_parameters())
        {
            Fixtures.AssertClose(expected, "grad." + key, p.grad!);
        }
    }

    [Theory]
    [MemberData(nameof(ModelsAndOptimisers))]
    public void Five_optimiser_steps_match_pytorch(string name, string optimiser)
    {
        using var scope = torch.NewDisposeScope();
        using var model = LoadInitial(name);
        var batch = Fixtures.Load($"{name}.batch.pst");
        var expected = Fixtures.Load($"{name}.expected.pst");
        using var opt = Optimiser(optimiser, model.parameters());
        using var seeded = Reproducible.Enter(ForwardSeed);
        for (var step = 0; step < Steps; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            opt.zero_grad();
            Reproducible.Reseed(ForwardSeed + step);
            Loss(name, model.call(batch["x"]), batch["y"]).backward();
            opt.step();
        }

        foreach (var (key, value) in model.state_dict())
        {
            Fixtures.AssertClose(expected, $"{optimiser}.{key}", value);
        }
    }

    [Theory]
    [InlineData("mlp-worked-example")]
    [InlineData("lenet5")]
    [InlineData("small-inception")]
    [InlineData("unet")]
    public void Seeded_initialisation_matches_pytorch(string name)
    {
        // make_fixtures.py seeds 0 and builds the model first: our layers draw from libtorch's generator in the same order.
        using var seeded = Reproducible.Enter(0);
        using var model = Build(name);
        var initial = Fixtures.Load($"{name}.initial.pst");
        foreach (var (key, value) in model.state_dict())
        {
            Fixtures.AssertClose(initial, key, value);
        }
    }

    private static Module Build(string name) => name switch
    {
        "unet" => new UNet(new ColourisationOptions(Kernel: 3, NumFilters: 16, NumColours: 24, NumInChannels: 1)),
        _ => ModelRegistry.Create(name),
    };

    private static Module LoadInitial(string name)
    {
        var model = Build(name);
        model.load(Fixtures.PathOf($"{name}.initial.pst"));
        model.train();
        return model;
    }

    private static Tensor Loss(string name, Tensor output, Tensor target) =>
        name == "mlp-worked-example" ? functional.mse_loss(output, target) : functional.cross_entropy(output, target);

    private static Optimizer Optimiser(string name, IReadOnlyList<Parameter> p) => name switch
    {
        "sgd" => torch.optim.SGD(p, lr: 0.01, momentum: 0.9),
        "sgd_nesterov_wd" => torch.optim.SGD(p, lr: 0.01, momentum: 0.9, nesterov: true, weight_decay: 1e-3),
        "adam" => torch.optim.Adam(p, lr: 1e-3),
        "adamw" => torch.optim.AdamW(p, lr: 1e-3, weight_decay: 1e-2),
        "rmsprop" => torch.optim.RMSprop(p, lr: 1e-3, momentum: 0.5),
        _ => throw new ArgumentException(name),
    };
}
