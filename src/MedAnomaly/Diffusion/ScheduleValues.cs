namespace MedAnomaly.Diffusion;

/// <summary>
/// The buffers of a discrete Gaussian diffusion, computed from its betas in float64 (Ho et al., "Denoising
/// Diffusion Probabilistic Models", NeurIPS 2020; names as in openai guided-diffusion's GaussianDiffusion).
/// Index t = 0 … T−1 is the paper's timestep t + 1 (the first noising step is t = 0 here, as in the code of
/// both references). Every array has length T.
/// </summary>
public sealed record ScheduleValues
{
    /// <summary>β_t, the variance added at step t.</summary>
    public required double[] Betas { get; init; }
    /// <summary>α_t = 1 − β_t.</summary>
    public required double[] Alphas { get; init; }
    /// <summary>ᾱ_t = Π_{s≤t} α_s (eq. 4: q(x_t|x₀) = N(√ᾱ_t x₀, (1−ᾱ_t) I)).</summary>
    public required double[] AlphasCumprod { get; init; }
    /// <summary>ᾱ_{t−1}, with ᾱ_{−1} = 1.</summary>
    public required double[] AlphasCumprodPrev { get; init; }
    /// <summary>√ᾱ_t.</summary>
    public required double[] SqrtAlphasCumprod { get; init; }
    /// <summary>√(1 − ᾱ_t).</summary>
    public required double[] SqrtOneMinusAlphasCumprod { get; init; }
    /// <summary>log(1 − ᾱ_t).</summary>
    public required double[] LogOneMinusAlphasCumprod { get; init; }
    /// <summary>1/√ᾱ_t.</summary>
    public required double[] SqrtRecipAlphasCumprod { get; init; }
    /// <summary>√(1/ᾱ_t − 1).</summary>
    public required double[] SqrtRecipm1AlphasCumprod { get; init; }
    /// <summary>β̃_t = β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t), the variance of q(x_{t−1} | x_t, x₀) (eq. 7); β̃_0 = 0.</summary>
    public required double[] PosteriorVariance { get; init; }
    /// <summary>log β̃_t with β̃_0 replaced by β̃_1, because log 0 = −∞ (guided-diffusion).</summary>
    public required double[] PosteriorLogVarianceClipped { get; init; }
    /// <summary>Coefficient of x₀ in μ̃_t(x_t, x₀) (eq. 7): β_t √ᾱ_{t−1} / (1 − ᾱ_t).</summary>
    public required double[] PosteriorMeanCoef1 { get; init; }
    /// <summary>Coefficient of x_t in μ̃_t(x_t, x₀) (eq. 7): (1 − ᾱ_{t−1}) √α_t / (1 − ᾱ_t).</summary>
    public required double[] PosteriorMeanCoef2 { get; init; }

    /// <summary>T, the number of diffusion steps.</summary>
    public int NumTimesteps => Betas.Length;

    /// <summary>Derives every buffer from <paramref name="betas"/> (each in (0, 1), at least two of them).</summary>
    public static ScheduleValues FromBetas(double[] betas)
    {
        ArgumentNullException.ThrowIfNull(betas);
        if (betas.Length < 2) throw new ArgumentException($"a noise schedule needs at least 2 betas, got {betas.Length}", nameof(betas));
        for (int t = 0; t < betas.Length; t++)
            if (!(betas[t] > 0 && betas[t] < 1))
                throw new ArgumentException($"beta[{t}] must lie in (0, 1), got {betas[t]:R}", nameof(betas));

        int n = betas.Length;
        var alphas = Map(betas, b => 1 - b);
        var cumprod = new double[n];
        double product = 1;
        for (int t = 0; t < n; t++) cumprod[t] = product *= alphas[t];
        var cumprodPrev = new double[n];
        cumprodPrev[0] = 1;
        Array.Copy(cumprod, 0, cumprodPrev, 1, n - 1);

        var posteriorVariance = new double[n];
        var coef1 = new double[n];
        var coef2 = new double[n];
        for (int t = 0; t < n; t++)
        {
            posteriorVariance[t] = betas[t] * (1 - cumprodPrev[t]) / (1 - cumprod[t]);
            coef1[t] = betas[t] * Math.Sqrt(cumprodPrev[t]) / (1 - cumprod[t]);
            coef2[t] = (1 - cumprodPrev[t]) * Math.Sqrt(alphas[t]) / (1 - cumprod[t]);
        }
        var logVarianceClipped = new double[n];
        logVarianceClipped[0] = Math.Log(posteriorVariance[1]);
        for (int t = 1; t < n; t++) logVarianceClipped[t] = Math.Log(posteriorVariance[t]);

        return new ScheduleValues
        {
            Betas = (double[])betas.Clone(),
            Alphas = alphas,
            AlphasCumprod = cumprod,
            AlphasCumprodPrev = cumprodPrev,
            SqrtAlphasCumprod = Map(cumprod, Math.Sqrt),
            SqrtOneMinusAlphasCumprod = Map(cumprod, a => Math.Sqrt(1 - a)),
            LogOneMinusAlphasCumprod = Map(cumprod, a => Math.Log(1 - a)),
            SqrtRecipAlphasCumprod = Map(cumprod, a => Math.Sqrt(1 / a)),
            SqrtRecipm1AlphasCumprod = Map(cumprod, a => Math.Sqrt(1 / a - 1)),
            PosteriorVariance = posteriorVariance,
            PosteriorLogVarianceClipped = logVarianceClipped,
            PosteriorMeanCoef1 = coef1,
            PosteriorMeanCoef2 = coef2,
        };
    }

    /// <summary>The buffers by name, in a fixed order (for printing, tensors and tests).</summary>
    public IReadOnlyList<(string Name, double[] Values)> All() =>
    [
        (nameof(Betas), Betas), (nameof(Alphas), Alphas), (nameof(AlphasCumprod), AlphasCumprod),
        (nameof(AlphasCumprodPrev), AlphasCumprodPrev), (nameof(SqrtAlphasCumprod), SqrtAlphasCumprod),
        (nameof(SqrtOneMinusAlphasCumprod), SqrtOneMinusAlphasCumprod), (nameof(LogOneMinusAlphasCumprod), LogOneMinusAlphasCumprod),
        (nameof(SqrtRecipAlphasCumprod), SqrtRecipAlphasCumprod), (nameof(SqrtRecipm1AlphasCumprod), SqrtRecipm1AlphasCumprod),
        (nameof(PosteriorVariance), PosteriorVariance), (nameof(PosteriorLogVarianceClipped), PosteriorLogVarianceClipped),
        (nameof(PosteriorMeanCoef1), PosteriorMeanCoef1), (nameof(PosteriorMeanCoef2), PosteriorMeanCoef2),
    ];

    /// <summary>numpy.linspace(start, stop, num) bit for bit: start + i·step, the last element set to stop.</summary>
    public static double[] Linspace(double start, double stop, int num)
    {
        if (num < 1) throw new ArgumentOutOfRangeException(nameof(num), num, "linspace needs at least one point");
        var values = new double[num];
        double step = num > 1 ? (stop - start) / (num - 1) : 0;
        for (int i = 0; i < num; i++) values[i] = i * step + start;
        if (num > 1) values[num - 1] = stop;
        return values;
    }

    static double[] Map(double[] values, Func<double, double> f) => Array.ConvertAll(values, v => f(v));
}
