using System.Runtime.InteropServices;

namespace MedAnomaly.Runtime;

/// <summary>
/// Makes libtorch's OpenMP workers sleep, not spin, while they wait for work, unless the user chose otherwise.
/// libgomp (which libtorch_cpu.so links) reads <c>OMP_WAIT_POLICY</c> once, in its constructor, when it is loaded with
/// libtorch; left unset it spins for a while after every parallel region, and ACTIVE spins indefinitely. Spinning
/// workers take the cores another job needs, and a job beside them takes the cores their barrier waits for: training
/// beside another process ran several times slower (README, "OpenMP"). <see cref="ApplyDefault"/> sets PASSIVE in the
/// process's native environment (libc <c>setenv</c>: .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// changes only its own copy, which libgomp never sees, and is what child processes inherit) before the first load of
/// libtorch; <see cref="TorchNative.EnsureLoaded"/> calls it first.
/// </summary>
public static class OpenMpWaitPolicy
{
    public const string Variable = "OMP_WAIT_POLICY";
    public const string Default = "PASSIVE";

    /// <summary>Whether <see cref="ApplyDefault"/> set the variable (false: the user had set it, or not Linux).</summary>
    public static bool SetByMedAnomaly { get; private set; }

    /// <summary>The value libgomp reads in this process (the native environment), or null when unset.</summary>
    public static string? Current => OperatingSystem.IsLinux() ? Marshal.PtrToStringUTF8(getenv(Variable)) : Environment.GetEnvironmentVariable(Variable);

    /// <summary>Sets OMP_WAIT_POLICY=PASSIVE in the native environment unless it is set (to anything, empty included).
    /// Effective only before libgomp is loaded, i.e. before the first use of libtorch.</summary>
    public static void ApplyDefault()
    {
        if (!OperatingSystem.IsLinux() || getenv(Variable) != IntPtr.Zero) return;
        if (setenv(Variable, Default, 0) != 0) throw new InvalidOperationException($"setenv({Variable}) failed (errno {Marshal.GetLastPInvokeError()})");
        SetByMedAnomaly = true;
    }

    [DllImport("libc.so.6", CharSet = CharSet.Ansi, BestFitMapping = false)]
    static extern IntPtr getenv(string name);

    [DllImport("libc.so.6", CharSet = CharSet.Ansi, BestFitMapping = false, SetLastError = true)]
    static extern int setenv(string name, string value, int overwrite);
}
