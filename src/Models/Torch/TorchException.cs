namespace PsTraining.Torch;

/// <summary>An error reported by libtorch (shape mismatch, wrong dtype, bad device, ...), with its message.</summary>
public class TorchException : Exception
{
    public TorchException(string message) : base(message)
    {
    }

    public TorchException(string message, Exception inner) : base(message, inner)
    {
    }
}
