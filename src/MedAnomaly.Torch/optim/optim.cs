#pragma warning disable CS8981 // lower-case type names mirror PyTorch (torch.optim, torch.nn.utils)
namespace MedAnomaly.Torch;

public static partial class torch
{
    /// <summary>
    /// PyTorch-named factories for the optimizers in <see cref="MedAnomaly.Torch.Optim"/>:
    /// <c>var opt = torch.optim.AdamW(model.parameters(), lr: 1e-4, betas: (0.95, 0.999), weight_decay: 1e-6);</c>
    /// </summary>
    public static partial class optim
    {
        public static Optim.SGD SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0,
            double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
            new(parameters, lr, momentum, dampening, weight_decay, nesterov, maximize);

        public static Optim.SGD SGD(IEnumerable<Optim.ParamGroup> param_groups, double lr, double momentum = 0, double dampening = 0,
            double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
            new(param_groups, lr, momentum, dampening, weight_decay, nesterov, maximize);

        public static Optim.Adam Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null,
            double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
            new(parameters, lr, betas, eps, weight_decay, amsgrad, maximize);

        public static Optim.Adam Adam(IEnumerable<Optim.ParamGroup> param_groups, double lr = 1e-3, (double, double)? betas = null,
            double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
            new(param_groups, lr, betas, eps, weight_decay, amsgrad, maximize);

        public static Optim.AdamW AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null,
            double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false) =>
            new(parameters, lr, betas, eps, weight_decay, amsgrad, maximize);

        public static Optim.AdamW AdamW(IEnumerable<Optim.ParamGroup> param_groups, double lr = 1e-3, (double, double)? betas = null,
            double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false) =>
            new(param_groups, lr, betas, eps, weight_decay, amsgrad, maximize);
    }
}
