using static TorchSharp.torch;

namespace MedAnomaly.Diffusion;

/// <summary>One registered noise schedule: its name, a line of help, and how to make it with published defaults.</summary>
public sealed record ScheduleEntry(string Name, string Help, Func<Device?, NoiseSchedule> Create)
{
    public override string ToString() => $"{Name,-8} {Help}";
}

/// <summary>
/// The printable list of noise schedules (MONAI Generative's style): adding a schedule = one factory in
/// <see cref="NoiseSchedule"/> and one line here.
/// </summary>
public static class ScheduleRegistry
{
    public static IReadOnlyList<ScheduleEntry> Entries { get; } =
    [
        new("linear", "Ho et al. 2020: β linear 1e-4 … 0.02 over T = 1000 (DDPM)", d => NoiseSchedule.Linear(device: d)),
        new("cosine", "Nichol & Dhariwal 2021 eq. 17: ᾱ = cos²((t/T + 0.008)/1.008 · π/2), β ≤ 0.999, T = 1000", d => NoiseSchedule.Cosine(device: d)),
        new("disyre", "Marimont & Tarroni 2024 (DISYRE): β linear 1e-3 … 0.2 over T = 100, pairs anomaly severity with t", d => NoiseSchedule.Disyre(d)),
    ];

    /// <summary>The schedule registered as <paramref name="name"/> (case-insensitive), on <paramref name="device"/> (CPU by default).</summary>
    public static NoiseSchedule Create(string name, Device? device = null)
    {
        var entry = Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"unknown noise schedule '{name}'; known: {string.Join(", ", Entries.Select(e => e.Name))}", nameof(name));
        return entry.Create(device);
    }

    /// <summary>One line per schedule: name and help.</summary>
    public static string Describe() => string.Join(Environment.NewLine, Entries);
}
