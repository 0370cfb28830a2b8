namespace PsTraining.Torch;

/// <summary>
/// libtorch could not allocate a tensor: CUDA out of memory, a failed host allocation, or a <see cref="CpuMemoryLimit"/>
/// reached (PyTorch's <c>torch.OutOfMemoryError</c>). The operation that failed left its inputs as they were.
/// </summary>
public sealed class TorchOutOfMemoryException : TorchException
{
    public TorchOutOfMemoryException(string message) : base(message)
    {
    }

    public TorchOutOfMemoryException(string message, Exception inner) : base(message, inner)
    {
    }
}
