namespace MedAnomaly.Torch.Optim;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization") exactly as PyTorch 1.13's
/// <c>torch/optim/adamw.py</c>, <c>_single_tensor_adamw</c>: the parameter first shrinks by
/// <c>param ·= 1 − lr·weight_decay</c>, then takes the plain <see cref="Adam"/> step (no L2 term in the moments).
/// Defaults as PyTorch: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2.
/// </summary>
public sealed class AdamW : Adam
{
    public AdamW(IEnumerable<ParamGroup> paramGroups, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
        double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false)
        : base(paramGroups, lr, betas, eps, weight_decay, amsgrad, maximize) { }

    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
        double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false)
        : this(SingleGroup(parameters), lr, betas, eps, weight_decay, amsgrad, maximize) { }

    /// <summary>Decoupled decay: shrinks the parameter in place and leaves the gradient alone.</summary>
    protected override Tensor ApplyWeightDecay(Tensor param, Tensor grad, ParamGroup group)
    {
        if (group.weight_decay != 0) param.mul_(1 - group.lr * group.weight_decay);
        return grad;
    }
}
