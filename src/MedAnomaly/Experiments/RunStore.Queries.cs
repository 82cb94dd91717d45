using Microsoft.Data.Analysis;
using Microsoft.Data.Sqlite;

namespace MedAnomaly.Experiments;

// The read side of the run store: runs with their metrics and artifacts, and the long results frame.
public sealed partial class RunStore
{
    const string RunColumns = """
        id, method, dataset, config_json, seed, git_revision, machine, libtorch_version, torchsharp_version, command,
        started_utc, ended_utc, status, error, host, pid, process_started_utc, uuid
        """;

    /// <summary>One run with its metrics and artifacts.</summary>
    /// <exception cref="RunNotFoundException">No run has this id.</exception>
    public RunRecord GetRun(long id) =>
        Read((connection, transaction) => ReadRuns(connection, transaction, "id = $id", [("$id", id)]).SingleOrDefault())
        ?? throw new RunNotFoundException(id, Path);

    /// <summary>The run with this <see cref="RunRecord.Uuid"/>, or null.</summary>
    public RunRecord? FindRun(string uuid) =>
        Read((connection, transaction) => ReadRuns(connection, transaction, "uuid = $uuid", [("$uuid", uuid)]).SingleOrDefault());

    /// <summary>The runs that match <paramref name="filter"/> (default: all), oldest first, with their metrics and artifacts.</summary>
    public IReadOnlyList<RunRecord> ListRuns(RunFilter? filter = null)
    {
        var (where, parameters) = FilterSql(filter ?? RunFilter.All);
        return Read((connection, transaction) => ReadRuns(connection, transaction, where, parameters));
    }

    /// <summary>The results as a long frame, one row per run × metric, with the columns of <see cref="ResultsFrame"/>
    /// (run_id, method, dataset, seed, split, metric, value; a missing value is null, never zero), in run order and,
    /// within a run, in the order the metrics were recorded (so tables list them as the run did). By default only
    /// completed runs: pass <see cref="RunFilter.All"/> or another filter to widen it.</summary>
    public DataFrame ReadResults(RunFilter? filter = null)
    {
        var (where, parameters) = FilterSql(filter ?? RunFilter.Completed);
        return Read((connection, transaction) =>
        {
            using var command = Command(connection, transaction, $"""
                SELECT r.id, r.method, r.dataset, r.seed, m.split, m.name, m.value
                FROM runs r JOIN metrics m ON m.run_id = r.id
                WHERE {where} ORDER BY r.id, m.rowid
                """, parameters);
            using var reader = command.ExecuteReader();
            var rows = new List<ResultRow>();
            while (reader.Read())
                rows.Add(new ResultRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3),
                    reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetDouble(6)));
            return ResultsFrame.Create(rows);
        });
    }

    List<RunRecord> ReadRuns(SqliteConnection connection, SqliteTransaction transaction, string where, (string, object?)[] parameters)
    {
        var metrics = ReadMetrics(connection, transaction, where, parameters);
        var artifacts = ReadArtifacts(connection, transaction, where, parameters);
        using var command = Command(connection, transaction, $"SELECT {RunColumns} FROM runs WHERE {where} ORDER BY id", parameters);
        using var reader = command.ExecuteReader();
        var runs = new List<RunRecord>();
        while (reader.Read())
        {
            long id = reader.GetInt64(0);
            runs.Add(ToRecord(reader, metrics.GetValueOrDefault(id) ?? [], artifacts.GetValueOrDefault(id) ?? []));
        }
        return runs;
    }

    static RunRecord ToRecord(SqliteDataReader r, IReadOnlyList<MetricValue> metrics, IReadOnlyList<ArtifactRecord> artifacts)
    {
        var info = new RunInfo(r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetString(9))
        {
            GitRevision = Text(r, 5),
            Machine = Text(r, 6),
            LibtorchVersion = Text(r, 7),
            TorchSharpVersion = Text(r, 8),
        };
        var owner = r.IsDBNull(14) ? null : new RunOwner(r.GetString(14), r.GetInt32(15), ParseTimestamp(r.GetString(16), "process_started_utc"));
        return new RunRecord(r.GetInt64(0), r.GetString(17), info, RunStatusText.Parse(r.GetString(12)), ParseTimestamp(r.GetString(10), "started_utc"),
            Text(r, 11) is { } ended ? ParseTimestamp(ended, "ended_utc") : null, Text(r, 13), owner, metrics, artifacts);
    }

    Dictionary<long, List<MetricValue>> ReadMetrics(SqliteConnection connection, SqliteTransaction transaction, string where, (string, object?)[] parameters)
    {
        using var command = Command(connection, transaction,
            $"SELECT run_id, split, name, value, definition FROM metrics WHERE run_id IN (SELECT id FROM runs WHERE {where}) ORDER BY run_id, rowid",
            parameters);
        return Group(command, r => new MetricValue(r.GetString(1), r.GetString(2), r.IsDBNull(3) ? double.NaN : r.GetDouble(3), Text(r, 4)));
    }

    Dictionary<long, List<ArtifactRecord>> ReadArtifacts(SqliteConnection connection, SqliteTransaction transaction, string where, (string, object?)[] parameters)
    {
        using var command = Command(connection, transaction,
            $"SELECT run_id, kind, path, sha256 FROM artifacts WHERE run_id IN (SELECT id FROM runs WHERE {where}) ORDER BY run_id, rowid",
            parameters);
        return Group(command, r => new ArtifactRecord(r.GetString(1), r.GetString(2), r.GetString(3)));
    }

    /// <summary>Rows keyed by their first column (run_id).</summary>
    static Dictionary<long, List<T>> Group<T>(SqliteCommand command, Func<SqliteDataReader, T> read)
    {
        var groups = new Dictionary<long, List<T>>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            long id = reader.GetInt64(0);
            if (!groups.TryGetValue(id, out var list)) groups[id] = list = [];
            list.Add(read(reader));
        }
        return groups;
    }

    /// <summary>A WHERE clause over <c>runs</c>. Its column names appear in no other table, so the same clause also
    /// works in the results query's join.</summary>
    static (string Where, (string, object?)[] Parameters) FilterSql(RunFilter filter)
    {
        var clauses = new List<string> { "1 = 1" };
        var parameters = new List<(string, object?)>();
        void Add(string column, string name, object? value)
        {
            if (value is null) return;
            clauses.Add($"{column} = {name}");
            parameters.Add((name, value));
        }
        Add("method", "$f_method", filter.Method);
        Add("dataset", "$f_dataset", filter.Dataset);
        Add("status", "$f_status", filter.Status?.ToText());
        Add("seed", "$f_seed", filter.Seed);
        return (string.Join(" AND ", clauses), parameters.ToArray());
    }

    /// <summary>Reads in one deferred (read-only) transaction, so runs, metrics and artifacts come from one snapshot
    /// even while another process writes.</summary>
    T Read<T>(Func<SqliteConnection, SqliteTransaction, T> body) => RunStoreFile.Guard(Path, writing: false, () =>
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction(deferred: true);
        T result = body(connection, transaction);
        transaction.Commit();
        return result;
    });

    static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
