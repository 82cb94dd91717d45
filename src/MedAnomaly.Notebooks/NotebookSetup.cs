using System.Reflection;
using MedAnomaly.Runtime;
using Microsoft.DotNet.Interactive;

namespace MedAnomaly.Notebooks;

/// <summary>What <see cref="NotebookSetup.Initialize"/> did, shown under the first cell.</summary>
public sealed record NotebookSetupReport(string Version, TorchNativeReport Native, int Threads)
{
    public override string ToString() =>
        $"MedAnomaly {Version}: TorchSharp {TorchNative.TorchSharpVersion}, libtorch {TorchNative.LibTorchVersion}" +
        (Native.Patched ? " (libLibTorchSharp patched for this system's libstdc++)" : "") +
        $", {Threads} threads; formatters for images, anomaly maps, charts and tables are registered.";
}

/// <summary>The notebook set-up that <c>interactive-extensions/dotnet/extension.dib</c> runs when a notebook says
/// <c>#r "nuget: MedAnomaly.Notebooks, …"</c>: the FSharp.Core redirect (first: Plotly.NET and Deedle are F#), the
/// TorchSharp natives (before any cell touches <c>torch</c>), and the formatters. Safe to call again.</summary>
public static class NotebookSetup
{
    static NotebookSetupReport? report;

    public static NotebookSetupReport Initialize()
    {
        if (report is not null) return report;
        FSharpCoreRedirect.Install();
        var native = TorchNative.EnsureLoaded();
        NotebookFormatters.Register();
        string version = typeof(NotebookSetup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?";
        return report = new NotebookSetupReport(version, native, TorchSharp.torch.get_num_threads());
    }

    /// <summary>Initialises and shows the one-line report in the current cell (what extension.dib calls).</summary>
    public static void InitializeAndReport() => Initialize().ToString().Display("text/plain");
}
