namespace MedAnomaly.Torch.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay —
/// PyTorch 1.13's <c>torch/optim/sgd.py</c>, <c>_single_tensor_sgd</c>:
/// <code>
/// d_p = grad (+ weight_decay·param)
/// buf = clone(d_p) on the first step, else buf·momentum + (1 − dampening)·d_p
/// d_p = d_p + momentum·buf (nesterov) or buf
/// param −= lr·d_p
/// </code>
/// </summary>
public sealed class SGD : Optimizer
{
    public SGD(IEnumerable<ParamGroup> paramGroups, double lr, double momentum = 0, double dampening = 0,
        double weight_decay = 0, bool nesterov = false, bool maximize = false)
        : base(paramGroups, lr, weight_decay)
    {
        if (!(momentum >= 0)) throw new ArgumentException($"invalid momentum {momentum}: expected >= 0", nameof(momentum));
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening", nameof(nesterov));
        this.momentum = momentum;
        this.dampening = dampening;
        this.nesterov = nesterov;
        this.maximize = maximize;
    }

    public SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0,
        double weight_decay = 0, bool nesterov = false, bool maximize = false)
        : this(SingleGroup(parameters), lr, momentum, dampening, weight_decay, nesterov, maximize) { }

    public double momentum { get; }
    public double dampening { get; }
    public bool nesterov { get; }
    public bool maximize { get; }

    protected override void Update(Tensor param, Tensor grad, ParamState state, ParamGroup group)
    {
        var d_p = maximize ? grad.neg() : grad;
        if (group.weight_decay != 0) d_p = d_p.add(param, alpha: group.weight_decay);
        if (momentum != 0)
        {
            var buf = state.Get("momentum_buffer");
            if (buf is null) state.Set("momentum_buffer", buf = d_p.clone().detach());
            else buf.mul_(momentum).add_(d_p, alpha: 1 - dampening);
            d_p = nesterov ? d_p.add(buf, alpha: momentum) : buf;
        }
        param.add_(d_p, alpha: -group.lr);
    }
}
