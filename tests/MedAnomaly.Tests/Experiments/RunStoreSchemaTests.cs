using MedAnomaly.Experiments;
using Microsoft.Data.Sqlite;

namespace MedAnomaly.Tests.Experiments;

public sealed class RunStoreSchemaTests : IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public void MigrationsAreNumberedFromOneWithoutGaps()
    {
        Assert.Equal(Enumerable.Range(1, RunStoreSchema.Migrations.Count), RunStoreSchema.Migrations.Select(m => m.Version));
        Assert.Equal(RunStoreSchema.Migrations.Count, RunStoreSchema.LatestVersion);
    }

    [Fact]
    public void OpensAVersion1DatabaseAndMigratesIt()
    {
        string path = temp.File("v1.db");
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            RunStoreSchema.Migrate(connection, path, targetVersion: 1);
            Assert.Equal(1, RunStoreSchema.VersionOf(connection));
            // A run as a version-1 MedAnomaly wrote it: no owner columns yet.
            Execute(connection, """
                INSERT INTO runs (method, dataset, config_json, seed, command, started_utc, ended_utc, status)
                VALUES ('ae', 'phantom', '{}', 7, 'medanomaly train ae', '2025-01-02T03:04:05.0000000Z', NULL, 'running');
                INSERT INTO runs (method, dataset, config_json, seed, command, started_utc, ended_utc, status)
                VALUES ('vae', 'phantom', '{}', 7, 'medanomaly train vae', '2025-01-02T03:04:05.0000000Z', '2025-01-02T04:00:00.0000000Z', 'completed');
                INSERT INTO metrics (run_id, split, name, value) VALUES (2, 'test', 'pixel_auroc', 0.75);
                """);
        }
        SqliteConnection.ClearAllPools();

        var store = RunStore.Open(path);
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            Assert.Equal(RunStoreSchema.LatestVersion, RunStoreSchema.VersionOf(connection));
        }
        var old = store.GetRun(1);
        Assert.Equal(("ae", 7L, RunStatus.Running), (old.Info.Method, old.Info.Seed, old.Status));
        Assert.Null(old.Owner);
        Assert.Equal(new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc), old.StartedUtc);
        Assert.Empty(store.MarkStaleRunsFailed());            // no owner recorded: cannot tell, so left alone
        Assert.Equal(0.75, store.GetRun(2).Metrics.Single().Value);
        // Version 4 gave every earlier run its own unique id.
        Assert.Matches("^[0-9a-f]{32}$", old.Uuid);
        Assert.Matches("^[0-9a-f]{32}$", store.GetRun(2).Uuid);
        Assert.NotEqual(old.Uuid, store.GetRun(2).Uuid);
        long fresh = store.BeginRun(new RunInfo("ddpm", "phantom", "{}", 1, "medanomaly train ddpm"));
        Assert.Equal(3, fresh);
        Assert.NotNull(store.GetRun(fresh).Owner);            // the version-2 columns are in use
        Assert.Matches("^[0-9a-f]{32}$", store.GetRun(fresh).Uuid);
        Assert.Equal(GitRevision.TryRead(Environment.CurrentDirectory), store.GetRun(fresh).Info.GitRevision); // filled in by BeginRun
        Assert.Equal(RunInfo.DescribeMachine(), store.GetRun(fresh).Info.Machine);
    }

    /// <summary>A store of an earlier MedAnomaly (before the marker) is read as it is and stamped by the next writing open.</summary>
    [Fact]
    public void AVersion2StoreWithoutTheMarkerIsReadThenStamped()
    {
        string path = temp.File("v2.db");
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            RunStoreSchema.Migrate(connection, path, targetVersion: 2);
        }
        SqliteConnection.ClearAllPools();
        var identity = RunStoreFile.Identify(path);
        Assert.Equal((2, true), (identity.Version, identity.Legacy));
        Assert.Contains("schema version 2", Assert.Throws<InvalidDataException>(() => RunStore.OpenReadOnly(path)).Message);
        Assert.Contains("medanomaly runs migrate", Assert.Throws<InvalidDataException>(() => RunStore.OpenReadOnly(path)).Message);
        RunStore.Open(path);
        Assert.Equal((RunStoreSchema.LatestVersion, false), (RunStoreFile.Identify(path).Version, RunStoreFile.Identify(path).Legacy));
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA application_id";
            Assert.Equal(RunStoreFile.ApplicationId, Convert.ToInt32(command.ExecuteScalar()));
        }
        Assert.Empty(RunStore.OpenReadOnly(path).ListRuns());
    }

    [Fact]
    public void RefusesADatabaseFromANewerVersion()
    {
        string path = temp.File("future.db");
        RunStore.Open(path);
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            Execute(connection, "PRAGMA user_version = 99");
        }
        SqliteConnection.ClearAllPools();
        var error = Assert.Throws<InvalidDataException>(() => RunStore.Open(path));
        Assert.Contains("schema version 99", error.Message);
        Assert.Contains(path, error.Message);
    }
}
