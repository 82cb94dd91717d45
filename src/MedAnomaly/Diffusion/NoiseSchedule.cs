using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Diffusion;

/// <summary>
/// A discrete noise schedule: betas → ᾱ and the other buffers of the forward process (Ho et al. 2020,
/// eq. 4, 6–7), computed in float64 (<see cref="Values"/>) and held as float32 tensors [T] on one device —
/// the plain buffer holder of openai guided-diffusion's GaussianDiffusion. The tensors are detached from any
/// dispose scope: the schedule owns them until <see cref="Dispose"/>.
/// </summary>
public sealed class NoiseSchedule : IDisposable
{
    /// <summary>A short name for tables and registries, e.g. "linear".</summary>
    public string Name { get; }
    /// <summary>The float64 buffers the tensors were cast from.</summary>
    public ScheduleValues Values { get; }
    public Device Device { get; }
    /// <summary>T, the number of diffusion steps; valid timesteps are 0 … T−1.</summary>
    public int NumTimesteps => Values.NumTimesteps;

    readonly Dictionary<string, Tensor> buffers;

    /// <summary>β_t [T] float32; the others likewise, as <see cref="ScheduleValues"/> defines them.</summary>
    public Tensor Betas => buffers[nameof(ScheduleValues.Betas)];
    public Tensor Alphas => buffers[nameof(ScheduleValues.Alphas)];
    public Tensor AlphasCumprod => buffers[nameof(ScheduleValues.AlphasCumprod)];
    public Tensor AlphasCumprodPrev => buffers[nameof(ScheduleValues.AlphasCumprodPrev)];
    public Tensor SqrtAlphasCumprod => buffers[nameof(ScheduleValues.SqrtAlphasCumprod)];
    public Tensor SqrtOneMinusAlphasCumprod => buffers[nameof(ScheduleValues.SqrtOneMinusAlphasCumprod)];
    public Tensor LogOneMinusAlphasCumprod => buffers[nameof(ScheduleValues.LogOneMinusAlphasCumprod)];
    public Tensor SqrtRecipAlphasCumprod => buffers[nameof(ScheduleValues.SqrtRecipAlphasCumprod)];
    public Tensor SqrtRecipm1AlphasCumprod => buffers[nameof(ScheduleValues.SqrtRecipm1AlphasCumprod)];
    public Tensor PosteriorVariance => buffers[nameof(ScheduleValues.PosteriorVariance)];
    public Tensor PosteriorLogVarianceClipped => buffers[nameof(ScheduleValues.PosteriorLogVarianceClipped)];
    public Tensor PosteriorMeanCoef1 => buffers[nameof(ScheduleValues.PosteriorMeanCoef1)];
    public Tensor PosteriorMeanCoef2 => buffers[nameof(ScheduleValues.PosteriorMeanCoef2)];

    NoiseSchedule(string name, ScheduleValues values, Device device)
    {
        Name = name;
        Values = values;
        Device = device;
        buffers = values.All().ToDictionary(b => b.Name, b => Buffer(b.Values));
    }

    Tensor Buffer(double[] values)
    {
        using var scope = torch.NewDisposeScope();
        return torch.tensor(values).to(ScalarType.Float32).to(Device).MoveToOuterDisposeScope().DetachFromDisposeScope();
    }

    /// <summary>A schedule from explicit betas (each in (0, 1)).</summary>
    public static NoiseSchedule FromBetas(string name, double[] betas, Device? device = null) =>
        new(name, ScheduleValues.FromBetas(betas), device ?? torch.CPU);

    /// <summary>Ho et al. 2020 (§4): β linear from 1e-4 to 0.02 over T = 1000 steps (numpy.linspace in float64).</summary>
    public static NoiseSchedule Linear(int numTimesteps = 1000, double betaStart = 1e-4, double betaEnd = 0.02, Device? device = null) =>
        FromBetas("linear", ScheduleValues.Linspace(betaStart, betaEnd, numTimesteps), device);

    /// <summary>
    /// Nichol &amp; Dhariwal, "Improved Denoising Diffusion Probabilistic Models", ICML 2021, eq. 17:
    /// ᾱ(t) = f(t)/f(0), f(t) = cos²(((t/T + s)/(1 + s))·π/2); β_t = min(1 − ᾱ((t+1)/T)/ᾱ(t/T), maxBeta)
    /// for t = 0 … T−1 (guided-diffusion's betas_for_alpha_bar). The clipping only touches the last steps,
    /// where ᾱ → 0 would make β → 1.
    /// </summary>
    public static NoiseSchedule Cosine(int numTimesteps = 1000, double s = 0.008, double maxBeta = 0.999, Device? device = null)
    {
        if (numTimesteps < 2) throw new ArgumentOutOfRangeException(nameof(numTimesteps), numTimesteps, "a cosine schedule needs at least 2 steps");
        double AlphaBar(double u) => Math.Pow(Math.Cos((u + s) / (1 + s) * Math.PI / 2), 2);
        var betas = new double[numTimesteps];
        for (int i = 0; i < numTimesteps; i++)
        {
            double t1 = (double)i / numTimesteps, t2 = (double)(i + 1) / numTimesteps;
            betas[i] = Math.Min(1 - AlphaBar(t2) / AlphaBar(t1), maxBeta);
        }
        return FromBetas("cosine", betas, device);
    }

    /// <summary>
    /// DISYRE's schedule (Marimont &amp; Tarroni, ISBI 2024; code snavalm/disyre, DISYREScheduler defaults):
    /// T = 100, β = linspace(1e-3, 0.2, 100); √ᾱ ≈ 0.9995 at t = 0, 0.61 at t = 30, 0.26 at t = 50,
    /// 0.0045 at t = 99. DISYRE uses it only to pair synthetic-anomaly severities with timesteps
    /// (<see cref="SeverityToTimestep"/>); the published code builds it in float32, here float64.
    /// </summary>
    public static NoiseSchedule Disyre(Device? device = null) =>
        FromBetas("disyre", ScheduleValues.Linspace(1e-3, 0.2, 100), device);

    /// <summary>The same schedule with its tensors on <paramref name="device"/> (a new object; this one stays valid).</summary>
    public NoiseSchedule To(Device device) => new(Name, Values, device);

    /// <summary>The buffers by name, in the order of <see cref="ScheduleValues.All"/>.</summary>
    public IReadOnlyList<(string Name, Tensor Buffer)> Buffers() => Values.All().Select(b => (b.Name, buffers[b.Name])).ToList();

    /// <summary>Throws unless 0 ≤ <paramref name="t"/> &lt; T.</summary>
    public void CheckTimestep(int t, string what = "timestep")
    {
        if (t < 0 || t >= NumTimesteps)
            throw new ArgumentOutOfRangeException(what, t, $"{what} must lie in 0 … {NumTimesteps - 1} for the {NumTimesteps}-step '{Name}' schedule");
    }

    public override string ToString() => $"NoiseSchedule('{Name}', T={NumTimesteps}, β {Values.Betas[0]:G4} … {Values.Betas[^1]:G4}, {Device})";

    public void Dispose()
    {
        foreach (var (_, buffer) in Buffers()) buffer.Dispose();
    }
}
