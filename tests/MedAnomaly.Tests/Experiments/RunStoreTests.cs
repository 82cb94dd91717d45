using System.Diagnostics;
using MedAnomaly.Experiments;
using Microsoft.Data.Analysis;
using Microsoft.Data.Sqlite;

namespace MedAnomaly.Tests.Experiments;

public sealed class RunStoreTests : IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    static RunInfo Info(string method = "ae", long seed = 0, string dataset = "phantom") =>
        new(method, dataset, """{"steps":300,"lr":0.001}""", seed, $"medanomaly train {method} --seed {seed}")
        {
            GitRevision = "0123456789abcdef0123456789abcdef01234567",
            LibtorchVersion = "2.5.1",
            TorchSharpVersion = "0.105.0",
        };

    static string Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar())!;
    }

    static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public void OpenCreatesTheFolderAndAWalDatabaseAtTheLatestSchema()
    {
        string path = Path.Combine(temp.Path, "nested", "runs", "medanomaly.db");
        var store = RunStore.Open(path);
        Assert.Equal(path, store.Path);
        Assert.True(File.Exists(path));
        Assert.Equal("wal", Scalar(path, "PRAGMA journal_mode"));
        Assert.Equal(RunStoreSchema.LatestVersion.ToString(), Scalar(path, "PRAGMA user_version"));
        RunStore.Open(path); // reopening migrates nothing and fails nothing
        Assert.Equal("3", Scalar(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('runs', 'metrics', 'artifacts')"));
    }

    [Fact]
    public void RecordsARunWithItsMetricsAndArtifacts()
    {
        var store = RunStore.Open(temp.File("runs.db"));
        string artifact = temp.File("hello.txt");
        File.WriteAllText(artifact, "hello");
        var before = DateTime.UtcNow;

        long id = store.BeginRun(Info());
        store.RecordMetrics(id, [new MetricValue("train", "loss", 0.0123, "final mean-squared error")]);
        var recorded = store.RecordArtifact(id, "figure", artifact);
        store.CompleteRun(id, [new MetricValue("test", "pixel_auroc", 0.97), new MetricValue("test", "pixel_ap", double.NaN, "undefined: no lesion")]);

        var run = store.GetRun(id);
        Assert.Equal(Info(), run.Info with { Machine = null });
        Assert.Contains(Environment.MachineName, run.Info.Machine);   // filled in by BeginRun
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.InRange(run.StartedUtc, before.AddSeconds(-1), run.EndedUtc!.Value);
        Assert.Null(run.Error);
        Assert.Equal(Environment.ProcessId, run.Owner!.Pid);
        Assert.Equal(["loss", "pixel_auroc", "pixel_ap"], run.Metrics.Select(m => m.Name)); // in the order recorded
        Assert.Equal(new MetricValue("train", "loss", 0.0123, "final mean-squared error"), run.Metrics.Single(m => m.Name == "loss"));
        Assert.True(double.IsNaN(run.Metrics.Single(m => m.Name == "pixel_ap").Value)); // NaN → NULL → NaN, never 0
        // sha256("hello"), as `printf hello | sha256sum` prints it
        Assert.Equal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", recorded.Sha256);
        Assert.Equal([new ArtifactRecord("figure", artifact, recorded.Sha256)], run.Artifacts);
    }

    [Fact]
    public void CompletionIsAllOrNothing()
    {
        var store = RunStore.Open(temp.File("runs.db"));
        long id = store.BeginRun(Info());
        store.RecordMetrics(id, [new MetricValue("test", "pixel_auroc", 0.9)]);
        var error = Assert.Throws<InvalidOperationException>(() =>
            store.CompleteRun(id, [new MetricValue("test", "pixel_ap", 0.5), new MetricValue("test", "pixel_auroc", 0.8)]));
        Assert.Contains($"run {id}", error.Message);
        Assert.Contains("test/pixel_auroc", error.Message);
        var run = store.GetRun(id);
        Assert.Equal(RunStatus.Running, run.Status);                           // not completed…
        Assert.Equal(["pixel_auroc"], run.Metrics.Select(m => m.Name));         // …and pixel_ap not half-recorded
        Assert.Equal(0.9, run.Metrics[0].Value);
    }

    [Fact]
    public void OnlyARunningRunAcceptsMetricsOrAnEnding()
    {
        var store = RunStore.Open(temp.File("runs.db"));
        long id = store.BeginRun(Info());
        store.FailRun(id, "loss became NaN at step 12");
        Assert.Equal("loss became NaN at step 12", store.GetRun(id).Error);
        var error = Assert.Throws<InvalidOperationException>(() => store.CompleteRun(id));
        Assert.Contains($"run {id} in {store.Path} is failed", error.Message);
        Assert.Throws<InvalidOperationException>(() => store.RecordMetrics(id, [new MetricValue("test", "x", 1)]));
        long cancelled = store.BeginRun(Info());
        store.CancelRun(cancelled, "stopped by the user");
        Assert.Equal(RunStatus.Cancelled, store.GetRun(cancelled).Status);
    }

    [Fact]
    public void BadInputGetsErrorsThatNameIt()
    {
        var store = RunStore.Open(temp.File("runs.db"));
        var missing42 = Assert.Throws<RunNotFoundException>(() => store.GetRun(42));
        Assert.Equal((42L, store.Path), (missing42.RunId, missing42.StorePath));
        Assert.Contains($"run 42 is not in {store.Path} (`medanomaly runs list --store {store.Path}`", missing42.Message);
        Assert.Contains("run 42", Assert.Throws<RunNotFoundException>(() => store.CompleteRun(42)).Message);
        Assert.Contains("not usable (it is not valid JSON", Assert.Throws<ArgumentException>(() => store.BeginRun(Info() with { ConfigJson = "{steps: 3" })).Message);
        Assert.Contains("root is a JSON array", Assert.Throws<ArgumentException>(() => store.BeginRun(Info() with { ConfigJson = "[1]" })).Message);
        Assert.Contains("Method is empty", Assert.Throws<ArgumentException>(() => store.BeginRun(Info() with { Method = " " })).Message);
        long id = store.BeginRun(Info());
        string missing = temp.File("no-such.safetensors");
        Assert.Contains("no-such.safetensors", Assert.Throws<FileNotFoundException>(() => store.RecordArtifact(id, "checkpoint", missing)).Message);
        Assert.Contains("test/auc' is infinite", Assert.Throws<ArgumentException>(() => store.RecordMetrics(id, [new MetricValue("test", "auc", double.PositiveInfinity)])).Message);
        Assert.Empty(store.GetRun(id).Metrics);
    }

    [Fact]
    public void RefusesAFileThatIsNotSqlite()
    {
        string path = temp.File("notes.db");
        File.WriteAllText(path, "these are my notes, not a database");
        var error = Assert.Throws<InvalidDataException>(() => RunStore.Open(path));
        Assert.Contains($"'{path}' is not a SQLite database", error.Message);
        Assert.Equal("these are my notes, not a database", File.ReadAllText(path)); // left untouched
        Assert.Throws<ArgumentException>(() => RunStore.Open(temp.Path));         // a folder
    }

    [Fact]
    public void RefusesAnEmptyFileAndLeavesIt()
    {
        string path = temp.File("empty.db");
        File.WriteAllBytes(path, []);
        var error = Assert.Throws<InvalidDataException>(() => RunStore.Open(path));
        Assert.Contains($"'{path}' is an empty file (0 bytes), not a MedAnomaly run store", error.Message);
        Assert.Throws<InvalidDataException>(() => RunStore.OpenReadOnly(path));
        Assert.Equal(0, new FileInfo(path).Length);
    }

    /// <summary>A SQLite file of another program is refused by its missing marker, even with tables named like ours.</summary>
    [Fact]
    public void RefusesAnotherProgramsDatabaseWhateverItsTables()
    {
        string path = temp.File("other.db");
        Execute(path, "CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO runs (name) VALUES ('mine')");
        SqliteConnection.ClearAllPools();
        var error = Assert.Throws<InvalidDataException>(() => RunStore.Open(path));
        Assert.Contains($"'{path}' is a SQLite database but not a MedAnomaly run store (application_id 0, expected {RunStoreFile.ApplicationId}; tables: runs)", error.Message);
        Assert.Throws<InvalidDataException>(() => RunStore.OpenReadOnly(path));
        Assert.Equal("0", Scalar(path, "PRAGMA user_version"));                        // left untouched
        Assert.Equal("mine", Scalar(path, "SELECT name FROM runs"));
        Execute(path, "PRAGMA user_version = 2");                                     // a version number alone is not enough
        SqliteConnection.ClearAllPools();
        Assert.Throws<InvalidDataException>(() => RunStore.Open(path));
    }

    [Fact]
    public void ANewStoreCarriesTheMarker()
    {
        string path = temp.File("runs.db");
        RunStore.Open(path);
        Assert.Equal(RunStoreFile.ApplicationId.ToString(), Scalar(path, "PRAGMA application_id"));
        Assert.Equal(0x4D44414E, RunStoreFile.ApplicationId);
        Assert.Equal("MDAN", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(path).AsSpan(68, 4))); // SQLite header offset 68, big-endian
        Assert.Empty(Directory.EnumerateFiles(temp.Path, "*.new*"));                 // the temporary file was renamed into place
    }

    /// <summary>Pages overwritten in the middle of the file: every reader and writer names the store and quotes SQLite.</summary>
    [Fact]
    public void ADamagedStoreGivesAnErrorNamingItAndSqlitesMessage()
    {
        string path = temp.File("runs.db");
        var store = RunStore.Open(path);
        for (int i = 0; i < 200; i++) store.CompleteRun(store.BeginRun(Info("ae", i)), [new MetricValue("test", "pixel_auroc", i / 200.0)]);
        SqliteConnection.ClearAllPools();                                              // checkpoints the WAL into the file
        DamagedStore.Damage(path);
        var read = Assert.Throws<RunStoreException>(() => RunStore.OpenReadOnly(path).ListRuns());
        Assert.StartsWith($"run store '{path}' is damaged (SQLite Error 11: 'database disk image is malformed'", read.Message);
        Assert.Contains("docs/experiments.md", read.Message);
        var write = Assert.Throws<RunStoreException>(() => RunStore.Open(path).MarkStaleRunsFailed());
        Assert.StartsWith($"run store '{path}' is damaged", write.Message);
    }

    [Fact]
    public void AReadOnlyStoreReadsAndRefusesWrites()
    {
        string path = temp.File("runs.db");
        var writer = RunStore.Open(path);
        writer.CompleteRun(writer.BeginRun(Info()), [new MetricValue("test", "pixel_auroc", 0.5)]);
        var reader = RunStore.OpenReadOnly(path);
        Assert.True(reader.IsReadOnly);
        Assert.Equal(0.5, reader.GetRun(1).Metrics.Single().Value);
        Assert.Contains("opened read-only", Assert.Throws<InvalidOperationException>(() => reader.BeginRun(Info())).Message);
        Assert.Single(writer.ListRuns());
        Assert.Contains("no run store at", Assert.Throws<FileNotFoundException>(() => RunStore.OpenReadOnly(temp.File("none.db"))).Message);
        Assert.False(File.Exists(temp.File("none.db")));
    }

    [Fact]
    public void ManyProcessesCreatingOneStoreAtOnceAllOpenIt()
    {
        string path = temp.File("new", "runs.db");
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => RunStore.Open(path).BeginRun(Info()));
        Assert.Equal(8, RunStore.Open(path).ListRuns().Count);
        Assert.Equal(["runs.db", "runs.db-shm", "runs.db-wal"], Directory.EnumerateFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void ListsAndFiltersRuns()
    {
        var store = RunStore.Open(temp.File("runs.db"));
        long a = store.BeginRun(Info("ae", 0));
        long b = store.BeginRun(Info("ae", 1));
        long c = store.BeginRun(Info("vae", 0, "brats21"));
        store.CompleteRun(a);
        store.FailRun(c, "boom");
        Assert.Equal([a, b, c], store.ListRuns().Select(r => r.Id));
        Assert.Equal([a, b], store.ListRuns(new RunFilter(Method: "ae")).Select(r => r.Id));
        Assert.Equal([b], store.ListRuns(new RunFilter(Status: RunStatus.Running)).Select(r => r.Id));
        Assert.Equal([c], store.ListRuns(new RunFilter(Dataset: "brats21")).Select(r => r.Id));
        Assert.Equal([a, c], store.ListRuns(new RunFilter(Seed: 0)).Select(r => r.Id));
    }

    [Fact]
    public void ReadsResultsAsALongDataFrameOfCompletedRuns()
    {
        var store = RunStore.Open(temp.File("runs.db"));
        foreach (var row in SampleResults.Rows().GroupBy(r => (r.Method, r.Seed)))
        {
            long id = store.BeginRun(Info(row.Key.Method, row.Key.Seed));
            store.CompleteRun(id, row.Select(r => new MetricValue(r.Split, r.Metric, r.Value ?? double.NaN)));
        }
        long crashed = store.BeginRun(Info("ae", 5));
        store.RecordMetrics(crashed, [new MetricValue("test", "pixel_auroc", 0.01)]);
        store.FailRun(crashed, "out of memory");

        DataFrame results = store.ReadResults();
        Assert.Equal(ResultsFrame.Columns, results.Columns.Select(c => c.Name));
        Assert.Equal(SampleResults.Rows().Count, results.Rows.Count);          // the failed run's number is not there
        Assert.Equal(1, results["value"].NullCount);                           // vae seed 1's pixel_ap
        Assert.Equal(SampleResults.Rows().Count + 1, store.ReadResults(RunFilter.All).Rows.Count);

        var summary = SeedStatistics.Summarize(results);
        Assert.Equal(["pixel_auroc", "pixel_ap"], summary.Metrics);                // as the runs recorded them
        Assert.Equal(SampleResults.AeAurocStd, summary.Get("ae", "pixel_auroc")!.Value.Std, 12);
        Assert.Null(summary.Get("ddpm", "pixel_ap"));
    }

    [Fact]
    public void TrackCompletesFailsOrCancels()
    {
        var store = RunStore.Open(temp.File("runs.db"));
        long done = store.Track(Info(), id => [new MetricValue("test", "pixel_auroc", 0.9)]);
        Assert.Equal(RunStatus.Completed, store.GetRun(done).Status);
        Assert.Equal(0.9, store.GetRun(done).Metrics.Single().Value);

        Assert.Throws<InvalidDataException>(() => store.Track(Info(), id => throw new InvalidDataException("volume 3 is truncated")));
        var failed = store.ListRuns().Last();
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Contains("volume 3 is truncated", failed.Error);

        Assert.Throws<OperationCanceledException>(() => store.Track(Info(), id => throw new OperationCanceledException("Ctrl+C")));
        Assert.Equal(RunStatus.Cancelled, store.ListRuns().Last().Status);
    }

    [Fact]
    public void MarksRunsOfDeadProcessesFailed()
    {
        var store = RunStore.Open(temp.File("runs.db"));
        long dead = store.BeginRun(Info());
        long reused = store.BeginRun(Info());
        long alive = store.BeginRun(Info());
        long elsewhere = store.BeginRun(Info());
        long finished = store.BeginRun(Info());
        store.CompleteRun(finished);

        using (var process = Process.Start("true")!) // a process that has ended: its pid is no one's now
        {
            process.WaitForExit();
            Execute(store.Path, $"UPDATE runs SET pid = {process.Id} WHERE id IN ({dead}, {finished})");
        }
        // This process's pid with another start time: the id was reused by a new process after the owner died.
        Execute(store.Path, $"UPDATE runs SET process_started_utc = '2001-01-01T00:00:00.0000000Z' WHERE id = {reused}");
        Execute(store.Path, $"UPDATE runs SET host = 'another-host', pid = 1 WHERE id = {elsewhere}");

        Assert.Equal([dead, reused], store.MarkStaleRunsFailed());
        Assert.Equal(RunStatus.Failed, store.GetRun(dead).Status);
        Assert.Contains("ended without finishing the run", store.GetRun(dead).Error);
        Assert.Equal(RunStatus.Running, store.GetRun(alive).Status);
        Assert.Equal(RunStatus.Running, store.GetRun(elsewhere).Status);
        Assert.Equal(RunStatus.Completed, store.GetRun(finished).Status);
        Assert.Empty(store.MarkStaleRunsFailed());
    }

    [Fact]
    public async Task AWriteWaitsForAnotherConnectionsLockInsteadOfFailing()
    {
        string path = temp.File("runs.db");
        var store = RunStore.Open(path);
        using var locked = new ManualResetEventSlim();
        var holder = Task.Run(() =>
        {
            // Another writer (its own, unpooled connection) holds the write lock for 400 ms.
            using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
            connection.Open();
            using var transaction = connection.BeginTransaction(deferred: false);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO runs (method, dataset, config_json, seed, command, started_utc, status) VALUES ('other', 'd', '{}', 0, 'c', '2025-01-01T00:00:00.0000000Z', 'running')";
            command.ExecuteNonQuery();
            locked.Set();
            Thread.Sleep(400);
            transaction.Commit();
        });
        locked.Wait();
        var clock = Stopwatch.StartNew();
        long id = store.BeginRun(Info());     // blocked until the other transaction commits, then lands
        Assert.True(clock.ElapsedMilliseconds >= 300, $"BeginRun returned after {clock.ElapsedMilliseconds} ms while another writer held the lock");
        await holder;
        Assert.Equal(["other", "ae"], store.ListRuns().Select(r => r.Info.Method));
        Assert.Equal(2, id);
    }

    [Fact]
    public void ConcurrentWritersAllLand()
    {
        string path = temp.File("runs.db");
        RunStore.Open(path);
        const int writers = 4, runsEach = 25;
        var ids = new System.Collections.Concurrent.ConcurrentBag<long>();
        // Separate stores (separate connections) on separate threads, each run three write transactions.
        Parallel.For(0, writers, new ParallelOptions { MaxDegreeOfParallelism = writers }, writer =>
        {
            var store = RunStore.Open(path);
            for (int i = 0; i < runsEach; i++)
            {
                long id = store.BeginRun(Info($"writer{writer}", i));
                store.RecordMetrics(id, [new MetricValue("train", "loss", i)]);
                store.CompleteRun(id, [new MetricValue("test", "pixel_auroc", writer + i / 100.0)]);
                ids.Add(id);
            }
        });
        var runs = RunStore.Open(path).ListRuns();
        Assert.Equal(writers * runsEach, runs.Count);
        Assert.Equal(writers * runsEach, ids.Distinct().Count());
        Assert.All(runs, run => Assert.Equal((RunStatus.Completed, 2), (run.Status, run.Metrics.Count)));
    }
}
