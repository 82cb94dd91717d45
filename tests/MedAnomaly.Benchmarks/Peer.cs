using System.Diagnostics;

namespace MedAnomaly.Benchmarks;

/// <summary>Runs a peer script with Debian's python3 (which has python3-torch, -sklearn, -nibabel).</summary>
public static class Peer
{
    public const string Python = "/usr/bin/python3";

    /// <summary>Runs `python3 script args`, streams nothing, returns stdout; throws with stderr on failure.</summary>
    public static string RunPython(string script, params string[] args)
    {
        using var p = Start(script, args, redirectInput: false);
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{script} failed ({p.ExitCode}): {stderr.Result}");
        return stdout;
    }

    /// <summary>
    /// Starts `python3 script args` as a conversation partner: <see cref="PeerProcess.Ask"/> writes a line
    /// to its stdin and returns the line it answers. Used to alternate peer and C# work step by step.
    /// </summary>
    public static PeerProcess StartPython(string script, params string[] args) =>
        new(Start(script, args, redirectInput: true), script);

    static Process Start(string script, string[] args, bool redirectInput)
    {
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = redirectInput, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Python}");
    }

    /// <summary>
    /// The BLAS that Debian's python3 peers (numpy, PyTorch 1.13) load: the library the libblas.so.3 alternative
    /// points at. Debian's own reference BLAS (netlib, blas/libblas.so.3) runs a matmul several times slower than
    /// OpenBLAS (5.7 s of a 7.4 s DISYRE step at 128² went into attention's bmm), which would flatter every ratio.
    /// </summary>
    public static string BlasDescription()
    {
        const string alternative = "/usr/lib/x86_64-linux-gnu/libblas.so.3";
        if (!File.Exists(alternative)) return "no libblas.so.3 alternative (numpy and PyTorch use what they bundle)";
        string target = new FileInfo(alternative).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? alternative;
        bool reference = Path.GetFileName(Path.GetDirectoryName(target)) == "blas";
        return reference
            ? $"{target} — the reference BLAS: PyTorch's matmuls run unoptimised; `make peer-deps` installs OpenBLAS"
            : target;
    }

    /// <summary>
    /// Waits until the side that just ran has parked its worker threads, before the other side's turn. Idle workers
    /// spin before they sleep: libgomp's (both sides' OpenMP pools) for a short while, OpenBLAS's pthread pool (the peer)
    /// for up to 2^28 cycles, about 0.1 s. On a 2-core machine that spinning took the other side's cores: the reference
    /// UNet step measured 1247 ms (C#) and 1102 ms (PyTorch) taking turns back to back, 800.9 and 1073.8 ms with this pause.
    /// </summary>
    public static void LetThreadsPark() => Thread.Sleep(ParkMilliseconds);

    const int ParkMilliseconds = 300;

    /// <summary>Path of a file in tests/MedAnomaly.Benchmarks/peers, found by walking up from the binary.</summary>
    public static string Script(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "MedAnomaly.Benchmarks", "peers", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"peer script tests/MedAnomaly.Benchmarks/peers/{name} not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>A running peer script that answers one stdout line per stdin line.</summary>
public sealed class PeerProcess : IDisposable
{
    readonly Process process;
    readonly string script;
    readonly Task<string> stderr;

    internal PeerProcess(Process process, string script)
    {
        this.process = process;
        this.script = script;
        stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>The next line the peer prints (e.g. its "ready" line); throws with its stderr if it exited.</summary>
    public string ReadLine() =>
        process.StandardOutput.ReadLine()
        ?? throw new InvalidOperationException($"{script} exited ({WaitForExitCode()}): {stderr.Result}");

    public string Ask(string request)
    {
        process.StandardInput.WriteLine(request);
        process.StandardInput.Flush();
        return ReadLine();
    }

    int WaitForExitCode() { process.WaitForExit(); return process.ExitCode; }

    public void Dispose()
    {
        try { process.StandardInput.Close(); } catch (IOException) { }
        if (!process.WaitForExit(10_000)) process.Kill(entireProcessTree: true);
        process.Dispose();
    }
}
