namespace MedAnomaly.Torch.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba 2015, Algorithm 1) exactly as PyTorch 1.13's <c>torch/optim/adam.py</c>,
/// <c>_single_tensor_adam</c> (not capturable): with t the step count,
/// <code>
/// g = grad (+ weight_decay·param: L2 penalty folded into the gradient)
/// m = β1·m + (1 − β1)·g;   v = β2·v + (1 − β2)·g²;   (amsgrad: v̂max = max(v̂max, v), used instead of v)
/// denom = sqrt(v) / sqrt(1 − β2^t) + eps          (eps outside the square root)
/// param −= lr / (1 − β1^t) · m / denom
/// </code>
/// <see cref="AdamW"/> differs only in the weight decay.
/// </summary>
public class Adam : Optimizer
{
    public Adam(IEnumerable<ParamGroup> paramGroups, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
        double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        : base(paramGroups, lr, weight_decay)
    {
        var (beta1, beta2) = betas ?? (0.9, 0.999);
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentException($"invalid beta1 {beta1}: expected in [0, 1)", nameof(betas));
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentException($"invalid beta2 {beta2}: expected in [0, 1)", nameof(betas));
        if (!(eps >= 0)) throw new ArgumentException($"invalid eps {eps}: expected >= 0", nameof(eps));
        this.betas = (beta1, beta2);
        this.eps = eps;
        this.amsgrad = amsgrad;
        this.maximize = maximize;
    }

    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
        double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        : this(SingleGroup(parameters), lr, betas, eps, weight_decay, amsgrad, maximize) { }

    public (double beta1, double beta2) betas { get; }
    public double eps { get; }
    public bool amsgrad { get; }
    public bool maximize { get; }

    /// <summary>Adam's L2 penalty: returns grad + weight_decay·param (AdamW overrides this).</summary>
    protected virtual Tensor ApplyWeightDecay(Tensor param, Tensor grad, ParamGroup group) =>
        group.weight_decay != 0 ? grad.add(param, alpha: group.weight_decay) : grad;

    protected override void Update(Tensor param, Tensor grad, ParamState state, ParamGroup group)
    {
        var (beta1, beta2) = betas;
        if (maximize) grad = grad.neg();
        var exp_avg = state.GetOrCreate("exp_avg", () => torch.zeros_like(param));
        var exp_avg_sq = state.GetOrCreate("exp_avg_sq", () => torch.zeros_like(param));
        grad = ApplyWeightDecay(param, grad, group);

        exp_avg.mul_(beta1).add_(grad, alpha: 1 - beta1);
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value: 1 - beta2);

        double step = state.Step;
        double bias_correction1 = 1 - Math.Pow(beta1, step);
        double bias_correction2 = 1 - Math.Pow(beta2, step);
        double step_size = group.lr / bias_correction1;
        double bias_correction2_sqrt = Math.Sqrt(bias_correction2);

        var second = exp_avg_sq;
        if (amsgrad)
        {
            var max_exp_avg_sq = state.GetOrCreate("max_exp_avg_sq", () => torch.zeros_like(param));
            max_exp_avg_sq.copy_(max_exp_avg_sq.maximum(exp_avg_sq));
            second = max_exp_avg_sq;
        }
        var denom = (second.sqrt() / bias_correction2_sqrt).add_(eps);
        param.addcdiv_(exp_avg, denom, value: -step_size);
    }
}
