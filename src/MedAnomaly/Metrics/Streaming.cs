namespace MedAnomaly.Metrics;

/// <summary>An estimate with a guaranteed interval: the exact value (what <see cref="ThresholdSweep"/> would give on
/// all the data) lies in [Low, High].</summary>
public readonly record struct BoundedValue(double Estimate, double Low, double High)
{
    /// <summary>Largest possible |estimate − exact|.</summary>
    public double MaxError => Math.Max(Estimate - Low, High - Estimate);
}

/// <summary>Streaming metrics result. Estimates equal the exact metrics of the scores rounded down to their bin's
/// lowest value (bins act as ties); intervals bound the exact metrics of the unrounded scores.</summary>
public sealed record StreamingResult(long Positives, long Negatives, int Bits, double RelativeBinWidth,
                                     BoundedValue Auroc, BoundedValue AveragePrecision, BoundedValue BestDice, BoundedValue FprAt95Tpr)
{
    /// <summary>One line per metric: estimate, guaranteed interval and maximum error, plus the histogram used.</summary>
    public string ToText()
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        string Line(string name, BoundedValue v) =>
            string.Format(ci, "  {0,-16} {1:F6}  exact value in [{2:F6}, {3:F6}], error <= {4:E2}\n", name, v.Estimate, v.Low, v.High, v.MaxError);
        return string.Format(ci, "streaming histogram: {0} bits (bins of relative width {1:E1}); {2} positive, {3} negative\n", Bits, RelativeBinWidth, Positives, Negatives)
             + Line("AUROC", Auroc) + Line("AP", AveragePrecision) + Line("best Dice", BestDice) + Line("FPR at 95% TPR", FprAt95Tpr);
    }
}

/// <summary>Streaming AUROC / AP / best Dice / FPR@95%TPR for data that does not fit in memory: every batch adds
/// to two histograms (positives, negatives) over the top <c>bits</c> bits of the order-preserving float key, i.e.
/// bins of relative width 2^-(bits−9) over the whole float range, no range needed up front.
/// Memory: 2·2^bits longs (16 MiB at the default 20 bits); time O(n) per batch + O(2^bits) at the end.
/// Error bounds (all exact, derived from the per-bin counts pᵦ, nᵦ and TP a, FP c above the bin):
/// AUROC ± Σ pᵦnᵦ / (2PN); AP ∈ [Σ worst in-bin order, Σ pᵦ(a+pᵦ)/(a+pᵦ+c)]/P; best Dice ∈ [best at bin edges,
/// max 2(a+pᵦ)/(a+pᵦ+c+P)]; FPR@95 ∈ [c, c+nᵦ]/N in the crossing bin.</summary>
public sealed class StreamingMetrics
{
    readonly long[] _pos, _neg;
    readonly int _shift;

    /// <param name="bits">Histogram bits, 12…24 (default 20: bins 2^-11 ≈ 0.05 % relative width).</param>
    public StreamingMetrics(int bits = 20)
    {
        if (bits is < 12 or > 24) throw new ArgumentException($"histogram bits must be in 12..24, got {bits}", nameof(bits));
        Bits = bits; _shift = 32 - bits;
        _pos = new long[1 << bits]; _neg = new long[1 << bits];
    }

    public int Bits { get; }

    /// <summary>Adds a batch of scores [n] and labels [n].</summary>
    public void Add(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels)
    {
        MetricInputs.CheckSameLength(scores.Length, labels.Length);
        MetricInputs.CheckFinite(scores);
        for (int i = 0; i < scores.Length; i++)
        {
            uint bin = SortKeys.FromFloat(scores[i]) >> _shift;
            if (labels[i]) _pos[bin]++; else _neg[bin]++;
        }
    }

    /// <summary>The score a value is rounded to: the lowest float of its bin.</summary>
    public float BinFloor(float score) => SortKeys.ToFloat(SortKeys.FromFloat(score) >> _shift << _shift);

    /// <summary>Metrics and their bounds over everything added so far.</summary>
    public StreamingResult Result(OneClassPolicy policy = OneClassPolicy.Throw)
    {
        long P = 0, N = 0;
        for (int b = 0; b < _pos.Length; b++) { P += _pos[b]; N += _neg[b]; }
        double width = Math.Pow(2, -(Bits - 9));
        if (!MetricInputs.CheckBothClasses(P, N, policy))
        {
            var nan = new BoundedValue(double.NaN, double.NaN, double.NaN);
            return new StreamingResult(P, N, Bits, width, nan, nan, nan, nan);
        }
        double tp = 0, fp = 0, twiceArea = 0, tieArea = 0, ap = 0, apLow = 0, apHigh = 0, dice = 0, diceHigh = 0;
        BoundedValue fpr95 = default; bool found95 = false;
        for (int b = _pos.Length - 1; b >= 0; b--)
        {
            double p = _pos[b], n = _neg[b];
            if (p == 0 && n == 0) continue;
            twiceArea += n * (2 * tp + p);
            tieArea += p * n;
            if (p > 0)
            {
                ap += p * (tp + p) / (tp + p + fp + n);
                apHigh += p * (tp + p) / (tp + p + fp);
                apLow += WorstOrderPrecisionSum(tp, fp + n, (long)p);
                dice = Math.Max(dice, 2 * (tp + p) / (tp + p + fp + n + P));
                diceHigh = Math.Max(diceHigh, 2 * (tp + p) / (tp + p + fp + P));
            }
            if (!found95 && (tp + p) / P >= 0.95) { fpr95 = new BoundedValue((fp + n) / N, fp / N, (fp + n) / N); found95 = true; }
            tp += p; fp += n;
        }
        double auroc = twiceArea / (2.0 * P * N), aurocError = tieArea / (2.0 * P * N);
        return new StreamingResult(P, N, Bits, width,
            new BoundedValue(auroc, auroc - aurocError, auroc + aurocError),
            new BoundedValue(ap / P, apLow / P, apHigh / P),
            new BoundedValue(dice, dice, diceHigh),
            fpr95);
    }

    /// <summary>Σ_{k=1..p} (a+k)/(a+k+m): the precisions of p positives ranked after all m other predictions of the
    /// bin. Exact for p ≤ 64; above that the lower bound ∫₀ᵖ (a+x)/(a+x+m) dx = p − m·ln((a+p+m)/(a+m)).</summary>
    static double WorstOrderPrecisionSum(double a, double m, long p)
    {
        if (p > 64) return p - (m == 0 ? 0 : m * Math.Log((a + p + m) / (a + m)));
        double s = 0;
        for (long k = 1; k <= p; k++) s += (a + k) / (a + k + m);
        return s;
    }
}
