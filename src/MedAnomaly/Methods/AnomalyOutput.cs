using static TorchSharp.torch;

namespace MedAnomaly.Methods;

/// <summary>
/// What every detector returns, whatever the method: the pixel-wise anomaly map <paramref name="Map"/>
/// [N,1,H,W] (≥ 0, larger = more anomalous, 0 outside the foreground where the method weights by it) and the
/// image score <paramref name="Score"/> [N]. Metrics, tables and figures consume only this. Optionally the
/// reconstruction/restoration the map was computed from, [N,C,H,W] in [0,1] (the images' channels), for figures.
/// </summary>
public sealed record AnomalyOutput(Tensor Map, Tensor Score, Tensor? Reconstruction = null) : IDisposable
{
    /// <summary>Moves the tensors to the enclosing dispose scope (call inside a library function's scope).</summary>
    public AnomalyOutput MoveToOuterDisposeScope() =>
        new(Map.MoveToOuterDisposeScope(), Score.MoveToOuterDisposeScope(), Reconstruction?.MoveToOuterDisposeScope());

    public void Dispose()
    {
        Map.Dispose();
        Score.Dispose();
        Reconstruction?.Dispose();
    }
}
