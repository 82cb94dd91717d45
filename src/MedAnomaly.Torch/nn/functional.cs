using static MedAnomaly.Torch.Native.NativeMethods;

namespace MedAnomaly.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Stateless operations, as <c>torch.nn.functional</c> (F).</summary>
        public static class functional
        {
            /// <summary>Loss reduction, as PyTorch's reduction='none' | 'mean' | 'sum'.</summary>
            public enum Reduction { None = 0, Mean = 1, Sum = 2 }
            public enum PaddingMode { Constant = 0, Reflect = 1, Replicate = 2 }
            public enum InterpolateMode { Nearest, Bilinear, Area }

            static readonly Native.TensorHandle None = Tensor.NullHandle;
            static Native.TensorHandle Opt(Tensor? t) => t?.H ?? None;
            static long[] Pair(long v) => [v, v];

            // ---- convolutions and linear ----
            /// <summary>2-D convolution. input [N,Cin,H,W], weight [Cout,Cin/groups,kH,kW], bias [Cout].</summary>
            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0,
                long dilation = 1, long groups = 1) =>
                conv2d(input, weight, bias, Pair(stride), Pair(padding), Pair(dilation), groups);
            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups = 1) =>
                Tensor.Wrap(mat_conv2d(input.H, weight.H, Opt(bias), stride, padding, dilation, groups));

            /// <summary>Transposed 2-D convolution. weight [Cin, Cout/groups, kH, kW].</summary>
            public static Tensor conv_transpose2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0,
                long output_padding = 0, long groups = 1, long dilation = 1) =>
                Tensor.Wrap(mat_conv_transpose2d(input.H, weight.H, Opt(bias), Pair(stride), Pair(padding), Pair(output_padding),
                    Pair(dilation), groups));

            /// <summary>y = x Wᵀ + b. weight [out, in].</summary>
            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null) =>
                Tensor.Wrap(mat_linear(input.H, weight.H, Opt(bias)));

            // ---- normalisation ----
            /// <summary>Group normalisation (Wu & He 2018) over [N,C,...] with C split into groups.</summary>
            public static Tensor group_norm(Tensor input, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
                Tensor.Wrap(mat_group_norm(input.H, num_groups, Opt(weight), Opt(bias), eps));
            public static Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
                Tensor.Wrap(mat_layer_norm(input.H, normalized_shape, normalized_shape.Length, Opt(weight), Opt(bias), eps));
            /// <summary>Batch normalisation; in training mode updates running_mean/var in place.</summary>
            public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null,
                Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5) =>
                Tensor.Wrap(mat_batch_norm(input.H, Opt(weight), Opt(bias), Opt(running_mean), Opt(running_var),
                    training ? 1 : 0, momentum, eps));
            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true) =>
                Tensor.Wrap(mat_dropout(input.H, p, training ? 1 : 0));

            // ---- activations ----
            public static Tensor relu(Tensor x) => x.relu();
            public static Tensor silu(Tensor x) => Tensor.Wrap(mat_silu(x.H));
            /// <summary>GELU with the exact erf form (approximate='none').</summary>
            public static Tensor gelu(Tensor x) => Tensor.Wrap(mat_gelu(x.H));
            public static Tensor leaky_relu(Tensor x, double negative_slope = 0.01) =>
                Tensor.Wrap(mat_leaky_relu(x.H, negative_slope, 0, 0));
            public static Tensor sigmoid(Tensor x) => x.sigmoid();
            public static Tensor tanh(Tensor x) => x.tanh();
            public static Tensor softmax(Tensor x, long dim) => Tensor.Wrap(mat_softmax(x.H, dim));
            public static Tensor log_softmax(Tensor x, long dim) => Tensor.Wrap(mat_log_softmax(x.H, dim));

            // ---- resampling, pooling, padding ----
            /// <summary>
            /// Resizes [N,C,H,W] to `size` or by `scale_factor`, as F.interpolate (align_corners=False for
            /// bilinear unless set; 'area' is adaptive average pooling).
            /// </summary>
            public static Tensor interpolate(Tensor input, long[]? size = null, double? scale_factor = null,
                InterpolateMode mode = InterpolateMode.Nearest, bool align_corners = false)
            {
                if (input.ndim != 4) throw new ArgumentException($"interpolate expects a 4-D [N,C,H,W] input, got [{string.Join(", ", input.shape)}]");
                if ((size == null) == (scale_factor == null)) throw new ArgumentException("interpolate: give exactly one of size and scale_factor");
                long h = input.size(2), w = input.size(3);
                long outH = size?[0] ?? (long)Math.Floor(h * scale_factor!.Value);
                long outW = size?[1] ?? (long)Math.Floor(w * scale_factor!.Value);
                double scale = scale_factor ?? -1;
                return mode switch
                {
                    InterpolateMode.Nearest => Tensor.Wrap(mat_upsample_nearest2d(input.H, outH, outW, scale, scale)),
                    InterpolateMode.Bilinear => Tensor.Wrap(mat_upsample_bilinear2d(input.H, outH, outW, align_corners ? 1 : 0,
                        align_corners ? -1 : scale, align_corners ? -1 : scale)),
                    InterpolateMode.Area => Tensor.Wrap(mat_adaptive_avg_pool2d(input.H, outH, outW)),
                    _ => throw new ArgumentOutOfRangeException(nameof(mode)),
                };
            }
            public static Tensor adaptive_avg_pool2d(Tensor input, long outH, long outW) =>
                Tensor.Wrap(mat_adaptive_avg_pool2d(input.H, outH, outW));
            public static Tensor avg_pool2d(Tensor input, long kernel_size, long? stride = null, long padding = 0,
                bool ceil_mode = false, bool count_include_pad = true) =>
                Tensor.Wrap(mat_avg_pool2d(input.H, Pair(kernel_size), Pair(stride ?? kernel_size), Pair(padding), ceil_mode ? 1 : 0,
                    count_include_pad ? 1 : 0));
            public static Tensor max_pool2d(Tensor input, long kernel_size, long? stride = null, long padding = 0, long dilation = 1,
                bool ceil_mode = false) =>
                Tensor.Wrap(mat_max_pool2d(input.H, Pair(kernel_size), Pair(stride ?? kernel_size), Pair(padding), Pair(dilation),
                    ceil_mode ? 1 : 0));
            /// <summary>Pads the last dims: pad = (left, right[, top, bottom, ...]) as F.pad.</summary>
            public static Tensor pad(Tensor input, long[] pad, PaddingMode mode = PaddingMode.Constant, double value = 0) =>
                Tensor.Wrap(mat_pad(input.H, pad, pad.Length, (int)mode, value));

            // ---- attention ----
            /// <summary>
            /// softmax(Q Kᵀ / √d + mask) V (Vaswani et al. 2017, eq. 1). q [..., L, d], k/v [..., S, d];
            /// mask: bool (true = keep) or additive float, broadcastable to [..., L, S].
            /// </summary>
            public static Tensor scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, Tensor? attn_mask = null,
                double dropout_p = 0, bool is_causal = false) =>
                Tensor.Wrap(mat_scaled_dot_product_attention(query.H, key.H, value.H, Opt(attn_mask), dropout_p, is_causal ? 1 : 0));

            // ---- losses ----
            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(mat_mse_loss(input.H, target.H, (int)reduction));
            public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(mat_l1_loss(input.H, target.H, (int)reduction));
            public static Tensor smooth_l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0) =>
                Tensor.Wrap(mat_smooth_l1_loss(input.H, target.H, (int)reduction, beta));
            public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null,
                Tensor? pos_weight = null, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(mat_bce_with_logits(input.H, target.H, Opt(weight), Opt(pos_weight), (int)reduction));
        }
    }
}
