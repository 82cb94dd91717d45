namespace MedAnomaly.Torch;

/// <summary>Device kinds, numbered as c10::DeviceType.</summary>
public enum DeviceType { CPU = 0, CUDA = 1 }

/// <summary>A device such as "cpu" or "cuda:0".</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    public static readonly Device CPU = new(DeviceType.CPU);
    public static Device CUDA(int index = 0) => new(DeviceType.CUDA, index);

    /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
    public static Device Parse(string text)
    {
        var parts = text.Trim().ToLowerInvariant().Split(':');
        var type = parts[0] switch
        {
            "cpu" => DeviceType.CPU,
            "cuda" => DeviceType.CUDA,
            _ => throw new ArgumentException($"unknown device '{text}'; expected 'cpu', 'cuda' or 'cuda:N'"),
        };
        int index = parts.Length > 1 && int.TryParse(parts[1], out var i) ? i : (type == DeviceType.CUDA ? 0 : -1);
        return new Device(type, index);
    }

    public static implicit operator Device(string text) => Parse(text);
    public override string ToString() => Type == DeviceType.CPU ? "cpu" : Index >= 0 ? $"cuda:{Index}" : "cuda";
}
