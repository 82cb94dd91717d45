namespace MedAnomaly.Benchmarks;

/// <summary>
/// Start-up of the `medanomaly` command as a whole process: `--help` and `runs list` (neither loads libtorch) against
/// `python3 -c pass` in the same run, taking turns. Goal: `--help` ≤ 0.3 s.
/// </summary>
public sealed class StartupBenchmark : IBenchmark
{
    public string Name => "startup";
    public string Description => "`medanomaly --help` and `runs list` as whole processes vs `python3 -c pass` (median s)";

    public void Run(bool quick)
    {
        int rounds = quick ? 5 : 15;
        string folder = Directory.CreateTempSubdirectory("medanomaly-startup-").FullName;
        try
        {
            string store = Path.Combine(folder, "medanomaly.db");
            Experiments.RunStore.Open(store);
            WholeProcess.Medanomaly("--help");   // the first start reads the files into the page cache
            var (help, python) = WholeProcess.TakeTurns(rounds, () => WholeProcess.Medanomaly("--help").Seconds,
                                                        () => WholeProcess.Run(Peer.Python, ["-c", "pass"]).Seconds);
            var (list, _) = WholeProcess.TakeTurns(rounds, () => WholeProcess.Medanomaly("runs", "list", "--store", store).Seconds, () => 0);
            Console.WriteLine($"medanomaly --help     {help:F3} s (goal ≤ 0.3 s)   ratio to python3 -c pass: {help / python:F1}x");
            Console.WriteLine($"medanomaly runs list  {list:F3} s");
            Console.WriteLine($"python3 -c pass       {python:F3} s   (median of {rounds}, taking turns)");
        }
        finally { Directory.Delete(folder, true); }
    }
}
