#!/usr/bin/python3
"""Expected values for tests/MedAnomaly.Tests/Diffusion/*Tests.cs and Corruptions/GaussianNoiseTests.cs.

Run with Debian's python:  /usr/bin/python3 tests/golden/make_diffusion_golden.py
It rewrites tests/MedAnomaly.Tests/Diffusion/DiffusionGolden.g.cs (doubles printed with repr, so exact).

Everything is numpy float64, written from the papers' formulas as the reference code states them
(diffusers and guided-diffusion are not installed here; their formulas are transcribed below):
  * schedules: Ho et al. 2020 linear betas (np.linspace), Nichol & Dhariwal 2021 eq. 17 via guided-diffusion's
    betas_for_alpha_bar (max_beta 0.999), DISYRE linspace(1e-3, 0.2, 100); buffers as guided-diffusion's
    GaussianDiffusion.__init__ (posterior variance, clipped log variance, posterior mean coefficients)
  * timestep spacing: diffusers DDPMScheduler/DDIMScheduler.set_timesteps ("leading", "trailing", "linspace",
    steps_offset 0) -- trailing keeps the first n elements (numpy's float arange can add a spurious -1)
  * DDPM step: diffusers DDPMScheduler.step (variance "fixed_small" clamped at 1e-20, or "fixed_large"),
    previous timestep = next element of the schedule, no noise on the last step
  * DDIM step: diffusers DDIMScheduler.step (eq. 12 and 16 of Song et al. 2021, set_alpha_to_one)
  * severity -> timestep: DISYRE's map_alpha_to_timestep, argmin |sqrt(alphas_cumprod) - alpha|
The toy networks are deterministic functions of (x_t, t) that the C# tests implement identically:
  eps_net(x, t) = 0.1 x + 0.01 t/T        x0_net(x, t) = 0.9 x - 0.02 t/T
Inputs are sin waves, wave(shape, a, b)[i] = sin(a i + b) (row-major), as TestSupport/Golden.Wave builds them.
"""
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "MedAnomaly.Tests", "Diffusion", "DiffusionGolden.g.cs")


# ---------------------------------------------------------------- schedules

def linear_betas(T=1000, start=1e-4, end=0.02):
    return np.linspace(start, end, T, dtype=np.float64)


def cosine_betas(T=1000, s=0.008, max_beta=0.999):
    alpha_bar = lambda t: math.cos((t + s) / (1 + s) * math.pi / 2) ** 2
    return np.array([min(1 - alpha_bar((i + 1) / T) / alpha_bar(i / T), max_beta) for i in range(T)], dtype=np.float64)


def disyre_betas():
    return np.linspace(1e-3, 0.2, 100, dtype=np.float64)


BUFFER_NAMES = ["Betas", "Alphas", "AlphasCumprod", "AlphasCumprodPrev", "SqrtAlphasCumprod",
                "SqrtOneMinusAlphasCumprod", "LogOneMinusAlphasCumprod", "SqrtRecipAlphasCumprod",
                "SqrtRecipm1AlphasCumprod", "PosteriorVariance", "PosteriorLogVarianceClipped",
                "PosteriorMeanCoef1", "PosteriorMeanCoef2"]


def buffers(betas):
    alphas = 1.0 - betas
    ac = np.cumprod(alphas, axis=0)
    ac_prev = np.append(1.0, ac[:-1])
    post_var = betas * (1.0 - ac_prev) / (1.0 - ac)
    return {
        "Betas": betas, "Alphas": alphas, "AlphasCumprod": ac, "AlphasCumprodPrev": ac_prev,
        "SqrtAlphasCumprod": np.sqrt(ac), "SqrtOneMinusAlphasCumprod": np.sqrt(1.0 - ac),
        "LogOneMinusAlphasCumprod": np.log(1.0 - ac), "SqrtRecipAlphasCumprod": np.sqrt(1.0 / ac),
        "SqrtRecipm1AlphasCumprod": np.sqrt(1.0 / ac - 1), "PosteriorVariance": post_var,
        "PosteriorLogVarianceClipped": np.log(np.append(post_var[1], post_var[1:])),
        "PosteriorMeanCoef1": betas * np.sqrt(ac_prev) / (1.0 - ac),
        "PosteriorMeanCoef2": (1.0 - ac_prev) * np.sqrt(alphas) / (1.0 - ac),
    }


# ---------------------------------------------------------------- timestep spacing (diffusers)

def spaced(T, n, spacing):
    if spacing == "Linspace":
        return np.linspace(0, T - 1, n).round()[::-1].copy().astype(np.int64)
    if spacing == "Leading":
        ratio = T // n
        return (np.arange(0, n) * ratio).round()[::-1].copy().astype(np.int64)
    if spacing == "Trailing":
        ratio = T / n
        return (np.round(np.arange(T, 0, -ratio)).astype(np.int64) - 1)[:n]
    raise ValueError(spacing)


def previous(ts, i):
    return int(ts[i + 1]) if i + 1 < len(ts) else -1


# ---------------------------------------------------------------- samplers (diffusers' step, float64)

def ac_at(ac, t):
    return ac[t] if t >= 0 else 1.0


def ddpm_step(ac, out, t, t_prev, x, prediction, variance_type, clip, noise):
    a_t, a_prev = ac[t], ac_at(ac, t_prev)
    b_t, b_prev = 1 - a_t, 1 - a_prev
    cur_alpha = a_t / a_prev
    cur_beta = 1 - cur_alpha
    x0 = (x - b_t ** 0.5 * out) / a_t ** 0.5 if prediction == "Epsilon" else out
    if clip:
        x0 = np.clip(x0, -1, 1)
    mean = (a_prev ** 0.5 * cur_beta / b_t) * x0 + (cur_alpha ** 0.5 * b_prev / b_t) * x
    if t_prev >= 0:
        var = max(b_prev / b_t * cur_beta, 1e-20) if variance_type == "FixedSmall" else cur_beta
        mean = mean + var ** 0.5 * noise
    return mean, x0


def ddim_step(ac, out, t, t_prev, x, prediction, eta, clip, use_clipped, noise=None):
    a_t, a_prev = ac[t], ac_at(ac, t_prev)
    b_t = 1 - a_t
    if prediction == "Epsilon":
        eps = out
        x0 = (x - b_t ** 0.5 * out) / a_t ** 0.5
    else:
        x0 = out
        eps = (x - a_t ** 0.5 * x0) / b_t ** 0.5
    if clip:
        x0 = np.clip(x0, -1, 1)
    variance = (1 - a_prev) / b_t * (1 - a_t / a_prev)
    std = eta * variance ** 0.5
    if use_clipped:
        eps = (x - a_t ** 0.5 * x0) / b_t ** 0.5
    prev = a_prev ** 0.5 * x0 + (1 - a_prev - std ** 2) ** 0.5 * eps
    if eta > 0:
        prev = prev + std * noise
    return prev, x0


def eps_net(x, t, T):
    return 0.1 * x + 0.01 * (t / T)


def x0_net(x, t, T):
    return 0.9 * x - 0.02 * (t / T)


def wave(shape, a, b):
    n = int(np.prod(shape))
    return np.sin(a * np.arange(n, dtype=np.float64) + b).reshape(shape)


def q_sample(buf, x0, t, noise):
    shape = (-1,) + (1,) * (x0.ndim - 1)
    return buf["SqrtAlphasCumprod"][t].reshape(shape) * x0 + buf["SqrtOneMinusAlphasCumprod"][t].reshape(shape) * noise


# ---------------------------------------------------------------- C# output

def cs_doubles(values):
    return "new double[] { " + ", ".join(repr(float(v)) for v in np.asarray(values, dtype=np.float64).ravel()) + " }"


def cs_ints(values):
    return "new int[] { " + ", ".join(str(int(v)) for v in np.asarray(values).ravel()) + " }"


def main():
    lines = ["// <auto-generated> by tests/golden/make_diffusion_golden.py (numpy %s, float64) — do not edit." % np.__version__,
             "namespace MedAnomaly.Tests.Diffusion;", "", "static class DiffusionGolden", "{"]
    emit = lines.append

    # schedules at first, second, middle, second-to-last and last timestep
    schedules = {"Linear": linear_betas(), "Cosine": cosine_betas(), "Disyre": disyre_betas()}
    for name, betas in schedules.items():
        T = len(betas)
        ts = [0, 1, T // 2, T - 2, T - 1]
        buf = buffers(betas)
        emit(f"    public static readonly int[] {name}At = {cs_ints(ts)};")
        emit(f"    public static readonly Dictionary<string, double[]> {name} = new()")
        emit("    {")
        for key in BUFFER_NAMES:
            emit(f"        [\"{key}\"] = {cs_doubles(buf[key][ts])},")
        emit("    };")
    cb = schedules["Cosine"]
    clipped = np.nonzero(cb >= 0.999)[0]
    emit(f"    public static readonly int[] CosineClippedAt = {cs_ints(clipped)};")
    emit(f"    public static readonly double CosineLargestUnclippedBeta = {repr(float(cb[cb < 0.999].max()))};")
    emit("")

    # spacing
    cases = [(1000, 50), (1000, 3), (1000, 7), (250, 61), (100, 29), (250, 10)]
    emit("    public static readonly (int T, int N, string Spacing, int[] Timesteps)[] Spacings =")
    emit("    {")
    for T, n in cases:
        for sp in ["Leading", "Trailing", "Linspace"]:
            emit(f"        ({T}, {n}, \"{sp}\", {cs_ints(spaced(T, n, sp))}),")
    emit("    };")
    raw = np.round(np.arange(100, 0, -100 / 29)).astype(np.int64) - 1
    emit(f"    // numpy's own trailing arange for (100, 29) has {len(raw)} elements, the last {raw[-1]}")
    emit(f"    public static readonly int[] TrailingNumpyRaw100x29 = {cs_ints(raw)};")
    emit("")

    # forward process on the linear schedule
    lin = buffers(schedules["Linear"])
    T = 1000
    x0 = wave((3, 1, 4, 4), 0.7, 0.2)
    noise = wave((3, 1, 4, 4), 1.3, -0.4)
    t = np.array([0, 499, 999])
    xt = q_sample(lin, x0, t, noise)
    emit(f"    public static readonly double[] QSample = {cs_doubles(xt)};")
    tp = np.array([1, 500, 999])
    xtp = wave((3, 1, 4, 4), 0.9, 0.5)
    sh = (-1, 1, 1, 1)
    mean = lin["PosteriorMeanCoef1"][tp].reshape(sh) * x0 + lin["PosteriorMeanCoef2"][tp].reshape(sh) * xtp
    emit(f"    public static readonly double[] PosteriorMean = {cs_doubles(mean)};")
    emit(f"    public static readonly double[] PosteriorVariance = {cs_doubles(lin['PosteriorVariance'][tp])};")
    emit(f"    public static readonly double[] PosteriorLogVarianceClipped = {cs_doubles(lin['PosteriorLogVarianceClipped'][tp])};")
    x0_from_eps = lin["SqrtRecipAlphasCumprod"][tp].reshape(sh) * xtp - lin["SqrtRecipm1AlphasCumprod"][tp].reshape(sh) * noise
    emit(f"    public static readonly double[] PredictStartFromNoise = {cs_doubles(x0_from_eps)};")
    eps_from_x0 = (lin["SqrtRecipAlphasCumprod"][tp].reshape(sh) * xtp - x0) / lin["SqrtRecipm1AlphasCumprod"][tp].reshape(sh)
    emit(f"    public static readonly double[] PredictNoiseFromStart = {cs_doubles(eps_from_x0)};")
    emit("")

    # DDIM loops: 10 steps from x_T, eta = 0
    ac = lin["AlphasCumprod"]
    xT = 1.5 * wave((2, 1, 4, 4), 0.37, 0.11)
    emit(f"    // DDIM loops on the linear schedule from x_T = 1.5 wave((2,1,4,4), 0.37, 0.11): (name, spacing, prediction, clip, useClippedModelOutput, result)")
    emit("    public static readonly (string Name, string Spacing, string Prediction, bool Clip, bool UseClipped, double[] Result)[] DdimLoops =")
    emit("    {")
    for name, sp, pred, clip, use_clipped in [("eps-trailing-clip", "Trailing", "Epsilon", True, False),
                                              ("eps-trailing-noclip", "Trailing", "Epsilon", False, False),
                                              ("eps-linspace-clip-useclipped", "Linspace", "Epsilon", True, True),
                                              ("x0-leading-clip", "Leading", "Sample", True, False),
                                              ("x0-trailing-noclip", "Trailing", "Sample", False, False)]:
        ts = spaced(T, 10, sp)
        x = xT.copy()
        for i, tt in enumerate(ts):
            out = eps_net(x, tt, T) if pred == "Epsilon" else x0_net(x, tt, T)
            x, _ = ddim_step(ac, out, int(tt), previous(ts, i), x, pred, 0.0, clip, use_clipped)
        emit(f"        (\"{name}\", \"{sp}\", \"{pred}\", {str(clip).lower()}, {str(use_clipped).lower()}, {cs_doubles(x)}),")
    emit("    };")

    # single steps with a fixed noise tensor
    xs = wave((2, 1, 4, 4), 0.53, -0.3)
    z = wave((2, 1, 4, 4), 2.1, 0.7)
    emit("    // single steps from x_t = wave((2,1,4,4), 0.53, -0.3) with z = wave((2,1,4,4), 2.1, 0.7)")
    emit("    public static readonly (string Prediction, string Variance, int T, int TPrev, double[] Prev, double[] X0)[] DdpmSteps =")
    emit("    {")
    for pred, var, tt, tprev in [("Epsilon", "FixedSmall", 500, 499), ("Epsilon", "FixedSmall", 500, 400),
                                 ("Epsilon", "FixedLarge", 500, 400), ("Sample", "FixedSmall", 500, 499),
                                 ("Sample", "FixedLarge", 999, 899), ("Epsilon", "FixedSmall", 0, -1),
                                 ("Epsilon", "FixedSmall", 99, -1)]:
        out = eps_net(xs, tt, T) if pred == "Epsilon" else x0_net(xs, tt, T)
        prev, x0p = ddpm_step(ac, out, tt, tprev, xs, pred, var, True, z)
        emit(f"        (\"{pred}\", \"{var}\", {tt}, {tprev}, {cs_doubles(prev)}, {cs_doubles(x0p)}),")
    emit("    };")
    emit("    public static readonly (string Prediction, double Eta, int T, int TPrev, double[] Prev)[] DdimSteps =")
    emit("    {")
    for pred, eta, tt, tprev in [("Epsilon", 0.5, 500, 400), ("Sample", 1.0, 300, 200), ("Epsilon", 0.0, 999, 949)]:
        out = eps_net(xs, tt, T) if pred == "Epsilon" else x0_net(xs, tt, T)
        prev, _ = ddim_step(ac, out, tt, tprev, xs, pred, eta, True, False, z)
        emit(f"        (\"{pred}\", {eta!r}, {tt}, {tprev}, {cs_doubles(prev)}),")
    emit("    };")
    emit("")

    # partial diffusion: noise x to t_start = 249 with a given noise, 5 trailing DDIM steps (eps net, clip)
    x = wave((2, 1, 4, 4), 0.29, 0.4)
    n0 = wave((2, 1, 4, 4), 1.7, -1.1)
    ts = spaced(250, 5, "Trailing")
    s = q_sample(lin, x, np.full(2, ts[0]), n0)
    for i, tt in enumerate(ts):
        s, _ = ddim_step(ac, eps_net(s, tt, T), int(tt), previous(ts, i), s, "Epsilon", 0.0, True, False)
    emit(f"    // x = wave((2,1,4,4), 0.29, 0.4), noise = wave((2,1,4,4), 1.7, -1.1), t_start 249, trailing {list(ts)}")
    emit(f"    public static readonly double[] Reconstruct249x5 = {cs_doubles(s)};")
    emit("")

    # DISYRE severity -> timestep
    sq = buffers(disyre_betas())["SqrtAlphasCumprod"]
    alphas = np.array([0.0, 0.001, 0.0045, 0.05, 0.26, 0.27, 0.5, 0.61, 0.73, 0.9, 0.99, 0.9995, 1.0])
    published = np.abs(sq[None, :] - alphas[:, None]).argmin(1)
    emit(f"    public static readonly double[] Severities = {cs_doubles(alphas)};")
    emit(f"    public static readonly int[] SeverityTimestepsAsPublished = {cs_ints(published)};")
    emit(f"    public static readonly int[] SeverityTimestepsCleanAtZero = {cs_ints(99 - published)};")
    emit("}")

    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
