#pragma warning disable CS8981 // lower-case type names mirror PyTorch (torch.optim, torch.nn.utils)
namespace MedAnomaly.Torch;

public static partial class torch
{
    public static partial class optim
    {
        /// <summary>PyTorch/transformers-named factories for the schedules in <see cref="MedAnomaly.Torch.Optim"/>.</summary>
        public static class lr_scheduler
        {
            public static Optim.LambdaLR LambdaLR(Optim.Optimizer optimizer, Func<int, double> lr_lambda) => new(optimizer, lr_lambda);

            public static Optim.CosineAnnealingLR CosineAnnealingLR(Optim.Optimizer optimizer, int T_max, double eta_min = 0) =>
                new(optimizer, T_max, eta_min);

            /// <summary>transformers' get_constant_schedule_with_warmup.</summary>
            public static Optim.LinearWarmupLR get_constant_schedule_with_warmup(Optim.Optimizer optimizer, int num_warmup_steps) =>
                new(optimizer, num_warmup_steps);

            /// <summary>transformers' get_cosine_schedule_with_warmup.</summary>
            public static Optim.CosineWithWarmupLR get_cosine_schedule_with_warmup(Optim.Optimizer optimizer, int num_warmup_steps,
                int num_training_steps, double num_cycles = 0.5) => new(optimizer, num_warmup_steps, num_training_steps, num_cycles);
        }
    }
}
