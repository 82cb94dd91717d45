using MedAnomaly.Torch.Native;

namespace MedAnomaly.Torch.Modules;

/// <summary>
/// Base class of network modules, as torch.nn.Module: named parameters, buffers and submodules registered
/// in order, train/eval mode, device/dtype moves, state_dict/load_state_dict with strict checks.
/// Subclasses keep layers in fields and register them in the constructor:
/// <code>conv = register_module("conv", nn.Conv2d(1, 32, 3, padding: 1));</code>
/// Registered tensors are owned by the module (taken out of dispose scopes) and freed by Dispose.
/// </summary>
public abstract class Module : IDisposable
{
    readonly List<(string Name, Tensor? Tensor)> ownParameters = new();
    readonly List<(string Name, Tensor? Tensor, bool Persistent)> ownBuffers = new();
    readonly List<(string Name, Module Module)> ownModules = new();
    bool disposed;

    /// <summary>True in training mode (dropout active, batch norm uses batch statistics).</summary>
    public bool training { get; private set; } = true;

    // ---- registration ----
    /// <summary>Registers a trainable tensor (requires_grad is switched on) and returns it.</summary>
    protected Tensor register_parameter(string name, Tensor tensor)
    {
        CheckNewName(name);
        tensor.DetachFromDisposeScope();
        if (!tensor.requires_grad) tensor.requires_grad = true;
        ownParameters.Add((name, tensor));
        return tensor;
    }

    /// <summary>Registers a non-trainable tensor (running statistics, schedules); saved when persistent.</summary>
    protected Tensor register_buffer(string name, Tensor tensor, bool persistent = true)
    {
        CheckNewName(name);
        tensor.DetachFromDisposeScope();
        ownBuffers.Add((name, tensor, persistent));
        return tensor;
    }

    protected T register_module<T>(string name, T module) where T : Module
    {
        CheckNewName(name);
        ownModules.Add((name, module));
        return module;
    }

    void CheckNewName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"invalid name '{name}': names must be non-empty and contain no '.'");
        if (ownParameters.Any(p => p.Name == name) || ownBuffers.Any(b => b.Name == name) || ownModules.Any(m => m.Name == name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'");
    }

    // ---- traversal ----
    public IEnumerable<(string name, Module module)> named_children() => ownModules.Select(m => (m.Name, m.Module));
    public IEnumerable<Module> children() => ownModules.Select(m => m.Module);

    /// <summary>This module ("") and every descendant with dotted names, depth first.</summary>
    public IEnumerable<(string name, Module module)> named_modules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, module) in ownModules)
            foreach (var item in module.named_modules(Join(prefix, name)))
                yield return item;
    }

    public IEnumerable<(string name, Tensor parameter)> named_parameters(bool recurse = true)
    {
        foreach (var (prefix, module) in recurse ? named_modules() : [("", this)])
            foreach (var (name, tensor) in module.ownParameters)
                if (tensor != null) yield return (Join(prefix, name), tensor);
    }

    public IEnumerable<Tensor> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

    public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true, bool persistentOnly = false)
    {
        foreach (var (prefix, module) in recurse ? named_modules() : [("", this)])
            foreach (var (name, tensor, persistent) in module.ownBuffers)
                if (tensor != null && (persistent || !persistentOnly)) yield return (Join(prefix, name), tensor);
    }

    /// <summary>Number of trainable scalars.</summary>
    public long parameter_count() => parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    // ---- modes and moves ----
    public Module train(bool mode = true)
    {
        foreach (var (_, m) in named_modules()) m.training = mode;
        return this;
    }
    public Module eval() => train(false);

    /// <summary>Moves every parameter and buffer (in place: the tensor objects stay the same).</summary>
    public Module to(Device device) => Apply(t => t.to(device));
    public Module to(ScalarType dtype) => Apply(t => t.dtype.IsFloatingPoint() ? t.to(dtype) : t.alias());
    public Module to(Device device, ScalarType dtype) => Apply(t => t.dtype.IsFloatingPoint() ? t.to(device, dtype) : t.to(device));

    Module Apply(Func<Tensor, Tensor> convert)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var t in parameters().Concat(named_buffers().Select(b => b.buffer)))
        {
            t.set_data(convert(t));
            t.grad?.Dispose();
            t.clear_grad();
        }
        return this;
    }

    /// <summary>Drops every parameter's gradient (set_to_none, as PyTorch ≥ 2.0's default).</summary>
    public void zero_grad()
    {
        foreach (var p in parameters()) p.clear_grad();
    }

    // ---- state ----
    /// <summary>Parameters and persistent buffers by dotted name (the tensors themselves, not copies).</summary>
    public Dictionary<string, Tensor> state_dict()
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, p) in named_parameters()) state[name] = p;
        foreach (var (name, b) in named_buffers(persistentOnly: true)) state[name] = b;
        return state;
    }

    /// <summary>
    /// Copies values into this module's parameters and buffers. With strict, missing or unexpected keys are
    /// an error; a shape mismatch is always an error. Nothing is changed when an error is reported.
    /// </summary>
    public void load_state_dict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = state_dict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var problems = new List<string>();
        if (strict && missing.Count > 0) problems.Add($"missing keys: {string.Join(", ", missing)}");
        if (strict && unexpected.Count > 0) problems.Add($"unexpected keys: {string.Join(", ", unexpected)}");
        foreach (var (name, target) in own)
            if (state.TryGetValue(name, out var source) && !source.shape.SequenceEqual(target.shape))
                problems.Add($"{name}: expected shape [{string.Join(", ", target.shape)}], got [{string.Join(", ", source.shape)}]");
        if (problems.Count > 0)
            throw new ArgumentException($"load_state_dict into {GetType().Name}: {string.Join("; ", problems)}");

        using var noGrad = torch.no_grad();
        foreach (var (name, target) in own)
            if (state.TryGetValue(name, out var source)) target.copy_(source);
    }

    // ---- printing ----
    /// <summary>A PyTorch-style tree of the submodules.</summary>
    public override string ToString() => Describe(0);

    /// <summary>One line describing this module's own settings, e.g. "1, 32, kernel_size=3".</summary>
    protected virtual string ExtraRepr() => "";

    /// <summary>The name printed for this module (the class name unless a module stands for several kinds).</summary>
    protected virtual string DisplayName => GetType().Name;

    string Describe(int indent)
    {
        var head = $"{DisplayName}({ExtraRepr()}";
        if (ownModules.Count == 0) return head + ")";
        var pad = new string(' ', indent + 2);
        var lines = ownModules.Select(m => $"{pad}({m.Name}): {m.Module.Describe(indent + 2)}");
        return $"{head}\n{string.Join("\n", lines)}\n{new string(' ', indent)})";
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var (_, m) in ownModules) m.Dispose();
        foreach (var (_, t) in ownParameters) t?.Dispose();
        foreach (var (_, t, _) in ownBuffers) t?.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A module with a typed forward: <c>y = module.forward(x)</c> (or <c>module.call(x)</c>).</summary>
public abstract class Module<T, TResult> : Module
{
    public abstract TResult forward(T input);
    public TResult call(T input) => forward(input);
}
