namespace MedAnomaly.Torch.Optim;

/// <summary>
/// Cosine annealing (Loshchilov &amp; Hutter 2017, SGDR eq. 5, without restarts) — the closed form of PyTorch's
/// <c>CosineAnnealingLR._get_closed_form_lr</c>:
/// lr(step) = eta_min + (base_lr − eta_min) · (1 + cos(π · step / T_max)) / 2.
/// (PyTorch's step() uses an equivalent recursive form; the two agree to rounding.)
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    public CosineAnnealingLR(Optimizer optimizer, int T_max, double eta_min = 0) : base(optimizer)
    {
        if (T_max <= 0) throw new ArgumentOutOfRangeException(nameof(T_max), T_max, "T_max must be > 0");
        this.T_max = T_max;
        this.eta_min = eta_min;
        Initialize();
    }

    public int T_max { get; }
    public double eta_min { get; }

    protected override double LearningRate(double baseLr, int step) =>
        eta_min + (baseLr - eta_min) * (1 + Math.Cos(Math.PI * step / T_max)) / 2;
}
