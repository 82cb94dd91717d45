#!/usr/bin/python3
"""Expected values for tests/MedAnomaly.Tests/Metrics/*Tests.cs, computed with scikit-learn 1.2 / NumPy / SciPy.

Run with Debian's interpreter:  /usr/bin/python3 tests/golden/make_metrics_golden.py
It rewrites tests/MedAnomaly.Tests/Metrics/MetricsGolden.g.cs.

Fixtures are reproducible without data files: scores and labels come from a counter-based SplitMix64 stream
(u_i = mix(seed + (i+1)·0x9E3779B97F4A7C15)) that tests/MedAnomaly.Tests/Metrics/MetricsFixtures.cs
re-implements bit for bit; every float32 operation below is mirrored there in the same order.

Reference implementations:
  * AUROC  = sklearn.metrics.roc_auc_score; AP = sklearn.metrics.average_precision_score.
  * exact best Dice = max over sklearn's _binary_clf_curve thresholds of 2TP/(TP+FP+P) (first = highest threshold).
  * FPR@95%TPR = fpr[argmax(tpr >= 0.95)] of roc_curve(drop_intermediate=False).
  * sensitivity at 5% FPR = tpr[k], k = last index with fpr <= 0.05 of roc_curve(drop_intermediate=False); its
    threshold = the first (highest) roc_curve threshold with that TPR, +inf when the TPR is 0.
  * MedIAnomaly best Dice: re-implements compute_best_dice of MedIAnomaly's utils (Cai et al. 2024):
        step = num // n_thresh; thresholds = np.sort(preds.reshape(-1))[np.arange(0, num, step)]
        dice(t) = 2*sum(pred[target]) / (sum(pred) + sum(target)), pred = preds > t; max, first argmax.
  * DISYRE best Dice (Marimont & Tarroni 2024): 10,000 pixels sampled per volume with a seeded RNG, then
        200 thresholds np.linspace(min, max) of the sample, pred = sample > t. NumPy's RNG cannot be matched from
        C#, so both sides use the SplitMix64 partial Fisher-Yates sampler below; the sweep is then pinned on the
        same sampled pixels.
  * Median filter: scipy.ndimage.median_filter(size=(1,k,k), mode='reflect');
    components: scipy.ndimage.label with a 3x3 structure (8-connectivity), components < n pixels removed.
"""
import os
import numpy as np
import sklearn
from sklearn.metrics import roc_auc_score, average_precision_score, roc_curve
from sklearn.metrics._ranking import _binary_clf_curve
import scipy.ndimage as ndi

assert sklearn.__version__.startswith("1.2"), sklearn.__version__
M64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


def mix(z):
    """SplitMix64 finaliser, vectorised on uint64 (wrapping arithmetic)."""
    z = np.asarray(z, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def stream(seed, start, n):
    """Outputs start+1 .. start+n of the counter-based stream: mix(seed + i*GAMMA)."""
    i = np.arange(start + 1, start + n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return mix(np.uint64(seed) + i * np.uint64(GAMMA))


def generated(seed, n, pos_per_2_24, levels, shift, offset):
    """Scores float32 [n] and labels bool [n]; mirrored by MetricsFixtures.Generated."""
    u = stream(seed, 0, n) >> np.uint64(40)
    v = stream(seed, n, n) >> np.uint64(40)
    labels = v < np.uint64(pos_per_2_24)
    if levels > 0:
        base = ((u * np.uint64(levels)) >> np.uint64(24)).astype(np.float32) / np.float32(levels)
    else:
        base = u.astype(np.float32) * np.float32(2.0 ** -24)
    scores = np.where(labels, base + np.float32(shift), base).astype(np.float32)
    scores = (scores - np.float32(offset)).astype(np.float32)
    return scores, labels


def fixtures():
    f = {}
    f["sklearn_doc"] = (np.array([0.1, 0.4, 0.35, 0.8], np.float32), np.array([0, 0, 1, 1], bool))
    f["signed_zero"] = (np.array([0.0, -0.0, 0.5, -0.0, 1.0, 0.0], np.float32), np.array([1, 0, 1, 0, 0, 1], bool))
    f["tiny_two"] = (np.array([0.7, 0.2], np.float32), np.array([1, 0], bool))
    f["tiny_tied"] = (np.array([0.5, 0.5, 0.25], np.float32), np.array([1, 0, 0], bool))
    s = np.full(100, 0.5, np.float32); l = np.zeros(100, bool); l[:10] = True
    f["all_equal"] = (s, l)
    s, _ = generated(3, 1000, 0, 0, 0.0, 0.0); l = np.zeros(1000, bool); l[417] = True
    f["single_positive"] = (s, l)
    f["heavy_ties"] = generated(5, 5000, int(0.3 * 2 ** 24), 8, 0.25, 0.5)
    f["mid"] = generated(7, 3000, int(0.1 * 2 ** 24), 0, 0.1, 0.0)
    f["large"] = generated(11, 200_000, int(0.02 * 2 ** 24), 0, 0.3, 0.0)
    return f


def sweep(s, l):
    s64 = s.astype(np.float64)
    fps, tps, thr = _binary_clf_curve(l, s64)
    P = tps[-1]
    dice = 2 * tps / (tps + fps + P)
    b = int(np.argmax(dice))
    fpr, tpr, rthr = roc_curve(l, s64, drop_intermediate=False)
    k = int(np.argmax(tpr >= 0.95))
    pred = s64 >= 0.5
    return dict(auroc=roc_auc_score(l, s64), ap=average_precision_score(l, s64), best_dice=dice[b], best_thr=thr[b],
                fpr95=fpr[k], thr95=rthr[k], distinct_positive=len(np.unique(s64[l])),
                tp=int((pred & l).sum()), fp=int((pred & ~l).sum()), tn=int((~pred & ~l).sum()), fn=int((~pred & l).sum()))


def sensitivity_at_5_fpr(s, l):
    fpr, tpr, thr = roc_curve(l, s.astype(np.float64), drop_intermediate=False)
    k = int(np.flatnonzero(fpr <= 0.05)[-1])
    first = int(np.argmax(tpr >= tpr[k]))
    return tpr[k], (thr[first] if tpr[k] > 0 else np.inf)


def medianomaly_best_dice(preds, targets, n_thresh=200):
    num = preds.size
    step = num // n_thresh
    indices = np.arange(0, num, step)
    thresholds = np.sort(preds.reshape(-1))[indices]
    scores = []
    for t in thresholds:
        p = np.where(preds > t, 1, 0)
        scores.append(2 * np.sum(p[targets == 1]) / (np.sum(p) + np.sum(targets)))
    scores = np.stack(scores, 0)
    return scores.max(), thresholds[scores.argmax()], len(thresholds)


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & M64

    def next(self):
        self.state = (self.state + GAMMA) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def sample(self, n, k):
        if k >= n:
            return list(range(n))
        moved, picked = {}, []
        for i in range(k):
            j = i + self.next() % (n - i)
            at_j, at_i = moved.get(j, j), moved.get(i, i)
            moved[j] = at_i
            picked.append(at_j)
        return picked


def disyre_sample(s, l, offsets, k, seed):
    rng = SplitMix64(seed)
    idx = []
    for v in range(len(offsets) - 1):
        start = offsets[v]
        idx += [start + i for i in rng.sample(offsets[v + 1] - start, k)]
    idx = np.array(idx, np.int64)
    return idx, s[idx], l[idx]


def linspace_best_dice(s, l, n_thresh=200):
    s64 = s.astype(np.float64)
    thresholds = np.linspace(float(s64.min()), float(s64.max()), n_thresh)
    best, best_t = -np.inf, thresholds[0]
    for t in thresholds:
        p = s64 > t
        d = 2 * np.sum(p & l) / (np.sum(p) + np.sum(l))
        if d > best:
            best, best_t = d, t
    return best, best_t


def quantize(s, bits):
    """Round each float32 down to the lowest float of its histogram bin (top `bits` bits of the order key)."""
    b = s.astype(np.float32).view(np.uint32).copy()
    b[s == 0] = 0
    neg = (b & np.uint32(0x80000000)) != 0
    key = np.where(neg, ~b, b | np.uint32(0x80000000)).astype(np.uint32)
    shift = np.uint32(32 - bits)
    key = (key >> shift) << shift
    neg = (key & np.uint32(0x80000000)) == 0
    back = np.where(neg, ~key, key & np.uint32(0x7FFFFFFF)).astype(np.uint32)
    return back.view(np.float32)


def image_fixture():
    """24 maps 8x8; even images get lesions (rate 0.15) with +0.5 signal; foreground = third stream < 0.8."""
    n, h, w = 24, 8, 8
    px = n * h * w
    u = stream(21, 0, px) >> np.uint64(40)
    v = stream(21, px, px) >> np.uint64(40)
    f = stream(21, 2 * px, px) >> np.uint64(40)
    maps = u.astype(np.float32) * np.float32(2.0 ** -24)
    even = (np.arange(px) // (h * w)) % 2 == 0
    masks = (v < np.uint64(int(0.15 * 2 ** 24))) & even
    maps = np.where(masks, maps + np.float32(0.5), maps).astype(np.float32)
    fg = f < np.uint64(int(0.8 * 2 ** 24))
    return maps.reshape(n, h, w), masks.reshape(n, h, w), fg.reshape(n, h, w)


def cs(x):
    if isinstance(x, (bool, np.bool_)):
        return "true" if x else "false"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return repr(float(x)).replace("inf", "double.PositiveInfinity")


def main():
    out = []
    w = out.append
    w("// <auto-generated> by tests/golden/make_metrics_golden.py (scikit-learn %s, numpy %s). Do not edit. </auto-generated>"
      % (sklearn.__version__, np.__version__))
    w("namespace MedAnomaly.Tests.Metrics;")
    w("")
    w("public static class MetricsGolden")
    w("{")
    w("    public sealed record SweepExpected(string Fixture, double Auroc, double Ap, double BestDice, double BestDiceThreshold, double Fpr95, "
      "double Threshold95, long DistinctPositive, long Tp05, long Fp05, long Tn05, long Fn05);")
    fx = fixtures()
    w("    public static readonly SweepExpected[] Sweeps =")
    w("    [")
    for name, (s, l) in fx.items():
        r = sweep(s, l)
        w("        new(\"%s\", %s)," % (name, ", ".join(cs(r[k]) for k in
          ["auroc", "ap", "best_dice", "best_thr", "fpr95", "thr95", "distinct_positive", "tp", "fp", "tn", "fn"])))
    w("    ];")
    w("")
    w("    public sealed record SensitivityExpected(string Fixture, double Sensitivity, double Threshold);")
    w("    /// <summary>tpr at the last fpr <= 0.05 of roc_curve(drop_intermediate=False), at the highest threshold reaching it.</summary>")
    w("    public static readonly SensitivityExpected[] SensitivityAt5Fpr =")
    w("    [")
    for name, (s, l) in fx.items():
        w("        new(\"%s\", %s, %s)," % ((name,) + tuple(cs(v) for v in sensitivity_at_5_fpr(s, l))))
    w("    ];")
    w("")
    w("    public sealed record ModeExpected(string Fixture, double Dice, double Threshold, long Tried);")
    w("    /// <summary>MedIAnomaly compute_best_dice re-implementation (200 thresholds at sorted[::n//200], pred = s > t).</summary>")
    w("    public static readonly ModeExpected[] MedIAnomaly =")
    w("    [")
    for name in ["heavy_ties", "mid", "large", "single_positive"]:
        s, l = fx[name]
        d, t, k = medianomaly_best_dice(s, l)
        w("        new(\"%s\", %s, %s, %d)," % (name, cs(d), cs(t), k))
    w("    ];")
    w("")
    # DISYRE: the large fixture split into 4 volumes of 50,000 pixels, 10,000 samples each, seed 42.
    s, l = fx["large"]
    offsets = [0, 50_000, 100_000, 150_000, 200_000]
    idx, ss, sl = disyre_sample(s, l, offsets, 10_000, 42)
    d, t = linspace_best_dice(ss, sl)
    w("    public static readonly long[] DisyreOffsets = [%s];" % ", ".join(map(str, offsets)))
    w("    public const ulong DisyreSeed = 42;")
    w("    public static readonly long[] DisyreFirstIndices = [%s];" % ", ".join(map(str, idx[:8])))
    w("    public const long DisyreIndexSum = %d;" % int(idx.sum()))
    w("    public const long DisyreSampledPositives = %d;" % int(sl.sum()))
    w("    public const double DisyreDice = %s, DisyreThreshold = %s;" % (cs(d), cs(t)))
    # A small-volume case: volumes smaller than k are taken whole.
    s2, l2 = fx["mid"]
    offs2 = [0, 500, 2500, 3000]
    idx2, ss2, sl2 = disyre_sample(s2, l2, offs2, 1000, 7)
    d2, t2 = linspace_best_dice(ss2, sl2)
    w("    public static readonly long[] DisyreSmallOffsets = [%s];" % ", ".join(map(str, offs2)))
    w("    public const long DisyreSmallIndexSum = %d;" % int(idx2.sum()))
    w("    public const double DisyreSmallDice = %s, DisyreSmallThreshold = %s;" % (cs(d2), cs(t2)))
    w("")
    # Streaming: estimates = exact metrics on scores rounded down to their bin (12 bits: coarse, many bin ties).
    w("    public sealed record StreamingExpected(string Fixture, int Bits, double Auroc, double Ap, double BestDice, double Fpr95);")
    w("    public static readonly StreamingExpected[] Streaming =")
    w("    [")
    for name in ["heavy_ties", "mid", "large"]:
        for bits in [12, 16]:
            s, l = fx[name]
            r = sweep(quantize(s, bits), l)
            w("        new(\"%s\", %d, %s, %s, %s, %s)," % (name, bits, cs(r["auroc"]), cs(r["ap"]), cs(r["best_dice"]), cs(r["fpr95"])))
    w("    ];")
    w("")
    # Image-level and dataset-level on the image fixture.
    maps, masks, fg = image_fixture()
    n = maps.shape[0]
    labels = masks.reshape(n, -1).any(1)
    flat = maps.reshape(n, -1).astype(np.float64)
    scorings = {"mean": flat.mean(1), "max": flat.max(1), "top5": np.sort(flat, 1)[:, -5:].mean(1)}
    w("    public sealed record ImageExpected(string Scoring, double Score0, double Score1, double Score7, double Auroc, double Ap, double BestF1, double BestF1Threshold);")
    w("    public static readonly ImageExpected[] Images =")
    w("    [")
    for key, sc in scorings.items():
        fps, tps, thr = _binary_clf_curve(labels, sc)
        f1 = 2 * tps / (tps + fps + tps[-1]); b = int(np.argmax(f1))
        w("        new(\"%s\", %s, %s, %s, %s, %s, %s, %s)," % (key, cs(sc[0]), cs(sc[1]), cs(sc[7]), cs(roc_auc_score(labels, sc)),
                                                        cs(average_precision_score(labels, sc)), cs(f1[b]), cs(thr[b])))
    w("    ];")
    # Pixel level pooled (no foreground / foreground) and per volume (volume id = image // 6).
    vol = np.arange(n) // 6
    def pixel(use_fg):
        keep = fg if use_fg else np.ones_like(fg)
        pooled = sweep(maps[keep], masks[keep])
        per = []
        for v in range(4):
            m, k = maps[vol == v], masks[vol == v]
            kk = keep[vol == v]
            per.append(sweep(m[kk], k[kk]))
        a = np.array([[p["auroc"], p["ap"], p["best_dice"]] for p in per])
        return pooled, a.mean(0), a.std(0)
    w("    public sealed record PixelExpected(bool Foreground, double Auroc, double Ap, double BestDice, double BestDiceThreshold, double Fpr95,")
    w("        double AurocMean, double AurocStd, double ApMean, double ApStd, double DiceMean, double DiceStd);")
    w("    public static readonly PixelExpected[] Pixels =")
    w("    [")
    for use_fg in [False, True]:
        p, mean, std = pixel(use_fg)
        w("        new(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)," % (cs(use_fg), cs(p["auroc"]), cs(p["ap"]), cs(p["best_dice"]), cs(p["best_thr"]),
          cs(p["fpr95"]), cs(mean[0]), cs(std[0]), cs(mean[1]), cs(std[1]), cs(mean[2]), cs(std[2])))
    w("    ];")
    # Post-processing: first 2 maps of the image fixture, median 3x3 and components of (map > 0.6) below 3 px.
    pm = maps[:2]
    med = ndi.median_filter(pm, size=(1, 3, 3), mode="reflect")
    w("    public static readonly float[] Median3 = [%s];" % ", ".join(repr(float(x)) + "f" for x in med.ravel()))
    med5 = ndi.median_filter(pm, size=(1, 5, 5), mode="reflect")
    w("    public static readonly float[] Median5 = [%s];" % ", ".join(repr(float(x)) + "f" for x in med5.ravel()))
    binary = pm > 0.6
    def drop(b, min_size, structure):
        out = b.copy()
        for i in range(b.shape[0]):
            lab, k = ndi.label(b[i], structure=structure)
            sizes = np.bincount(lab.ravel())
            small = np.isin(lab, [c for c in range(1, k + 1) if sizes[c] < min_size])
            out[i][small] = False
        return out
    cc8 = drop(binary, 3, np.ones((3, 3), int))
    cc4 = drop(binary, 3, ndi.generate_binary_structure(2, 1))
    w("    public const string Binary06 = \"%s\";" % "".join("1" if x else "0" for x in binary.ravel()))
    w("    public const string Components8Min3 = \"%s\";" % "".join("1" if x else "0" for x in cc8.ravel()))
    w("    public const string Components4Min3 = \"%s\";" % "".join("1" if x else "0" for x in cc4.ravel()))
    w("}")
    path = os.path.join(os.path.dirname(__file__), "..", "MedAnomaly.Tests", "Metrics", "MetricsGolden.g.cs")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write("\n".join(out) + "\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
