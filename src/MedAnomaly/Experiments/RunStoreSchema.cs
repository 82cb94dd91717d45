using Microsoft.Data.Sqlite;

namespace MedAnomaly.Experiments;

/// <summary>One step of the run store's schema; step N brings a database from version N−1 to N.</summary>
public sealed record Migration(int Version, string Description, string Sql);

/// <summary>The run store's schema as an ordered list of migrations. The version a database is at is kept in
/// <c>PRAGMA user_version</c> (0 for a new file), so an old database is brought up to date by applying the steps
/// after its version, each in its own transaction together with the version bump. Never edit a released step:
/// append a new one.</summary>
public static class RunStoreSchema
{
    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "runs, metrics and artifacts", """
            CREATE TABLE runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                method TEXT NOT NULL,
                dataset TEXT NOT NULL,
                config_json TEXT NOT NULL,
                seed INTEGER NOT NULL,
                git_revision TEXT,
                machine TEXT,
                libtorch_version TEXT,
                torchsharp_version TEXT,
                command TEXT NOT NULL,
                started_utc TEXT NOT NULL,
                ended_utc TEXT,
                status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
                error TEXT
            );
            CREATE TABLE metrics (
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                split TEXT NOT NULL,
                name TEXT NOT NULL,
                value REAL,
                definition TEXT,
                PRIMARY KEY (run_id, split, name)
            );
            CREATE TABLE artifacts (
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                path TEXT NOT NULL,
                sha256 TEXT NOT NULL
            );
            CREATE INDEX artifacts_run ON artifacts(run_id);
            """),
        new(2, "the process that owns a running run, to find runs left 'running' by a crash", """
            ALTER TABLE runs ADD COLUMN host TEXT;
            ALTER TABLE runs ADD COLUMN pid INTEGER;
            ALTER TABLE runs ADD COLUMN process_started_utc TEXT;
            CREATE INDEX runs_status ON runs(status);
            CREATE INDEX runs_method_dataset ON runs(method, dataset);
            """),
        new(3, "the marker that tells a run store from any other SQLite file (\"MDAN\")",
            $"PRAGMA application_id = {RunStoreFile.ApplicationId};"),
        new(4, "a unique id per run (32 hex digits; given by a trigger to a run inserted without one), so stores written apart (one per Slurm task) merge without duplicates", """
            ALTER TABLE runs ADD COLUMN uuid TEXT;
            UPDATE runs SET uuid = lower(hex(randomblob(16))) WHERE uuid IS NULL;
            CREATE UNIQUE INDEX runs_uuid ON runs(uuid);
            CREATE TRIGGER runs_uuid_given AFTER INSERT ON runs WHEN NEW.uuid IS NULL
            BEGIN
                UPDATE runs SET uuid = lower(hex(randomblob(16))) WHERE id = NEW.id;
            END;
            """),
    ];

    /// <summary>The version a database is at after all migrations.</summary>
    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>Reads <c>PRAGMA user_version</c>.</summary>
    public static int VersionOf(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(command.ExecuteScalar());
    }

    /// <summary>Applies the migrations after the database's version, up to <paramref name="targetVersion"/> (default:
    /// all). Each step runs in an IMMEDIATE transaction that first re-reads the version, so two processes opening the
    /// same new file at once apply every step exactly once.</summary>
    public static void Migrate(SqliteConnection connection, string path, int? targetVersion = null)
    {
        int target = targetVersion ?? LatestVersion;
        foreach (var migration in Migrations.Where(m => m.Version <= target))
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            int current = VersionOf(connection);
            if (current > LatestVersion) throw TooNew(path, current);
            if (current >= migration.Version) continue;
            Execute(connection, transaction, migration.Sql);
            Execute(connection, transaction, $"PRAGMA user_version = {migration.Version}");
            transaction.Commit();
        }
        int final = VersionOf(connection);
        if (final > LatestVersion) throw TooNew(path, final);
    }

    static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static InvalidDataException TooNew(string path, int version) => new(
        $"run store '{path}' is at schema version {version}, but this MedAnomaly knows versions up to {LatestVersion}: " +
        "open it with a newer MedAnomaly");
}
