using MedAnomaly.Corruptions;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.Extending;

/// <summary>A corruption added from outside the library (docs/extending.md): salt noise, brain pixels set to 1 with
/// probability <see cref="Probability"/>.</summary>
public sealed record SaltNoise(double Probability = 0.05) : ICorruption
{
    public string Name => "salt-noise";

    public CorruptionResult Apply(Tensor clean, Tensor? t, Generator rng)
    {
        using var scope = torch.NewDisposeScope();
        var salt = torch.rand(clean.shape, generator: rng).to(clean.device).lt(Probability).logical_and(clean.gt(0));
        var mask = salt.any(1, keepdim: true).to(ScalarType.Float32);
        var severity = torch.full([clean.size(0)], Probability, device: clean.device);
        return new CorruptionResult(torch.where(salt, torch.ones_like(clean), clean), mask, severity).MoveToOuterDisposeScope();
    }
}
