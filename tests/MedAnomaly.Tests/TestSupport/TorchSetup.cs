using System.Runtime.CompilerServices;
using MedAnomaly.Runtime;

namespace MedAnomaly.Tests.TestSupport;

/// <summary>Prepares TorchSharp's native libraries before any test can touch <c>torch</c>.</summary>
static class TorchSetup
{
#pragma warning disable CA2255 // a module initializer is the earliest hook of a test assembly
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Load() => TorchNative.EnsureLoaded();
}
