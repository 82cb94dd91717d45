using System.Runtime.InteropServices;

namespace MedAnomaly.Experiments;

/// <summary>What a run is, recorded by <see cref="RunStore.BeginRun"/> before it starts: enough to tell runs apart in a
/// table and to run it again.</summary>
/// <param name="Method">The detector's registry name (<c>ae</c>, <c>ddpm</c>, <c>disyre</c>…).</param>
/// <param name="Dataset">The dataset's manifest name (<c>brats21</c>, <c>phantom</c>…).</param>
/// <param name="ConfigJson">The full configuration as JSON (every value, defaults included), so the run can be rebuilt
/// without the code's defaults of the day.</param>
/// <param name="Seed">The seed every randomised step derives from. A <c>ulong</c> seed is stored by its bit pattern
/// (<c>unchecked((long)seed)</c>), since SQLite integers are signed 64-bit.</param>
/// <param name="Command">The exact command line that recreates the run (the CLI fills it; a notebook may give the
/// notebook's path and parameters).</param>
public sealed record RunInfo(string Method, string Dataset, string ConfigJson, long Seed, string Command)
{
    /// <summary>The commit the code was built from. Left null, <see cref="RunStore.BeginRun"/> reads it from the
    /// <c>.git</c> folder above the current directory (still null outside a git checkout). It does not say whether
    /// the tree had uncommitted changes.</summary>
    public string? GitRevision { get; init; }

    /// <summary>Host, OS, architecture and core count. Left null, <see cref="RunStore.BeginRun"/> describes this
    /// machine (<see cref="DescribeMachine"/>).</summary>
    public string? Machine { get; init; }

    /// <summary>The libtorch version the run used (the caller knows it; this assembly does not depend on torch).</summary>
    public string? LibtorchVersion { get; init; }

    /// <summary>The TorchSharp version the run used, like <see cref="LibtorchVersion"/>.</summary>
    public string? TorchSharpVersion { get; init; }

    /// <summary>e.g. <c>lab-07 (Debian GNU/Linux 12, X64, 16 cores)</c>.</summary>
    public static string DescribeMachine() =>
        $"{Environment.MachineName} ({RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} cores)";
}
