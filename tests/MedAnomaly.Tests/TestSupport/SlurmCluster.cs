using System.Diagnostics;
using MedAnomaly.Tests.Notebooks;

namespace MedAnomaly.Tests.TestSupport;

/// <summary>
/// A real single-node Slurm cluster for the tests of the Slurm executor: started once by tests/slurm/loopback-cluster.sh
/// in a temporary folder (munged, slurmctld, slurmd; 2 CPUs), stopped when the collection ends, whether its tests
/// passed or not. When it cannot start, <see cref="Require"/> fails each test with the script's reason: these tests
/// are never skipped.
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    /// <summary><c>MEDANOMALY_TEST_SLURM_DIR</c> when set (tests/run-tests.sh sets it, and stops that cluster on exit even
    /// if the test host dies), else a new temporary folder.</summary>
    public string Folder { get; } = System.Environment.GetEnvironmentVariable("MEDANOMALY_TEST_SLURM_DIR") is { Length: > 0 } given
        ? Directory.CreateDirectory(given).FullName
        : Directory.CreateTempSubdirectory("medanomaly-slurm-").FullName;

    /// <summary>Why the cluster did not start (the script's output), or null.</summary>
    public string? Failure { get; }

    public string Conf => Path.Combine(Folder, "slurm.conf");

    static string Script => Path.Combine(NotebookRun.RepositoryRoot, "tests", "slurm", "loopback-cluster.sh");

    public SlurmCluster()
    {
        var (code, output) = Run("start", Folder, "2");
        if (code != 0) Failure = $"`{Script} start {Folder} 2` exited with {code}:\n{output}";
    }

    public void Require()
    {
        if (Failure is not null) Assert.Fail($"the loopback Slurm cluster did not start, so the Slurm executor cannot be tested. {Failure}");
    }

    /// <summary>For a process that uses the cluster: SLURM_CONF names its configuration.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?> { ["SLURM_CONF"] = Conf };

    static (int Code, string Output) Run(params string[] args)
    {
        var start = new ProcessStartInfo("/bin/bash", [Script, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) { process.Kill(entireProcessTree: true); return (-1, "timed out after 2 min\n" + output + error.Result); }
        return (process.ExitCode, output + error.Result);
    }

    public void Dispose()
    {
        Run("stop", Folder);
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The Slurm tests share one cluster and run alone (after the parallel tests): they kill a task at a chosen moment.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SlurmCollection : ICollectionFixture<SlurmCluster>
{
    public const string Name = "slurm";
}
