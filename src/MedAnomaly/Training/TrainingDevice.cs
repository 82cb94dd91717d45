using TorchSharp;

namespace MedAnomaly.Training;

/// <summary>The device a training run asks for (<see cref="TrainingOptions.Device"/>), checked against what this process
/// can reach before anything is recorded.</summary>
public static class TrainingDevice
{
    /// <exception cref="ArgumentException">An unknown device name, or a CUDA device this process cannot use.</exception>
    public static void Validate(string? device)
    {
        if (device is null || device.Equals("cpu", StringComparison.OrdinalIgnoreCase)) return;
        var parts = device.Split(':');
        bool cuda = parts[0].Equals("cuda", StringComparison.OrdinalIgnoreCase);
        int index = 0;
        if (!cuda || parts.Length > 2 || (parts.Length == 2 && !(int.TryParse(parts[1], out index) && index >= 0)))
            throw new ArgumentException($"training option Device = {device}: expected cpu, cuda or cuda:N");
        if (!torch.cuda.is_available())
            throw new ArgumentException($"training option Device = {device}: CUDA is not available in this process (no GPU is visible, or the " +
                                        "executables were built with the CPU backend: `make build TORCHSHARP_BACKEND=cuda-linux` on a machine with an NVIDIA GPU); use cpu");
        int count = torch.cuda.device_count();
        if (index >= count)
            throw new ArgumentException($"training option Device = {device}: this machine has {count} CUDA device(s), cuda:0 … cuda:{count - 1}");
    }
}
