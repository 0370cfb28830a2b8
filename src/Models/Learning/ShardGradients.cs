using PsTraining.Models.Data;
using PsTraining.Models.Zoo;
using PsTraining.Models.Torch;
using PsTraining.Protocol;
using TorchSharp;
using static TorchSharp.torch;

namespace PsTraining.Models.Learning;

/// <summary>
/// A learner's gradients, the same for a learner process and for the simulator's hybrid mode: one libtorch model
/// evaluates a learner's minibatch on the weights that learner read (loaded into it before each gradient), on the
/// learner's own shard of the training set (learner k of n takes the positions p ≡ k mod n of a seeded permutation)
/// in consecutive minibatches. The simulator computes every learner's gradients with one instance; a learner process
/// uses only its own shard. Models with buffers (batch-norm statistics) are refused: the server exchanges parameters only.
/// </summary>
public sealed class ShardGradients : IGradientSource, IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly IReadOnlyList<Tensor> _parameters;
    private readonly ImageDataset _train;
    private readonly int[][] _shards;
    private readonly int _batchSize;

    public ShardGradients(string model, int learners, int batchSize, long seed, ImageDataset train, Device? device = null)
    {
        Device = device ?? CPU;
        _model = ModelRegistry.CreateSeeded(model, seed);
        if (_model.named_buffers().Any())
        {
            _model.Dispose();
            throw new ArgumentException($"model '{model}' keeps buffers (batch-norm statistics) that the parameter server does not exchange; use lenet5");
        }

        _model.to(Device);
        _parameters = _model.parameters().Select(p => (Tensor)p).ToList();
        Layout = Zoo.InitialWeights.LayoutOf(_model);
        InitialWeights = new float[Layout.TotalLength];
        FlatBuffer.GatherValues(_parameters, InitialWeights);
        _train = train;
        _batchSize = batchSize;
        var order = DeterministicShuffle.Permutation(train.Count, seed);
        _shards = Enumerable.Range(0, learners).Select(k => DeterministicShuffle.Shard(order, k, learners)).ToArray();
        if (_shards.Any(s => s.Length < batchSize))
        {
            throw new ArgumentException($"{learners} learners leave fewer than {batchSize} training samples per shard");
        }
    }

    public ParameterLayout Layout { get; }

    public Device Device { get; }

    public float[] InitialWeights { get; }

    public float Compute(int learner, long index, ReadOnlySpan<float> weights, Span<float> gradient)
    {
        using var scope = NewDisposeScope();
        FlatBuffer.ScatterValues(_parameters, weights);
        _model.zero_grad();
        var shard = _shards[learner];
        var batches = shard.Length / _batchSize;
        var (images, labels) = _train.Batch(shard.AsSpan((int)((index - 1) % batches) * _batchSize, _batchSize));
        scope.Attach(images, labels);
        var loss = nn.functional.cross_entropy(_model.call(images.to(Device)), labels.to(Device));
        loss.backward();
        FlatBuffer.GatherGradients(_parameters, gradient);
        return loss.item<float>();
    }

    /// <summary>Test loss and accuracy of <paramref name="weights"/> on <paramref name="test"/>.</summary>
    public (double Loss, double Accuracy) Evaluate(ReadOnlySpan<float> weights, ImageDataset test)
    {
        FlatBuffer.ScatterValues(_parameters, weights);
        return ClassifierEvaluation.Evaluate(_model, test, Device);
    }

    public void Dispose() => _model.Dispose();
}
