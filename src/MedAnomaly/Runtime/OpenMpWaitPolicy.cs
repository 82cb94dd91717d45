using System.Runtime.InteropServices;

namespace MedAnomaly.Runtime;

/// <summary>
/// Lets libtorch's OpenMP workers spin briefly, then sleep, while they wait for work, unless the user chose otherwise.
/// libgomp (which libtorch_cpu.so links) reads <c>OMP_WAIT_POLICY</c> and <c>GOMP_SPINCOUNT</c> once, in its constructor,
/// when it is loaded with libtorch. Left unset it spins for 300,000 iterations after every parallel region, and ACTIVE
/// spins indefinitely: spinning workers take the cores another job needs, and a job beside them takes the cores their
/// barrier waits for. PASSIVE alone (no spin) puts every worker to sleep between the many small operations of a
/// training step, which doubled the step of DISYRE's quick network on an idle machine. <see cref="ApplyDefault"/> sets
/// PASSIVE with a spin of <see cref="DefaultSpinCount"/> iterations (docs/stack.md has the measurements) in the process's
/// native environment (libc <c>setenv</c>: .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// changes only its own copy, which libgomp never sees, and is what child processes inherit) before the first load of
/// libtorch; <see cref="TorchNative.EnsureLoaded"/> calls it first.
/// </summary>
public static class OpenMpWaitPolicy
{
    public const string Variable = "OMP_WAIT_POLICY";
    public const string Default = "PASSIVE";
    public const string SpinCountVariable = "GOMP_SPINCOUNT";
    public const string DefaultSpinCount = "1000";

    /// <summary>Whether <see cref="ApplyDefault"/> set the variables (false: the user had set one, or not Linux).</summary>
    public static bool SetByMedAnomaly { get; private set; }

    /// <summary>The value libgomp reads in this process (the native environment), or null when unset.</summary>
    public static string? Current => Read(Variable);

    /// <summary>The spin count libgomp reads in this process, or null when unset.</summary>
    public static string? CurrentSpinCount => Read(SpinCountVariable);

    /// <summary>Sets OMP_WAIT_POLICY=PASSIVE and GOMP_SPINCOUNT=1000 in the native environment unless either is set (to
    /// anything, empty included). Effective only before libgomp is loaded, i.e. before the first use of libtorch.</summary>
    public static void ApplyDefault()
    {
        if (!OperatingSystem.IsLinux() || getenv(Variable) != IntPtr.Zero || getenv(SpinCountVariable) != IntPtr.Zero) return;
        Set(Variable, Default);
        Set(SpinCountVariable, DefaultSpinCount);
        SetByMedAnomaly = true;
    }

    static string? Read(string name) => OperatingSystem.IsLinux() ? Marshal.PtrToStringUTF8(getenv(name)) : Environment.GetEnvironmentVariable(name);

    static void Set(string name, string value)
    {
        if (setenv(name, value, 0) != 0) throw new InvalidOperationException($"setenv({name}) failed (errno {Marshal.GetLastPInvokeError()})");
    }

    [DllImport("libc.so.6", CharSet = CharSet.Ansi, BestFitMapping = false)]
    static extern IntPtr getenv(string name);

    [DllImport("libc.so.6", CharSet = CharSet.Ansi, BestFitMapping = false, SetLastError = true)]
    static extern int setenv(string name, string value, int overwrite);
}
