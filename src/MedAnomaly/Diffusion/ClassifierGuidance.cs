using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Diffusion;

/// <summary>
/// Classifier guidance of a deterministic sampler (Dhariwal &amp; Nichol, NeurIPS 2021, Algorithm 2 and eq. 14; Wolleb et
/// al., MICCAI 2022, Algorithm 1, second loop): the noise estimate is shifted along the gradient of a noise-aware
/// classifier's log-probability of the target class,
/// <code>
/// ε̂ = ε_θ(x_t, t) − s √(1 − ᾱ_t) ∇_{x_t} log C(y | x_t, t)
/// </code>
/// and the step is the unguided DDIM step with ε̂ (<see cref="DdimScheduler"/>).
/// </summary>
public static class ClassifierGuidance
{
    /// <summary>∇_x log softmax(C(x, t))[target] of every image [N,…], with gradients on for the call whatever the caller's
    /// mode (scoring runs without them); the classifier's parameters get no gradient.</summary>
    /// <param name="classifier">(x [N,…], t [N] int64) → logits [N, classes].</param>
    public static Tensor LogProbabilityGradient(Func<Tensor, Tensor, Tensor> classifier, Tensor x, Tensor t, int target)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        using var scope = torch.NewDisposeScope();
        using var grad = torch.enable_grad();
        var input = x.detach().requires_grad_(true);
        var logits = classifier(input, t);
        if (logits.ndim != 2 || target < 0 || target >= logits.size(1))
            throw new ArgumentException($"the classifier must return logits [N, classes] with class {target} among them, got [{string.Join(", ", logits.shape)}]", nameof(classifier));
        var selected = F.log_softmax(logits, 1).select(1, target).sum();
        var gradient = torch.autograd.grad([selected], [input])[0];
        return gradient.detach().MoveToOuterDisposeScope();
    }

    /// <summary>ε̂ = ε − s √(1 − ᾱ_t) ∇ log C (eq. 14 of Dhariwal &amp; Nichol 2021).</summary>
    public static Tensor GuidedEpsilon(Tensor epsilon, Tensor gradient, double alphaCumprod, double scale) =>
        epsilon - scale * Math.Sqrt(1 - alphaCumprod) * gradient;

    /// <summary>One guided DDIM step from x_t at <paramref name="t"/> to <paramref name="tPrev"/> (−1: the clean image), towards
    /// class <paramref name="target"/> at gradient scale <paramref name="scale"/>.</summary>
    /// <param name="epsilon">(x_t, t [N]) → ε_θ(x_t, t).</param>
    /// <param name="classifier">(x_t, t [N]) → logits [N, classes].</param>
    /// <param name="sampler">The DDIM step (η = 0 for Wolleb et al.; its ClipSample decides whether x̂₀ is clipped).</param>
    public static Tensor Step(Func<Tensor, Tensor, Tensor> epsilon, Func<Tensor, Tensor, Tensor> classifier, Tensor x, int t, int tPrev,
                              double scale, int target, DdimScheduler sampler)
    {
        ArgumentNullException.ThrowIfNull(epsilon);
        ArgumentNullException.ThrowIfNull(sampler);
        if (sampler.Prediction != Prediction.Epsilon) throw new ArgumentException("classifier guidance shifts ε: the sampler must take ε-predictions", nameof(sampler));
        sampler.Schedule.CheckTimestep(t, nameof(t));
        using var scope = torch.NewDisposeScope();
        var tn = torch.full([x.size(0)], t, ScalarType.Int64, x.device);
        var eps = epsilon(x, tn);
        if (scale != 0)
            eps = GuidedEpsilon(eps, LogProbabilityGradient(classifier, x, tn, target).to(eps.dtype), sampler.Schedule.Values.AlphasCumprod[t], scale);
        return sampler.Step(eps, t, tPrev, x).PrevSample.MoveToOuterDisposeScope();
    }
}
