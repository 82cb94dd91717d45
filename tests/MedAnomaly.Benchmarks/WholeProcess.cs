using System.Diagnostics;

namespace MedAnomaly.Benchmarks;

/// <summary>Whole processes timed from start to exit, as a user meets them: the built `medanomaly` and its peers.</summary>
public static class WholeProcess
{
    /// <summary>MedAnomaly.Cli.dll, copied beside the benchmarks by their project reference.</summary>
    public static string Cli => Path.Combine(AppContext.BaseDirectory, "MedAnomaly.Cli.dll");

    /// <summary>Runs <paramref name="program"/> to its end; returns the wall time and its stdout. Throws with stderr on failure.</summary>
    public static (double Seconds, string Stdout) Run(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            if (value is null) start.Environment.Remove(name); else start.Environment[name] = value;
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        double seconds = clock.Elapsed.TotalSeconds;
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(" ", args)} failed ({p.ExitCode}): {stderr.Result}");
        return (seconds, stdout);
    }

    /// <summary>`dotnet MedAnomaly.Cli.dll args…`.</summary>
    public static (double Seconds, string Stdout) Medanomaly(params string[] args) => Run("dotnet", [Cli, .. args]);

    /// <summary>Runs <paramref name="ours"/> and <paramref name="peer"/> <paramref name="rounds"/> times each, taking turns
    /// (who goes first alternates), and returns the median wall times.</summary>
    public static (double Ours, double Peer) TakeTurns(int rounds, Func<double> ours, Func<double> peer)
    {
        var a = new List<double>();
        var b = new List<double>();
        for (int i = 0; i < rounds; i++)
        {
            if (i % 2 == 0) { a.Add(ours()); b.Add(peer()); }
            else { b.Add(peer()); a.Add(ours()); }
        }
        return (Statistics.Median(a), Statistics.Median(b));
    }
}
