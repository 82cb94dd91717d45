using MedAnomaly.Cli.Commands;
using MedAnomaly.Runtime;

// The `medanomaly` command. Each sub-command lives in Commands/ and exposes `static Command Create()`.
// TorchSharp's native libraries are prepared before anything can touch `torch` (see TorchNative).
try
{
    TorchNative.EnsureLoaded();
}
catch (TorchNativeException e)
{
    Console.Error.WriteLine($"medanomaly: {e.Message}");
    return 1;
}
return MedAnomalyCommand.Create(args).Parse(args).Invoke();
