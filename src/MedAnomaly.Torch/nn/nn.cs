using MedAnomaly.Torch.Modules;

namespace MedAnomaly.Torch;

public static partial class torch
{
    /// <summary>Layer factories with PyTorch's names and defaults (classes live in MedAnomaly.Torch.Modules).</summary>
    public static partial class nn
    {
        public static Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0,
            long dilation = 1, long groups = 1, bool bias = true) =>
            new(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias);
        public static ConvTranspose2d ConvTranspose2d(long in_channels, long out_channels, long kernel_size, long stride = 1,
            long padding = 0, long output_padding = 0, long groups = 1, bool bias = true, long dilation = 1) =>
            new(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation);
        public static Linear Linear(long in_features, long out_features, bool bias = true) => new(in_features, out_features, bias);
        public static GroupNorm GroupNorm(long num_groups, long num_channels, double eps = 1e-5, bool affine = true) =>
            new(num_groups, num_channels, eps, affine);
        public static LayerNorm LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true) =>
            new(normalized_shape, eps, elementwise_affine);
        public static BatchNorm2d BatchNorm2d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = true,
            bool track_running_stats = true) => new(num_features, eps, momentum, affine, track_running_stats);
        public static Dropout Dropout(double p = 0.5) => new(p);
        public static Identity Identity() => new();
        public static Activation SiLU() => new("SiLU", functional.silu);
        public static Activation ReLU() => new("ReLU", functional.relu);
        public static Activation GELU() => new("GELU", functional.gelu);
        public static Activation Sigmoid() => new("Sigmoid", functional.sigmoid);
        public static Activation Tanh() => new("Tanh", functional.tanh);
        public static Sequential Sequential(params Module<Tensor, Tensor>[] modules) => new(modules);
        public static ModuleList<T> ModuleList<T>(params T[] modules) where T : Module => new(modules);
    }
}
