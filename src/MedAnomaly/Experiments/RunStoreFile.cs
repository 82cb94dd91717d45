using Microsoft.Data.Sqlite;

namespace MedAnomaly.Experiments;

/// <summary>What <see cref="RunStoreFile.Identify"/> found: the schema version and how to read the file.</summary>
public sealed record RunStoreIdentity(int Version, bool Legacy, string ReadConnectionString);

/// <summary>
/// The run store's file: creating it whole, telling it from any other file, and turning SQLite's errors into
/// messages that name it. A store carries <see cref="ApplicationId"/> in SQLite's <c>PRAGMA application_id</c>
/// (schema version 3 on); a file without it is refused, whatever tables it has, unless it is a store of an earlier
/// MedAnomaly (versions 1–2, our three tables), which the next writing open stamps.
/// </summary>
public static class RunStoreFile
{
    /// <summary>"MDAN": the run store's marker in the SQLite header (<c>PRAGMA application_id</c>).</summary>
    public const int ApplicationId = 0x4D44414E;

    /// <summary>The first schema version that carries <see cref="ApplicationId"/>.</summary>
    public const int MarkedVersion = 3;

    static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();

    public static string ConnectionString(string dataSource, SqliteOpenMode mode, bool pooling = true) => new SqliteConnectionStringBuilder
    {
        DataSource = dataSource,
        Mode = mode,
        ForeignKeys = true,
        DefaultTimeout = (int)RunStore.BusyTimeout.TotalSeconds,
        Pooling = pooling,
    }.ToString();

    /// <summary>Creates a complete store at <paramref name="path"/>: built in a temporary file beside it (WAL mode, every
    /// migration, the marker), then renamed into place, so no other process ever sees a half-made store. If another
    /// process created the store first, its file is kept.</summary>
    public static void Create(string path)
    {
        string temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.new";
        try
        {
            Guard(path, writing: true, () =>
            {
                using var connection = new SqliteConnection(ConnectionString(temporary, SqliteOpenMode.ReadWriteCreate, pooling: false));
                connection.Open();
                EnableWal(connection, path);
                RunStoreSchema.Migrate(connection, path);
            });   // closing the last connection checkpoints the WAL into the file and removes it
            try { File.Move(temporary, path, overwrite: false); }
            catch (IOException) when (File.Exists(path)) { }   // another process won the race: use its store
        }
        finally
        {
            foreach (var file in new[] { temporary, temporary + "-wal", temporary + "-shm" }) File.Delete(file);
        }
    }

    /// <summary>Checks that <paramref name="path"/> is a run store this MedAnomaly can open, without writing to it.</summary>
    /// <exception cref="InvalidDataException">The file is empty, not SQLite, another program's database, or newer.</exception>
    public static RunStoreIdentity Identify(string path)
    {
        RequireSqliteHeader(path);
        string readOnly = ConnectionString(path, SqliteOpenMode.ReadOnly, pooling: false);
        try { return Identify(path, readOnly); }
        catch (RunStoreException e) when (e.InnerException is SqliteException { SqliteErrorCode: 8 or 14 })
        {
            // SQLITE_READONLY_DIRECTORY or SQLITE_CANTOPEN: a WAL store in a folder this process cannot write, with no -shm
            // file to share. Nothing can be writing it then, so it is read as an immutable file
            // (https://www.sqlite.org/wal.html#readonly).
            string immutable = ConnectionString(new Uri(path).AbsoluteUri + "?immutable=1", SqliteOpenMode.ReadOnly, pooling: false);
            return Identify(path, immutable);
        }
    }

    static RunStoreIdentity Identify(string path, string connectionString) => Guard(path, writing: false, () =>
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        int applicationId = Convert.ToInt32(Scalar(connection, "PRAGMA application_id"));
        int version = RunStoreSchema.VersionOf(connection);
        var tables = Column(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
        bool ours = applicationId == ApplicationId;
        bool legacy = !ours && applicationId == 0 && version is >= 1 and < MarkedVersion && HasLegacySchema(connection, tables);
        if (!ours && !legacy)
            throw new InvalidDataException($"'{path}' is a SQLite database but not a MedAnomaly run store (application_id {applicationId}, " +
                $"expected {ApplicationId}; tables: {(tables.Count == 0 ? "none" : string.Join(", ", tables))}); give the run store another path");
        if (version > RunStoreSchema.LatestVersion) throw RunStoreSchema.TooNew(path, version);
        return new RunStoreIdentity(version, legacy, connectionString);
    });

    /// <summary>The tables and <c>runs</c> columns a version-1 or -2 store (before the marker) was made with.</summary>
    static bool HasLegacySchema(SqliteConnection connection, List<string> tables)
    {
        if (!new[] { "artifacts", "metrics", "runs" }.All(tables.Contains)) return false;
        var columns = Column(connection, "SELECT name FROM pragma_table_info('runs')");
        return new[] { "id", "method", "dataset", "config_json", "seed", "command", "started_utc", "status" }.All(columns.Contains);
    }

    /// <summary>Switches the database to write-ahead logging (persistent: it is recorded in the file).</summary>
    public static void EnableWal(SqliteConnection connection, string path)
    {
        string mode = Convert.ToString(Scalar(connection, "PRAGMA journal_mode = WAL"))!;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            throw new IOException($"run store '{path}' could not be switched to WAL mode (it stayed '{mode}'); WAL needs a local file system");
    }

    /// <summary>Runs <paramref name="body"/>; a SQLite error becomes a <see cref="RunStoreException"/> that names the store,
    /// gives SQLite's message and says what to do.</summary>
    public static T Guard<T>(string path, bool writing, Func<T> body)
    {
        try { return body(); }
        catch (SqliteException e) { throw Describe(path, writing, e); }
    }

    public static void Guard(string path, bool writing, Action body) => Guard<object?>(path, writing, () => { body(); return null; });

    static RunStoreException Describe(string path, bool writing, SqliteException e) => (e.SqliteErrorCode & 0xFF) switch
    {
        11 or 26 => new($"run store '{path}' is damaged ({e.Message}); restore it from a backup (docs/experiments.md, \"Backup and migration\")", e),
        8 or 14 when writing => new($"run store '{path}' cannot be opened for writing ({e.Message}); expected a writable file in a writable folder", e),
        14 => new($"run store '{path}' cannot be opened ({e.Message})", e),
        5 or 6 => new($"run store '{path}' stayed locked by another process for {RunStore.BusyTimeout.TotalSeconds:0} s ({e.Message})", e),
        13 => new($"run store '{path}': the disk is full ({e.Message})", e),
        _ => new($"run store '{path}': {e.Message}", e),
    };

    /// <summary>A run store is never empty (<see cref="Create"/> renames a finished file into place) and starts with SQLite's header.</summary>
    static void RequireSqliteHeader(string path)
    {
        long length = new FileInfo(path).Length;
        if (length == 0)
            throw new InvalidDataException($"'{path}' is an empty file (0 bytes), not a MedAnomaly run store; delete it, or give a path " +
                                           "where no file exists yet (a new store is created there)");
        var header = new byte[SqliteHeader.Length];
        int read;
        using (var stream = File.OpenRead(path)) read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read < header.Length || !header.AsSpan().SequenceEqual(SqliteHeader))
            throw new InvalidDataException($"'{path}' is not a SQLite database (expected a file starting with \"SQLite format 3\"); give the run store another path");
    }

    static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    static List<string> Column(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read()) values.Add(reader.GetString(0));
        return values;
    }
}

/// <summary>The run store could not be read or written; the message names the file, gives SQLite's own message and
/// says what to do.</summary>
public sealed class RunStoreException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>No run has this id in this store.</summary>
public sealed class RunNotFoundException(long runId, string storePath)
    : KeyNotFoundException($"run {runId} is not in {storePath} (`medanomaly runs list --store {storePath}` lists its runs)")
{
    public long RunId { get; } = runId;
    public string StorePath { get; } = storePath;
}
