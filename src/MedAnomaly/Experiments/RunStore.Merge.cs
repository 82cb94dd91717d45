using Microsoft.Data.Sqlite;

namespace MedAnomaly.Experiments;

/// <summary>What merging one store into another did.</summary>
/// <param name="Added">Finished runs copied (with their metrics and artifacts).</param>
/// <param name="AlreadyPresent">Finished runs whose <see cref="RunRecord.Uuid"/> the target already had.</param>
/// <param name="StillRunning">Runs left out because they are <c>running</c> in the source: their ending is not known yet
/// (or their process died where it could not be checked); a later merge takes them once they end.</param>
public sealed record MergeResult(string Source, int Added, int AlreadyPresent, int StillRunning);

// Merging: stores written apart (one per Slurm task, on a shared file system that SQLite must not share) become one.
public sealed partial class RunStore
{
    /// <summary>Copies every finished run of the store at <paramref name="sourcePath"/> that this store does not hold yet
    /// (matched by <see cref="RunRecord.Uuid"/>) with its metrics and artifacts, in one transaction: ids are given anew,
    /// every other column is copied as stored. Merging the same source again adds nothing.</summary>
    /// <exception cref="ArgumentException">The source is this store.</exception>
    public MergeResult Merge(string sourcePath)
    {
        var source = OpenReadOnly(sourcePath);   // a run store at this schema version, or a clear error
        if (string.Equals(source.Path, Path, StringComparison.Ordinal))
            throw new ArgumentException($"cannot merge run store '{Path}' into itself; give the stores written apart (e.g. a grid's cells/*/runs.db)");
        return RunStoreFile.Guard(Path, writing: true, () =>
        {
            using var connection = Connect();
            using (var attach = connection.CreateCommand())
            {
                attach.CommandText = "ATTACH DATABASE $source AS source";   // only read: no statement below writes to it
                attach.Parameters.AddWithValue("$source", source.Path);
                attach.ExecuteNonQuery();
            }
            try { return CopyNewRuns(connection, source.Path); }
            finally
            {
                using var detach = connection.CreateCommand();
                detach.CommandText = "DETACH DATABASE source";
                detach.ExecuteNonQuery();
            }
        });
    }

    const string CopiedRunColumns = """
        method, dataset, config_json, seed, git_revision, machine, libtorch_version, torchsharp_version, command,
        started_utc, ended_utc, status, error, host, pid, process_started_utc, uuid
        """;

    static MergeResult CopyNewRuns(SqliteConnection connection, string sourcePath)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        int Execute(string sql)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            return command.ExecuteNonQuery();
        }
        long Count(string sql)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            return (long)command.ExecuteScalar()!;
        }
        Execute("""
            CREATE TEMP TABLE merging AS
            SELECT id AS source_id, uuid FROM source.runs s
            WHERE status <> 'running' AND NOT EXISTS (SELECT 1 FROM main.runs t WHERE t.uuid = s.uuid)
            """);
        try
        {
            int added = Execute($"""
                INSERT INTO main.runs ({CopiedRunColumns})
                SELECT {CopiedRunColumns} FROM source.runs WHERE id IN (SELECT source_id FROM temp.merging) ORDER BY id
                """);
            Execute("""
                INSERT INTO main.metrics (run_id, split, name, value, definition)
                SELECT t.id, m.split, m.name, m.value, m.definition
                FROM temp.merging g JOIN source.metrics m ON m.run_id = g.source_id JOIN main.runs t ON t.uuid = g.uuid
                ORDER BY t.id, m.rowid
                """);
            Execute("""
                INSERT INTO main.artifacts (run_id, kind, path, sha256)
                SELECT t.id, a.kind, a.path, a.sha256
                FROM temp.merging g JOIN source.artifacts a ON a.run_id = g.source_id JOIN main.runs t ON t.uuid = g.uuid
                ORDER BY t.id, a.rowid
                """);
            long finished = Count("SELECT count(*) FROM source.runs WHERE status <> 'running'");
            long running = Count("SELECT count(*) FROM source.runs WHERE status = 'running'");
            Execute("DROP TABLE temp.merging");
            transaction.Commit();
            return new MergeResult(sourcePath, added, (int)finished - added, (int)running);
        }
        catch
        {
            transaction.Rollback();
            throw;
        }
    }
}
