#pragma warning disable CS8981 // lower-case type names mirror PyTorch (torch.optim, torch.nn.utils)
namespace MedAnomaly.Torch;

public static partial class torch
{
    public static partial class nn
    {
        public static partial class utils
        {
            /// <summary>
            /// Rescales the gradients so that their joint norm is at most <paramref name="max_norm"/>, as PyTorch 1.13's
            /// <c>torch.nn.utils.clip_grad_norm_</c>: total = ‖(‖g₁‖ₚ, …, ‖gₙ‖ₚ)‖ₚ (for p = ∞ the largest |g|),
            /// coef = max_norm / (total + 1e-6), every gradient multiplied by min(coef, 1). Parameters without a
            /// gradient are ignored. Returns the total norm before clipping (0 when no parameter has a gradient).
            /// </summary>
            public static double clip_grad_norm_(IEnumerable<Tensor> parameters, double max_norm, double norm_type = 2)
            {
                if (double.IsNaN(max_norm) || max_norm < 0) throw new ArgumentException($"max_norm must be >= 0, got {max_norm}", nameof(max_norm));
                if (!(norm_type > 0)) throw new ArgumentException($"norm_type must be > 0 (or infinity), got {norm_type}", nameof(norm_type));
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var grads = parameters.Select(p => p.grad).OfType<Tensor>().ToList();
                if (grads.Count == 0) return 0;
                var device = grads[0].device;
                Tensor total;
                if (double.IsPositiveInfinity(norm_type))
                {
                    var norms = grads.Select(g => g.abs().max().to(device)).ToList();
                    total = norms.Count == 1 ? norms[0] : stack(norms).max();
                }
                else
                    total = stack(grads.Select(g => g.norm(norm_type).to(device)).ToList()).norm(norm_type);
                var clipCoef = (max_norm / (total + 1e-6)).clamp(max: 1.0);
                foreach (var g in grads) g.mul_(clipCoef.to(g.device));
                return total.item<double>();
            }

            /// <summary>Clamps every gradient element to [−clip_value, clip_value] (torch.nn.utils.clip_grad_value_).</summary>
            public static void clip_grad_value_(IEnumerable<Tensor> parameters, double clip_value)
            {
                if (!(clip_value >= 0)) throw new ArgumentException($"clip_value must be >= 0, got {clip_value}", nameof(clip_value));
                using var scope = NewDisposeScope();
                foreach (var p in parameters)
                    p.grad?.clamp_(-clip_value, clip_value);
            }
        }
    }
}
