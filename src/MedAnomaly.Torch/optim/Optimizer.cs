namespace MedAnomaly.Torch.Optim;

/// <summary>
/// A group of parameters sharing a learning rate and weight decay (PyTorch's <c>optimizer.param_groups[i]</c>).
/// Leave <see cref="lr"/> or <see cref="weight_decay"/> null to take the optimizer's default.
/// </summary>
public sealed class ParamGroup
{
    public ParamGroup(IEnumerable<Tensor> parameters, double? lr = null, double? weight_decay = null)
    {
        Parameters = parameters.ToList();
        if (Parameters.Count == 0) throw new ArgumentException("a parameter group needs at least one tensor", nameof(parameters));
        this.lr = lr ?? double.NaN;
        this.weight_decay = weight_decay ?? double.NaN;
    }

    /// <summary>The tensors this group updates (not owned: the caller or the module disposes them).</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>Learning rate used by the next <see cref="Optimizer.step"/>; schedulers set it.</summary>
    public double lr { get; set; }

    public double weight_decay { get; set; }
}

/// <summary>
/// Base of the optimisers (PyTorch's <c>torch.optim.Optimizer</c>). Holds the parameter groups and the
/// per-parameter state tensors (<c>exp_avg</c>, <c>momentum_buffer</c>, ...), which it owns and frees on
/// <see cref="Dispose"/>. <see cref="step"/> runs under <c>no_grad</c> inside a dispose scope, so it leaves
/// no temporaries behind. Parameters without a gradient are skipped, as in PyTorch.
/// </summary>
public abstract class Optimizer : IDisposable
{
    readonly List<ParamGroup> groups;
    readonly Dictionary<Tensor, ParamState> states = new(ReferenceEqualityComparer.Instance);
    bool disposed;

    protected Optimizer(IEnumerable<ParamGroup> paramGroups, double lr, double weightDecay)
    {
        if (!(lr >= 0)) throw new ArgumentException($"invalid learning rate {lr}: expected >= 0", nameof(lr));
        if (!(weightDecay >= 0)) throw new ArgumentException($"invalid weight_decay {weightDecay}: expected >= 0", nameof(weightDecay));
        groups = paramGroups.ToList();
        if (groups.Count == 0) throw new ArgumentException("optimizer got an empty parameter list");
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var g in groups)
        {
            if (double.IsNaN(g.lr)) g.lr = lr;
            if (double.IsNaN(g.weight_decay)) g.weight_decay = weightDecay;
            foreach (var p in g.Parameters)
                if (!seen.Add(p)) throw new ArgumentException("some parameters appear in more than one parameter group");
        }
    }

    protected static IEnumerable<ParamGroup> SingleGroup(IEnumerable<Tensor> parameters) => [new ParamGroup(parameters)];

    public IReadOnlyList<ParamGroup> param_groups => groups;

    /// <summary>Learning rate of the first group; setting it sets every group's.</summary>
    public double lr
    {
        get => groups[0].lr;
        set { foreach (var g in groups) g.lr = value; }
    }

    /// <summary>Every parameter, group by group.</summary>
    public IEnumerable<Tensor> parameters() => groups.SelectMany(g => g.Parameters);

    /// <summary>Applies one update to every parameter that has a gradient.</summary>
    public void step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var g in groups)
            foreach (var p in g.Parameters)
            {
                var grad = p.grad;
                if (grad is null) continue;
                if (!states.TryGetValue(p, out var state)) states[p] = state = new ParamState();
                state.Step++;
                Update(p, grad, state, g);
            }
    }

    /// <summary>The update rule for one parameter; runs under no_grad in a dispose scope.</summary>
    /// <param name="param">the parameter, updated in place</param>
    /// <param name="grad">its gradient (same shape)</param>
    /// <param name="state">its state; <see cref="ParamState.Step"/> already counts this step (1 on the first)</param>
    protected abstract void Update(Tensor param, Tensor grad, ParamState state, ParamGroup group);

    /// <summary>Drops every parameter's gradient (PyTorch's <c>zero_grad(set_to_none=True)</c>).</summary>
    public void zero_grad()
    {
        foreach (var p in parameters()) p.clear_grad();
    }

    /// <summary>
    /// The state tensors for checkpointing, keyed <c>"state.{i}.{name}"</c> where i is the parameter's
    /// index in <see cref="parameters"/> order, plus <c>"state.{i}.step"</c> (a float64 scalar, made fresh).
    /// The other tensors are the optimizer's own (not copies): save them, don't dispose them. Dispose the
    /// returned dictionary's step tensors via <see cref="StateDict.Dispose"/>.
    /// </summary>
    public StateDict state_dict()
    {
        var result = new StateDict();
        int i = 0;
        foreach (var p in parameters())
        {
            if (states.TryGetValue(p, out var state))
            {
                result.AddOwned($"state.{i}.step", torch.tensor((double)state.Step, torch.float64).DetachFromDisposeScope());
                foreach (var (name, t) in state.Tensors) result.AddBorrowed($"state.{i}.{name}", t);
            }
            i++;
        }
        return result;
    }

    /// <summary>Restores state saved by <see cref="state_dict"/> (values are copied; the inputs stay the caller's).</summary>
    public void load_state_dict(IReadOnlyDictionary<string, Tensor> stateDict)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var parameterList = parameters().ToList();
        foreach (var key in stateDict.Keys)
        {
            var parts = key.Split('.', 3);
            if (parts.Length != 3 || parts[0] != "state" || !int.TryParse(parts[1], out int index) || index < 0 || index >= parameterList.Count)
                throw new ArgumentException($"optimizer state key '{key}' is not of the form state.<parameter index < {parameterList.Count}>.<name>");
        }
        foreach (var s in states.Values) s.Dispose();
        states.Clear();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var (key, value) in stateDict)
        {
            var parts = key.Split('.', 3);
            var param = parameterList[int.Parse(parts[1])];
            if (!states.TryGetValue(param, out var state)) states[param] = state = new ParamState();
            if (parts[2] == "step") { state.Step = (long)value.item<double>(); continue; }
            if (!value.shape.SequenceEqual(param.shape))
                throw new ArgumentException($"optimizer state '{key}' has shape [{string.Join(", ", value.shape)}] but its parameter has [{string.Join(", ", param.shape)}]");
            state.Set(parts[2], value.to(param.device, param.dtype).clone());
        }
    }

    /// <summary>Frees the state tensors (not the parameters).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var s in states.Values) s.Dispose();
        states.Clear();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Per-parameter optimizer state: the step count and named tensors owned by the optimizer.</summary>
public sealed class ParamState : IDisposable
{
    readonly Dictionary<string, Tensor> tensors = new();

    /// <summary>Number of steps taken for this parameter, including the current one.</summary>
    public long Step { get; internal set; }

    public IEnumerable<KeyValuePair<string, Tensor>> Tensors => tensors;

    public Tensor? Get(string name) => tensors.GetValueOrDefault(name);

    /// <summary>The named state tensor, created by <paramref name="create"/> on first use.</summary>
    public Tensor GetOrCreate(string name, Func<Tensor> create)
    {
        if (!tensors.TryGetValue(name, out var t)) Set(name, t = create());
        return t;
    }

    /// <summary>Stores <paramref name="value"/> (taking it out of any dispose scope) under <paramref name="name"/>.</summary>
    public void Set(string name, Tensor value)
    {
        if (tensors.TryGetValue(name, out var old) && !ReferenceEquals(old, value)) old.Dispose();
        tensors[name] = value.DetachFromDisposeScope();
    }

    public void Dispose()
    {
        foreach (var t in tensors.Values) t.Dispose();
        tensors.Clear();
    }
}

/// <summary>An optimizer's exported state: names → tensors; disposing frees only what it made itself.</summary>
public sealed class StateDict : Dictionary<string, Tensor>, IDisposable
{
    readonly List<Tensor> owned = new();
    internal void AddOwned(string key, Tensor t) { Add(key, t); owned.Add(t); }
    internal void AddBorrowed(string key, Tensor t) => Add(key, t);
    public void Dispose()
    {
        foreach (var t in owned) t.Dispose();
        owned.Clear();
    }
}
