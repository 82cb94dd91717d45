namespace MedAnomaly.Torch;

/// <summary>
/// Frees every tensor created on this thread while the scope is the innermost one, unless it was moved
/// out (<see cref="Tensor.MoveToOuterDisposeScope"/>) or detached (<see cref="Tensor.DetachFromDisposeScope"/>).
/// Create with <c>using var scope = torch.NewDisposeScope();</c>. Library code that makes temporaries
/// wraps itself in a scope so callers don't leak native memory by accident.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] static DisposeScope? current;

    readonly DisposeScope? outer;
    readonly List<Tensor> owned = new();
    bool disposed;

    internal DisposeScope()
    {
        outer = current;
        current = this;
    }

    /// <summary>The innermost scope on this thread, or null.</summary>
    public static DisposeScope? Current => current;

    /// <summary>Tensors this scope will free (for diagnostics).</summary>
    public int Count => owned.Count(t => t.Scope == this);

    internal static void Register(Tensor tensor)
    {
        var scope = current;
        if (scope == null) return;
        tensor.Scope = scope;
        scope.owned.Add(tensor);
    }

    /// <summary>Hands <paramref name="tensor"/> to the enclosing scope (or to no scope) and returns it.</summary>
    public Tensor MoveToOuter(Tensor tensor)
    {
        if (tensor.Scope != this) return tensor;
        tensor.Scope = null;
        if (outer != null)
        {
            tensor.Scope = outer;
            outer.owned.Add(tensor);
        }
        return tensor;
    }

    internal static void Detach(Tensor tensor) => tensor.Scope = null;

    /// <summary>Frees every tensor still owned and makes the enclosing scope current again.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var t in owned)
            if (t.Scope == this)
            {
                t.Scope = null;
                t.Dispose();
            }
        owned.Clear();
        if (current == this) current = outer;
    }
}
