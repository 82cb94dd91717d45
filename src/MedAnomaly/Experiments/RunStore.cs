using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace MedAnomaly.Experiments;

/// <summary>The record of every training/evaluation run, in one SQLite file (<c>runs/medanomaly.db</c> by default):
/// what ran (method, dataset, full config, seed, code revision, machine, command line), how it ended, its metrics
/// and the files it wrote.
///
/// Several processes may write at once (e.g. seeds run in parallel): the file is in WAL mode, every write is one
/// IMMEDIATE transaction, and a writer waits up to <see cref="BusyTimeout"/> for another's lock instead of failing.
/// Nothing is half-recorded: <see cref="CompleteRun"/> stores the final metrics and the status together.
/// A <see cref="RunStore"/> holds no open connection (each call opens a pooled one), so it is cheap to keep and
/// safe to share between threads.</summary>
public sealed partial class RunStore
{
    public const string DefaultPath = "runs/medanomaly.db";

    /// <summary>How long a write waits for another process's write to finish before failing with "database is locked".</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The file's path (absolute).</summary>
    public string Path { get; }

    /// <summary>Whether this store was opened by <see cref="OpenReadOnly"/>: it reads, and every write throws.</summary>
    public bool IsReadOnly { get; }

    readonly string connectionString;

    RunStore(string path, string connectionString, bool readOnly)
    {
        Path = path;
        this.connectionString = connectionString;
        IsReadOnly = readOnly;
    }

    /// <summary>Opens for writing (creating the file and its folder if missing) and brings the schema up to date.</summary>
    /// <exception cref="InvalidDataException">The file is empty, not a SQLite database, a SQLite database of another
    /// program, or written by a newer MedAnomaly.</exception>
    /// <exception cref="RunStoreException">SQLite could not open or read it (damaged, not writable, locked).</exception>
    public static RunStore Open(string path = DefaultPath)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new ArgumentException($"run store path '{full}' is a folder; expected a database file such as {DefaultPath}", nameof(path));
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        if (!File.Exists(full)) RunStoreFile.Create(full);
        RunStoreFile.Identify(full);
        var store = new RunStore(full, RunStoreFile.ConnectionString(full, SqliteOpenMode.ReadWrite), readOnly: false);
        RunStoreFile.Guard(full, writing: true, () =>
        {
            using var connection = store.Connect();
            RunStoreFile.EnableWal(connection, full);
            RunStoreSchema.Migrate(connection, full);
        });
        return store;
    }

    /// <summary>Opens an existing store for reading only: nothing is created, migrated or locked for writing, so a store
    /// on a read-only file or folder can be listed.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">As <see cref="Open"/>, or the store is at an older schema version (a
    /// writing open, e.g. <c>medanomaly runs migrate</c>, brings it up to date).</exception>
    public static RunStore OpenReadOnly(string path = DefaultPath)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new ArgumentException($"run store path '{full}' is a folder; expected a database file such as {DefaultPath}", nameof(path));
        if (!File.Exists(full))
            throw new FileNotFoundException($"no run store at {full} (runs are recorded by `medanomaly train` and `compare`)", full);
        var identity = RunStoreFile.Identify(full);
        if (identity.Version < RunStoreSchema.LatestVersion)
            throw new InvalidDataException($"run store '{full}' is at schema version {identity.Version}, this MedAnomaly reads version " +
                                           $"{RunStoreSchema.LatestVersion}: back it up, then run `medanomaly runs migrate --store {full}` (docs/experiments.md)");
        return new RunStore(full, identity.ReadConnectionString, readOnly: true);
    }

    /// <summary>Records a new run as <c>running</c>, owned by this process, and returns its id. Null
    /// <see cref="RunInfo.GitRevision"/> and <see cref="RunInfo.Machine"/> are filled in from the current directory's
    /// checkout and this machine.</summary>
    public long BeginRun(RunInfo info)
    {
        Validate(info);
        var owner = RunOwner.Current();
        string? gitRevision = info.GitRevision ?? GitRevision.TryRead(Environment.CurrentDirectory); // file reads: before the write lock
        string machine = info.Machine ?? RunInfo.DescribeMachine();
        return Write((connection, transaction) =>
        {
            using var command = Command(connection, transaction, """
                INSERT INTO runs (method, dataset, config_json, seed, git_revision, machine, libtorch_version,
                                  torchsharp_version, command, started_utc, status, host, pid, process_started_utc, uuid)
                VALUES ($method, $dataset, $config, $seed, $git, $machine, $libtorch, $torchsharp, $command, $started,
                        'running', $host, $pid, $processStarted, $uuid)
                RETURNING id
                """,
                ("$method", info.Method), ("$dataset", info.Dataset), ("$config", info.ConfigJson), ("$seed", info.Seed),
                ("$git", gitRevision), ("$machine", machine),
                ("$libtorch", info.LibtorchVersion), ("$torchsharp", info.TorchSharpVersion), ("$command", info.Command),
                ("$started", Timestamp(DateTime.UtcNow)), ("$host", owner.Host), ("$pid", owner.Pid),
                ("$processStarted", Timestamp(owner.ProcessStartedUtc)), ("$uuid", NewUuid()));
            return (long)command.ExecuteScalar()!;
        });
    }

    /// <summary>Adds metrics to a running run, all or none. A (split, name) pair may be recorded once per run.</summary>
    public void RecordMetrics(long runId, IEnumerable<MetricValue> metrics)
    {
        var list = metrics.ToList();
        Write((connection, transaction) =>
        {
            RequireRunning(connection, transaction, runId, "recording metrics");
            InsertMetrics(connection, transaction, runId, list);
        });
    }

    /// <summary>Records a file a running run wrote, with the SHA-256 of its current bytes. The path is stored as
    /// given (keep it relative to the project to stay valid on another machine).</summary>
    public ArtifactRecord RecordArtifact(long runId, string kind, string path)
    {
        if (string.IsNullOrWhiteSpace(kind)) throw new ArgumentException("artifact kind is empty; expected e.g. 'checkpoint' or 'figure'", nameof(kind));
        if (!File.Exists(path)) throw new FileNotFoundException($"artifact '{path}' of run {runId} does not exist (looked in {System.IO.Path.GetFullPath(path)})", path);
        var artifact = new ArtifactRecord(kind, path, Sha256(path)); // hashed before the write lock: checkpoints can be large
        Write((connection, transaction) =>
        {
            RequireRunning(connection, transaction, runId, "recording an artifact");
            using var command = Command(connection, transaction, "INSERT INTO artifacts (run_id, kind, path, sha256) VALUES ($run, $kind, $path, $sha)",
                ("$run", runId), ("$kind", kind), ("$path", path), ("$sha", artifact.Sha256));
            command.ExecuteNonQuery();
        });
        return artifact;
    }

    /// <summary>Marks a running run completed, storing <paramref name="finalMetrics"/> in the same transaction:
    /// either the run is completed with all its metrics, or nothing changed.</summary>
    public void CompleteRun(long runId, IEnumerable<MetricValue>? finalMetrics = null)
    {
        var list = finalMetrics?.ToList() ?? [];
        Write((connection, transaction) =>
        {
            RequireRunning(connection, transaction, runId, "completing it");
            InsertMetrics(connection, transaction, runId, list);
            Finish(connection, transaction, runId, RunStatus.Completed, null);
        });
    }

    /// <summary>Marks a running run failed with the reason (an exception's message or its full text).</summary>
    public void FailRun(long runId, string error) => End(runId, RunStatus.Failed, error);

    /// <summary>Marks a running run cancelled (stopped on purpose, e.g. Ctrl+C), with an optional reason.</summary>
    public void CancelRun(long runId, string? reason = null) => End(runId, RunStatus.Cancelled, reason);

    /// <summary>Begins a run, calls <paramref name="body"/> with its id, and completes it with the metrics the body
    /// returns; an <see cref="OperationCanceledException"/> cancels the run and any other exception fails it (with
    /// the exception's text) before being rethrown. Returns the run id.</summary>
    public long Track(RunInfo info, Func<long, IEnumerable<MetricValue>> body)
    {
        long runId = BeginRun(info);
        IEnumerable<MetricValue> metrics;
        try { metrics = body(runId).ToList(); }
        catch (OperationCanceledException e) { CancelRun(runId, e.Message); throw; }
        catch (Exception e) { FailRun(runId, e.ToString()); throw; }
        CompleteRun(runId, metrics);
        return runId;
    }

    /// <summary>Marks failed every run left <c>running</c> by a process of this host that has ended (crashed, killed)
    /// and returns their ids. Runs owned by another host, or recorded without an owner, are left alone: their
    /// process cannot be checked from here.</summary>
    public IReadOnlyList<long> MarkStaleRunsFailed()
    {
        var stale = ListRuns(new RunFilter(Status: RunStatus.Running))
            .Where(run => run.Owner?.IsAliveHere() == false)
            .ToList();
        var marked = new List<long>();
        foreach (var run in stale)
            if (TryMarkStale(run)) marked.Add(run.Id);
        return marked;
    }

    bool TryMarkStale(RunRecord run) => Write((connection, transaction) =>
    {
        // Re-checked inside the transaction: the owner may have completed the run since we listed it.
        using var command = Command(connection, transaction,
            "UPDATE runs SET status = 'failed', ended_utc = $ended, error = $error WHERE id = $id AND status = 'running'",
            ("$id", run.Id), ("$ended", Timestamp(DateTime.UtcNow)),
            ("$error", $"process {run.Owner!.Pid} on {run.Owner.Host} ended without finishing the run (marked by MarkStaleRunsFailed)"));
        return command.ExecuteNonQuery() == 1;
    });

    void End(long runId, RunStatus status, string? error) => Write((connection, transaction) =>
    {
        RequireRunning(connection, transaction, runId, $"marking it {status.ToText()}");
        Finish(connection, transaction, runId, status, error);
    });

    static void Finish(SqliteConnection connection, SqliteTransaction transaction, long runId, RunStatus status, string? error)
    {
        using var command = Command(connection, transaction, "UPDATE runs SET status = $status, ended_utc = $ended, error = $error WHERE id = $id",
            ("$status", status.ToText()), ("$ended", Timestamp(DateTime.UtcNow)), ("$error", error), ("$id", runId));
        command.ExecuteNonQuery();
    }

    void InsertMetrics(SqliteConnection connection, SqliteTransaction transaction, long runId, IReadOnlyList<MetricValue> metrics)
    {
        using var command = Command(connection, transaction,
            "INSERT INTO metrics (run_id, split, name, value, definition) VALUES ($run, $split, $name, $value, $definition)",
            ("$run", runId), ("$split", null), ("$name", null), ("$value", null), ("$definition", null));
        foreach (var metric in metrics)
        {
            Validate(metric);
            command.Parameters["$split"].Value = metric.Split;
            command.Parameters["$name"].Value = metric.Name;
            command.Parameters["$value"].Value = double.IsNaN(metric.Value) ? DBNull.Value : metric.Value; // NaN = not defined = NULL
            command.Parameters["$definition"].Value = (object?)metric.Definition ?? DBNull.Value;
            try { command.ExecuteNonQuery(); }
            catch (SqliteException e) when (e.SqliteErrorCode is 19) // SQLITE_CONSTRAINT: the (run, split, name) key
            {
                throw new InvalidOperationException($"run {runId} in {Path} already has metric '{metric.Split}/{metric.Name}'; each metric is recorded once per split", e);
            }
        }
    }

    /// <summary>Throws unless the run exists and is running (metrics, artifacts and endings only apply to a live run).</summary>
    void RequireRunning(SqliteConnection connection, SqliteTransaction transaction, long runId, string action)
    {
        using var command = Command(connection, transaction, "SELECT status FROM runs WHERE id = $id", ("$id", runId));
        var status = command.ExecuteScalar() as string ?? throw new RunNotFoundException(runId, Path);
        if (status != "running") throw new InvalidOperationException($"run {runId} in {Path} is {status}; {action} needs a running run");
    }

    static void Validate(RunInfo info)
    {
        if (string.IsNullOrWhiteSpace(info.Method)) throw new ArgumentException("RunInfo.Method is empty; expected a method name such as 'ae'", nameof(info));
        if (string.IsNullOrWhiteSpace(info.Dataset)) throw new ArgumentException("RunInfo.Dataset is empty; expected a dataset name such as 'phantom'", nameof(info));
        if (info.Command is null) throw new ArgumentException("RunInfo.Command is null; expected the command line that recreates the run", nameof(info));
        string problem;
        try
        {
            using var document = JsonDocument.Parse(info.ConfigJson ?? "");
            if (document.RootElement.ValueKind == JsonValueKind.Object) return;
            problem = $"its root is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}";
        }
        catch (JsonException e) { problem = $"it is not valid JSON: {e.Message}"; }
        throw new ArgumentException($"RunInfo.ConfigJson of the {info.Method} run on {info.Dataset} is not usable ({problem}); expected the full configuration as a JSON object", nameof(info));
    }

    static void Validate(MetricValue metric)
    {
        if (string.IsNullOrWhiteSpace(metric.Split)) throw new ArgumentException($"metric '{metric.Name}' has an empty split; expected e.g. 'test'");
        if (string.IsNullOrWhiteSpace(metric.Name)) throw new ArgumentException($"a metric of split '{metric.Split}' has an empty name; expected e.g. 'pixel_auroc'");
        if (double.IsInfinity(metric.Value)) throw new ArgumentException($"metric '{metric.Split}/{metric.Name}' is infinite; expected a finite number, or NaN for 'not defined'");
    }

    /// <summary>One IMMEDIATE transaction: it takes the write lock at BEGIN, so it waits for other writers there
    /// (the busy timeout) rather than failing mid-way when a read lock cannot be upgraded.</summary>
    T Write<T>(Func<SqliteConnection, SqliteTransaction, T> body)
    {
        if (IsReadOnly) throw new InvalidOperationException($"run store '{Path}' was opened read-only (RunStore.OpenReadOnly); open it with RunStore.Open to record runs");
        return RunStoreFile.Guard(Path, writing: true, () =>
        {
            using var connection = Connect();
            using var transaction = connection.BeginTransaction(deferred: false);
            T result = body(connection, transaction);
            transaction.Commit();
            return result;
        });
    }

    void Write(Action<SqliteConnection, SqliteTransaction> body) => Write<object?>((c, t) => { body(c, t); return null; });

    SqliteConnection Connect()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        // busy_timeout makes SQLite itself wait for a lock; synchronous=NORMAL is the documented safe pairing with WAL
        // (a commit is atomic; only the last commits before a power cut may be lost).
        command.CommandText = IsReadOnly ? $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds};"
            : $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = NORMAL;";
        command.ExecuteNonQuery();
        return connection;
    }

    static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    /// <summary>A run's unique id: 128 random bits as 32 lower-case hex digits (the form migration 4 gives older runs).</summary>
    static string NewUuid() => Guid.NewGuid().ToString("N");

    static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    static string Timestamp(DateTime utc) => utc.ToString("O", CultureInfo.InvariantCulture);

    static DateTime ParseTimestamp(string text, string column) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc)
            ? utc
            : throw new InvalidDataException($"runs.{column} holds '{text}'; expected an ISO 8601 UTC time such as 2025-01-02T03:04:05.0000000Z");
}
