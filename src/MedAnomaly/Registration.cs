namespace MedAnomaly;

/// <summary>
/// A list the registries (<see cref="Methods.DetectorRegistry"/>, <see cref="Corruptions.CorruptionRegistry"/>,
/// <see cref="Metrics.MetricRegistry"/>) keep: the built-in entries, plus those another assembly adds with
/// <see cref="Add"/> (disposing the returned handle removes the entry again). Reads take a snapshot.
/// </summary>
public sealed class Registration<T>(IEnumerable<T> builtIn, Func<T, string> name) where T : class
{
    readonly List<T> entries = builtIn.ToList();
    readonly object gate = new();

    public IReadOnlyList<T> Snapshot()
    {
        lock (gate) return entries.ToArray();
    }

    /// <exception cref="ArgumentException">An entry of that name is already registered.</exception>
    public IDisposable Add(T entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (gate)
        {
            if (entries.Any(e => string.Equals(name(e), name(entry), StringComparison.OrdinalIgnoreCase)))
                throw new ArgumentException($"'{name(entry)}' is already registered");
            entries.Add(entry);
        }
        return new Removal(() => { lock (gate) entries.Remove(entry); });
    }

    sealed class Removal(Action remove) : IDisposable
    {
        int done;
        public void Dispose() { if (Interlocked.Exchange(ref done, 1) == 0) remove(); }
    }
}
