using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Training;

/// <summary>
/// Exponential moving average of parameters, as the <c>torch_ema</c> package's <c>ExponentialMovingAverage</c>
/// (fadel/pytorch_ema, with <c>use_num_updates=True</c>): on the n-th <see cref="Update"/> (n = 1, 2, …)
/// <code>
/// d = min(decay, (1 + n) / (10 + n))          (warm-up; off when useNumUpdates is false: d = decay)
/// shadow ← shadow − (1 − d)·(shadow − param)
/// </code>
/// The shadow copies start as clones of the parameters and are owned by this object (Dispose frees them).
/// <see cref="Store"/>/<see cref="CopyTo"/>/<see cref="Restore"/> evaluate with the averaged weights and go back.
/// </summary>
public sealed class ExponentialMovingAverage : IDisposable
{
    readonly List<Tensor> parameters;
    readonly List<string> names;
    readonly List<Tensor> shadow;
    List<Tensor>? stored;

    /// <param name="parameters">the live parameters (not owned), in a fixed order</param>
    /// <param name="decay">the long-run decay, e.g. 0.999 or 0.9999</param>
    /// <param name="useNumUpdates">apply torch_ema's warm-up min(decay, (1+n)/(10+n))</param>
    public ExponentialMovingAverage(IEnumerable<Tensor> parameters, double decay, bool useNumUpdates = true)
        : this(parameters.Select((p, i) => (i.ToString(), p)), decay, useNumUpdates) { }

    /// <summary>Named parameters (e.g. a module's <c>named_parameters()</c>), so <see cref="state_dict"/> uses the same names.</summary>
    public ExponentialMovingAverage(IEnumerable<(string name, Tensor param)> namedParameters, double decay, bool useNumUpdates = true)
    {
        if (!(decay >= 0 && decay <= 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "decay must be in [0, 1]");
        var list = namedParameters.ToList();
        if (list.Count == 0) throw new ArgumentException("no parameters to average", nameof(namedParameters));
        names = list.Select(x => x.name).ToList();
        if (names.Distinct().Count() != names.Count) throw new ArgumentException("parameter names must be unique", nameof(namedParameters));
        parameters = list.Select(x => x.param).ToList();
        Decay = decay;
        NumUpdates = useNumUpdates ? 0 : null;
        shadow = Copies(parameters);
    }

    public double Decay { get; }

    /// <summary>Updates done so far, or null when the warm-up is off.</summary>
    public long? NumUpdates { get; private set; }

    /// <summary>The averaged copies, in parameter order (owned by this object).</summary>
    public IReadOnlyList<Tensor> ShadowParameters => shadow;

    /// <summary>The decay the next update uses.</summary>
    public double NextDecay => NumUpdates is long n ? Math.Min(Decay, (1.0 + (n + 1)) / (10.0 + (n + 1))) : Decay;

    /// <summary>shadow ← shadow − (1 − d)·(shadow − param) for every parameter (torch_ema's update).</summary>
    public void Update()
    {
        double d = NextDecay;
        if (NumUpdates is long n) NumUpdates = n + 1;
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        for (int i = 0; i < shadow.Count; i++) shadow[i].sub_((shadow[i] - parameters[i]).mul_(1 - d));
    }

    /// <summary>Copies the averages into the live parameters.</summary>
    public void CopyTo()
    {
        using var noGrad = torch.no_grad();
        for (int i = 0; i < shadow.Count; i++) parameters[i].copy_(shadow[i]);
    }

    /// <summary>Saves the live parameters (to put back with <see cref="Restore"/>).</summary>
    public void Store()
    {
        DisposeStored();
        stored = Copies(parameters);
    }

    /// <summary>Detached clones owned by the caller (the intermediate views are freed by the scope).</summary>
    static List<Tensor> Copies(List<Tensor> tensors)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return tensors.Select(p => p.detach().clone().DetachFromDisposeScope()).ToList();
    }

    /// <summary>Puts back the parameters saved by <see cref="Store"/>.</summary>
    public void Restore()
    {
        if (stored is null) throw new InvalidOperationException("Restore called without a previous Store");
        using var noGrad = torch.no_grad();
        for (int i = 0; i < stored.Count; i++) parameters[i].copy_(stored[i]);
        DisposeStored();
    }

    /// <summary>The averages under the parameters' names (the object's own tensors: save, don't dispose).</summary>
    public Dictionary<string, Tensor> state_dict() => names.Zip(shadow).ToDictionary(x => x.First, x => x.Second);

    /// <summary>Copies averages saved by <see cref="state_dict"/> back in; every name must be present with the same shape.</summary>
    public void load_state_dict(IReadOnlyDictionary<string, Tensor> stateDict, long? numUpdates = null)
    {
        using var noGrad = torch.no_grad();
        for (int i = 0; i < names.Count; i++)
        {
            if (!stateDict.TryGetValue(names[i], out var value))
                throw new ArgumentException($"EMA state has no tensor '{names[i]}'");
            if (!value.shape.SequenceEqual(shadow[i].shape))
                throw new ArgumentException($"EMA state '{names[i]}' has shape [{string.Join(", ", value.shape)}], expected [{string.Join(", ", shadow[i].shape)}]");
            shadow[i].copy_(value);
        }
        if (numUpdates is long n && NumUpdates is not null) NumUpdates = n;
    }

    void DisposeStored()
    {
        if (stored is null) return;
        foreach (var t in stored) t.Dispose();
        stored = null;
    }

    public void Dispose()
    {
        DisposeStored();
        foreach (var t in shadow) t.Dispose();
        shadow.Clear();
    }
}
