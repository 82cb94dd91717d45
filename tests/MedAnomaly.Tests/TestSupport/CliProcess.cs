using System.Diagnostics;

namespace MedAnomaly.Tests.TestSupport;

/// <summary>What one run of the built `medanomaly` command did.</summary>
public sealed record CliResult(int Code, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
    public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Exit code 1, and stderr is exactly one "error: …" line containing each of <paramref name="expected"/>
    /// (plus at most one "hint: …" line); no stack frame anywhere.</summary>
    public void AssertOneLineError(params string[] expected)
    {
        Assert.True(Code == 1, $"exit code {Code}; output:\n{Output}");
        var lines = ErrorLines;
        Assert.True(lines.Length is 1 or 2 && lines[0].StartsWith("error: ") && (lines.Length == 1 || lines[1].StartsWith("hint: ")),
                    $"expected one error line (and at most one hint), got:\n{Stderr}");
        Assert.DoesNotMatch(@"(?m)^\s+at ", Output);
        Assert.DoesNotContain("Exception", lines[0][..Math.Min(lines[0].Length, 40)]);   // a message, not a type name
        foreach (var text in expected) Assert.Contains(text, lines[0]);
    }
}

/// <summary>Runs the built CLI (MedAnomaly.Cli.dll, copied beside the tests) in its own process, as a user does.</summary>
public static class CliProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "MedAnomaly.Cli.dll");

    /// <summary>Starts `dotnet MedAnomaly.Cli.dll args` with libtorch on one thread (<paramref name="environment"/> adds or,
    /// with a null value, removes variables); <paramref name="prefix"/> runs it through another program (e.g. setpriv).</summary>
    public static Process Start(string[] args, IReadOnlyDictionary<string, string?>? environment = null, string[]? prefix = null)
    {
        string[] command = [.. prefix ?? [], "dotnet", Dll, .. args];
        var start = new ProcessStartInfo(command[0], command[1..]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["MEDANOMALY_NUM_THREADS"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            if (value is null) start.Environment.Remove(name); else start.Environment[name] = value;
        return Process.Start(start)!;
    }

    public static CliResult Wait(Process p, int timeoutMs = 180_000)
    {
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(timeoutMs), $"the command did not finish in {timeoutMs / 1000} s");
        return new CliResult(p.ExitCode, stdout, stderr.Result);
    }

    public static CliResult Run(params string[] args) => Wait(Start(args));
}
