using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MedAnomaly.Torch.Native;

/// <summary>
/// Finds the native shim libmedanomaly_native.so: the path in MEDANOMALY_NATIVE, next to this assembly,
/// in the application directory, or in a repository's build/native folder above it. Missing → a
/// DllNotFoundException that says how to build it.
/// </summary>
internal static class NativeLibraryLoader
{
    public const string LibraryName = "medanomaly_native";
    const string FileName = "libmedanomaly_native.so";
    public const string EnvironmentVariable = "MEDANOMALY_NATIVE";

#pragma warning disable CA2255 // module initialisers are the supported way to hook the resolver early
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibraryName) return IntPtr.Zero;
        var tried = new List<string>();
        foreach (var candidate in Candidates())
        {
            tried.Add(candidate);
            if (File.Exists(candidate)) return NativeLibrary.Load(candidate);
        }
        throw new DllNotFoundException(
            $"MedAnomaly's native shim ({FileName}) was not found. Build it with `make native` (needs libtorch: " +
            $"`apt-get install libtorch-dev`, or LIBTORCH_DIR=/path/to/libtorch), or point {EnvironmentVariable} at the " +
            $"built file. Looked in: {string.Join(", ", tried)}");
    }

    static IEnumerable<string> Candidates()
    {
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnv))
            yield return Directory.Exists(fromEnv) ? Path.Combine(fromEnv, FileName) : fromEnv;
        var assemblyDir = Path.GetDirectoryName(typeof(NativeLibraryLoader).Assembly.Location);
        if (!string.IsNullOrEmpty(assemblyDir)) yield return Path.Combine(assemblyDir, FileName);
        yield return Path.Combine(AppContext.BaseDirectory, FileName);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MedAnomaly.sln")))
                yield return Path.Combine(dir.FullName, "build", "native", FileName);
    }
}
