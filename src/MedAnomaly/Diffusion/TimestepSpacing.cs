namespace MedAnomaly.Diffusion;

/// <summary>
/// How a reduced number of inference steps is spread over the T training timesteps (diffusers'
/// timestep_spacing; Lin et al., "Common Diffusion Noise Schedules and Sample Steps are Flawed", WACV 2024, Table 2).
/// </summary>
public enum TimestepSpacing
{
    /// <summary>k·⌊T/n⌋ for k = n−1 … 0: starts below T−1, ends at 0 (DDIM's original spacing).</summary>
    Leading,
    /// <summary>round(T − k·T/n) − 1 for k = 0 … n−1: starts at T−1 (DISYRE: T = 100, n = 4 → 99, 74, 49, 24).</summary>
    Trailing,
    /// <summary>round(linspace(0, T−1, n)) reversed: from T−1 down to 0.</summary>
    Linspace,
}

/// <summary>The descending timestep schedules of a sampler run.</summary>
public static class InferenceTimesteps
{
    /// <summary>
    /// The inference timesteps, descending, computed as diffusers' DDPMScheduler/DDIMScheduler.set_timesteps does
    /// (numpy float64 arithmetic, round half to even), with steps_offset = 0.
    /// One deliberate difference: for trailing spacing numpy's float arange sometimes yields one extra element
    /// that rounds to −1 (e.g. T = 100, n = 29); only the first n are kept.
    /// </summary>
    /// <param name="numTrainTimesteps">T, the number of training timesteps.</param>
    /// <param name="numInferenceSteps">n, 1 ≤ n ≤ T.</param>
    public static int[] Spaced(int numTrainTimesteps, int numInferenceSteps, TimestepSpacing spacing)
    {
        if (numTrainTimesteps < 1) throw new ArgumentOutOfRangeException(nameof(numTrainTimesteps), numTrainTimesteps, "the number of training timesteps must be at least 1");
        if (numInferenceSteps < 1 || numInferenceSteps > numTrainTimesteps)
            throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps, $"the number of inference steps must lie in 1 … {numTrainTimesteps} (the training timesteps)");
        int T = numTrainTimesteps, n = numInferenceSteps;
        var timesteps = new int[n];
        switch (spacing)
        {
            case TimestepSpacing.Leading:
                // (np.arange(0, n) * (T // n)).round()[::-1]
                int ratio = T / n;
                for (int i = 0; i < n; i++) timesteps[i] = (n - 1 - i) * ratio;
                break;
            case TimestepSpacing.Trailing:
                // np.round(np.arange(T, 0, -T / n)) - 1; numpy fills arange as start + i·delta with delta = (start + step) − start
                double step = -((double)T / n);
                double delta = (T + step) - T;
                for (int i = 0; i < n; i++) timesteps[i] = (int)Math.Round(T + i * delta, MidpointRounding.ToEven) - 1;
                break;
            case TimestepSpacing.Linspace:
                // np.linspace(0, T - 1, n).round()[::-1]
                var points = ScheduleValues.Linspace(0, T - 1, n);
                for (int i = 0; i < n; i++) timesteps[i] = (int)Math.Round(points[n - 1 - i], MidpointRounding.ToEven);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(spacing), spacing, "unknown timestep spacing");
        }
        return timesteps;
    }

    /// <summary>
    /// The schedule of a partial diffusion that starts at an intermediate <paramref name="tStart"/> (AnoDDPM, Wyatt et al.
    /// 2022; Pinaya et al. 2022): the spacing applied to the timesteps 0 … tStart, i.e. <see cref="Spaced"/>(tStart + 1, n).
    /// With trailing and linspace spacing the first element is tStart itself; with leading spacing it is
    /// (n−1)·⌊(tStart+1)/n⌋ ≤ tStart.
    /// </summary>
    public static int[] SpacedFrom(int tStart, int numInferenceSteps, TimestepSpacing spacing)
    {
        if (tStart < 0) throw new ArgumentOutOfRangeException(nameof(tStart), tStart, "tStart must be ≥ 0");
        if (numInferenceSteps > tStart + 1)
            throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps, $"at most tStart + 1 = {tStart + 1} steps fit below tStart = {tStart}");
        return Spaced(tStart + 1, numInferenceSteps, spacing);
    }

    /// <summary>The timestep after <paramref name="timesteps"/>[i]: the next element, or −1 after the last.</summary>
    public static int Previous(int[] timesteps, int i) => i + 1 < timesteps.Length ? timesteps[i + 1] : -1;
}
