namespace MedAnomaly.Torch;

/// <summary>An error raised by libtorch (bad shape, dtype, device, index ...), carrying libtorch's message.</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message) { }
}
