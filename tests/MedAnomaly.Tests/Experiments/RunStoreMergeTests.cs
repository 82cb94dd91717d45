using MedAnomaly.Experiments;
using Microsoft.Data.Sqlite;

namespace MedAnomaly.Tests.Experiments;

/// <summary>Stores written apart (one per grid cell) merged into one: every column, metric and artifact as stored, ids
/// given anew, and nothing added twice (runs match by uuid).</summary>
public sealed class RunStoreMergeTests : IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    static RunInfo Info(string method, long seed) =>
        new(method, "phantom", $$"""{"method":"{{method}}"}""", seed, $"medanomaly train --method {method} --seed {seed}")
        {
            GitRevision = "0123456789abcdef0123456789abcdef01234567",
            Machine = "node-7 (Debian, X64, 64 cores), libtorch threads 4",
            LibtorchVersion = "2.10.0",
            TorchSharpVersion = "0.107.0",
        };

    /// <summary>A cell's store: one completed run with metrics (one undefined) and a model, as a Slurm task leaves it.</summary>
    RunStore Cell(string name, string method, long seed, double auroc)
    {
        var store = RunStore.Open(temp.File(name, "runs.db"));
        long id = store.BeginRun(Info(method, seed));
        string model = temp.File(name, "model.safetensors");
        File.WriteAllBytes(model, [1, 2, 3]);
        store.RecordArtifact(id, "model", model);
        store.CompleteRun(id, [new("test", "pixel_auroc", auroc, "pixel AUROC"), new("test", "hd95", double.NaN), new("train", "final_loss", 0.25)]);
        return store;
    }

    static object?[] Row(string path, long id)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM runs WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        var values = new object?[reader.FieldCount];
        reader.GetValues(values!);
        return values[1..];   // every column but the id
    }

    [Fact]
    public void MergingCopiesEveryFinishedRunOnceWithItsMetricsAndArtifacts()
    {
        var a = Cell("a", "ae", 0, 0.75);
        var b = Cell("b", "dae", 1, 0.5);
        var main = RunStore.Open(temp.File("main.db"));
        main.BeginRun(Info("vae", 3));   // the main store has a run of its own: merged runs get the next ids

        var first = new[] { main.Merge(a.Path), main.Merge(b.Path) };
        Assert.Equal([(1, 0, 0), (1, 0, 0)], first.Select(r => (r.Added, r.AlreadyPresent, r.StillRunning)));
        var again = new[] { main.Merge(a.Path), main.Merge(b.Path) };
        Assert.Equal([(0, 1, 0), (0, 1, 0)], again.Select(r => (r.Added, r.AlreadyPresent, r.StillRunning)));

        var runs = main.ListRuns();
        Assert.Equal([1L, 2L, 3L], runs.Select(r => r.Id));
        foreach (var (store, merged) in new[] { (a, runs[1]), (b, runs[2]) })
        {
            var source = store.GetRun(1);
            Assert.Equal(source.Uuid, merged.Uuid);
            Assert.Equal(Row(store.Path, 1), Row(main.Path, merged.Id));   // every column as stored (times, owner, status…)
            Assert.Equal(source.Metrics.Select(m => (m.Split, m.Name, m.Value, m.Definition)), merged.Metrics.Select(m => (m.Split, m.Name, m.Value, m.Definition)));
            Assert.Equal(source.Artifacts, merged.Artifacts);
        }
        Assert.True(double.IsNaN(runs[1].Metrics.Single(m => m.Name == "hd95").Value));   // NULL stays NULL
        Assert.Equal(2, main.ReadResults().Rows.Count / 3);                                // both merged runs are completed results
    }

    [Fact]
    public void ARunningRunIsLeftOutUntilItEnds()
    {
        var cell = RunStore.Open(temp.File("cell", "runs.db"));
        long id = cell.BeginRun(Info("ae", 0));
        var main = RunStore.Open(temp.File("main.db"));

        Assert.Equal((0, 0, 1), (main.Merge(cell.Path).Added, main.Merge(cell.Path).AlreadyPresent, main.Merge(cell.Path).StillRunning));
        Assert.Empty(main.ListRuns());
        cell.FailRun(id, "killed");
        var result = main.Merge(cell.Path);
        Assert.Equal((1, 0, 0), (result.Added, result.AlreadyPresent, result.StillRunning));
        Assert.Equal(RunStatus.Failed, main.ListRuns().Single().Status);
        Assert.Equal("killed", main.ListRuns().Single().Error);
    }

    [Fact]
    public void RefusesToMergeAStoreIntoItselfOrAFileThatIsNoStore()
    {
        var main = Cell("main", "ae", 0, 0.5);
        Assert.Contains("into itself", Assert.Throws<ArgumentException>(() => main.Merge(main.Path)).Message);
        string other = temp.File("other.db");
        File.WriteAllText(other, "not a database");
        Assert.Contains("not a SQLite database", Assert.Throws<InvalidDataException>(() => main.Merge(other)).Message);
        Assert.Throws<FileNotFoundException>(() => main.Merge(temp.File("missing.db")));
        Assert.Single(main.ListRuns());
    }

    /// <summary>Another program's insert (or a script's) leaves no run without a uuid: a trigger gives it one.</summary>
    [Fact]
    public void ARunInsertedWithoutAUuidGetsOne()
    {
        var store = RunStore.Open(temp.File("runs.db"));
        using (var connection = new SqliteConnection($"Data Source={store.Path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO runs (method, dataset, config_json, seed, command, started_utc, status) VALUES ('ae', 'd', '{}', 0, 'c', '2025-01-01T00:00:00.0000000Z', 'completed')";
            command.ExecuteNonQuery();
        }
        Assert.Matches("^[0-9a-f]{32}$", store.GetRun(1).Uuid);
        var main = RunStore.Open(temp.File("main.db"));
        Assert.Equal(1, main.Merge(store.Path).Added);
        Assert.Equal(0, main.Merge(store.Path).Added);
    }

    [Fact]
    public void EveryRunGetsItsOwnUuid()
    {
        var store = RunStore.Open(temp.File("runs.db"));
        var ids = Enumerable.Range(0, 20).Select(seed => store.BeginRun(Info("ae", seed))).ToList();
        var uuids = ids.Select(id => store.GetRun(id).Uuid).ToList();
        Assert.All(uuids, u => Assert.Matches("^[0-9a-f]{32}$", u));
        Assert.Equal(uuids.Count, uuids.Distinct().Count());
        Assert.Equal(ids[3], store.FindRun(uuids[3])!.Id);
        Assert.Null(store.FindRun(new string('0', 32)));
    }
}
