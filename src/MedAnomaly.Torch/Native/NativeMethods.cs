using System.Runtime.InteropServices;
using TH = MedAnomaly.Torch.Native.TensorHandle;
using GH = MedAnomaly.Torch.Native.GeneratorHandle;

namespace MedAnomaly.Torch.Native;

/// <summary>
/// P/Invoke declarations for the C shim (src/MedAnomaly.Native). Functions returning a handle return
/// IntPtr.Zero on failure; status functions return -1; the message is then in mat_last_error().
/// Scalars travel as (double d, long i, int kind) with kind 0 floating, 1 integral, 2 boolean.
/// </summary>
internal static class NativeMethods
{
    const string Lib = NativeLibraryLoader.LibraryName;

    // errors and accounting
    [DllImport(Lib)] internal static extern IntPtr mat_last_error();
    [DllImport(Lib)] internal static extern void mat_clear_error();
    [DllImport(Lib)] internal static extern long mat_live_tensors();
    [DllImport(Lib)] internal static extern void mat_free_string(IntPtr s);

    // lifecycle and metadata
    [DllImport(Lib)] internal static extern void mat_free(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr mat_alias(TH t);
    [DllImport(Lib)] internal static extern int mat_dim(TH t);
    [DllImport(Lib)] internal static extern long mat_numel(TH t);
    [DllImport(Lib)] internal static extern void mat_shape(TH t, long[] shape);
    [DllImport(Lib)] internal static extern void mat_strides(TH t, long[] strides);
    [DllImport(Lib)] internal static extern int mat_dtype(TH t);
    [DllImport(Lib)] internal static extern int mat_device_type(TH t);
    [DllImport(Lib)] internal static extern int mat_device_index(TH t);
    [DllImport(Lib)] internal static extern int mat_is_contiguous(TH t);
    [DllImport(Lib)] internal static extern int mat_requires_grad(TH t);
    [DllImport(Lib)] internal static extern int mat_set_requires_grad(TH t, int value);
    [DllImport(Lib)] internal static extern int mat_is_leaf(TH t);
    [DllImport(Lib)] internal static extern long mat_element_size(TH t);

    // creation
    [DllImport(Lib)] internal static extern IntPtr mat_empty(long[] shape, int ndim, int dtype, int dev, int idx, int rg);
    [DllImport(Lib)] internal static extern IntPtr mat_zeros(long[] shape, int ndim, int dtype, int dev, int idx, int rg);
    [DllImport(Lib)] internal static extern IntPtr mat_ones(long[] shape, int ndim, int dtype, int dev, int idx, int rg);
    [DllImport(Lib)] internal static extern IntPtr mat_full(long[] shape, int ndim, double d, long i, int kind, int dtype, int dev, int idx, int rg);
    [DllImport(Lib)] internal static extern IntPtr mat_arange(double start, double end, double step, int dtype, int dev, int idx, int rg);
    [DllImport(Lib)] internal static extern IntPtr mat_linspace(double start, double end, long steps, int dtype, int dev, int idx, int rg);
    [DllImport(Lib)] internal static extern IntPtr mat_rand(long[] shape, int ndim, GH g, int dtype, int dev, int idx, int rg);
    [DllImport(Lib)] internal static extern IntPtr mat_randn(long[] shape, int ndim, GH g, int dtype, int dev, int idx, int rg);
    [DllImport(Lib)] internal static extern IntPtr mat_randint(long low, long high, long[] shape, int ndim, GH g, int dtype, int dev, int idx);
    [DllImport(Lib)] internal static extern IntPtr mat_randperm(long n, GH g, int dev, int idx);
    [DllImport(Lib)] internal static extern int mat_uniform_(TH t, double from, double to, GH g);
    [DllImport(Lib)] internal static extern int mat_normal_(TH t, double mean, double std, GH g);
    [DllImport(Lib)] internal static extern IntPtr mat_bernoulli(TH p, GH g);

    // data
    [DllImport(Lib)] internal static extern unsafe IntPtr mat_from_buffer(void* data, long[] shape, int ndim, int dtype);
    [DllImport(Lib)] internal static extern unsafe IntPtr mat_from_blob(void* data, long[] shape, int ndim, int dtype,
        delegate* unmanaged<IntPtr, void> release, IntPtr context);
    [DllImport(Lib)] internal static extern IntPtr mat_data_ptr(TH t);
    [DllImport(Lib)] internal static extern int mat_item_double(TH t, out double value);
    [DllImport(Lib)] internal static extern int mat_item_long(TH t, out long value);
    [DllImport(Lib)] internal static extern IntPtr mat_to_string(TH t);

    // conversion
    [DllImport(Lib)] internal static extern IntPtr mat_to(TH t, int dtype, int dev, int idx, int copy);
    [DllImport(Lib)] internal static extern IntPtr mat_clone(TH t);
    [DllImport(Lib)] internal static extern IntPtr mat_detach(TH t);
    [DllImport(Lib)] internal static extern IntPtr mat_contiguous(TH t);

    // generators
    [DllImport(Lib)] internal static extern IntPtr mat_generator_new(ulong seed);
    [DllImport(Lib)] internal static extern void mat_generator_free(IntPtr g);
    [DllImport(Lib)] internal static extern int mat_generator_seed(GH g, ulong seed);

    // unary
    [DllImport(Lib)] internal static extern IntPtr mat_neg(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_abs(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_exp(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_log(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_log1p(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_sqrt(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_rsqrt(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_square(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_reciprocal(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_sin(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_cos(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_tanh(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_sigmoid(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_relu(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_silu(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_gelu(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_erf(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_floor(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_ceil(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_round(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_sign(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_isnan(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_isinf(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_isfinite(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_logical_not(TH a);

    // binary
    [DllImport(Lib)] internal static extern IntPtr mat_add(TH a, TH b, double alpha);
    [DllImport(Lib)] internal static extern IntPtr mat_sub(TH a, TH b, double alpha);
    [DllImport(Lib)] internal static extern IntPtr mat_mul(TH a, TH b);
    [DllImport(Lib)] internal static extern IntPtr mat_div(TH a, TH b);
    [DllImport(Lib)] internal static extern IntPtr mat_pow(TH a, TH b);
    [DllImport(Lib)] internal static extern IntPtr mat_remainder(TH a, TH b);
    [DllImport(Lib)] internal static extern IntPtr mat_maximum(TH a, TH b);
    [DllImport(Lib)] internal static extern IntPtr mat_minimum(TH a, TH b);
    [DllImport(Lib)] internal static extern IntPtr mat_matmul(TH a, TH b);
    [DllImport(Lib)] internal static extern IntPtr mat_eq(TH a, TH b);
    [DllImport(Lib)] internal static extern IntPtr mat_ne(TH a, TH b);
    [DllImport(Lib)] internal static extern IntPtr mat_lt(TH a, TH b);
    [DllImport(Lib)] internal static extern IntPtr mat_le(TH a, TH b);
    [DllImport(Lib)] internal static extern IntPtr mat_gt(TH a, TH b);
    [DllImport(Lib)] internal static extern IntPtr mat_ge(TH a, TH b);
    [DllImport(Lib)] internal static extern IntPtr mat_logical_and(TH a, TH b);
    [DllImport(Lib)] internal static extern IntPtr mat_logical_or(TH a, TH b);
    [DllImport(Lib)] internal static extern IntPtr mat_logical_xor(TH a, TH b);

    // tensor ∘ scalar
    [DllImport(Lib)] internal static extern IntPtr mat_add_scalar(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern IntPtr mat_sub_scalar(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern IntPtr mat_rsub_scalar(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern IntPtr mat_mul_scalar(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern IntPtr mat_div_scalar(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern IntPtr mat_rdiv_scalar(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern IntPtr mat_pow_scalar(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern IntPtr mat_rpow_scalar(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern IntPtr mat_remainder_scalar(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern IntPtr mat_eq_scalar(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern IntPtr mat_ne_scalar(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern IntPtr mat_lt_scalar(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern IntPtr mat_le_scalar(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern IntPtr mat_gt_scalar(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern IntPtr mat_ge_scalar(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern IntPtr mat_leaky_relu(TH a, double d, long i, int kind);

    [DllImport(Lib)] internal static extern IntPtr mat_where(TH cond, TH a, TH b);
    [DllImport(Lib)] internal static extern IntPtr mat_clamp(TH a, int hasMin, double min, int hasMax, double max);
    [DllImport(Lib)] internal static extern IntPtr mat_masked_fill(TH a, TH mask, double d, long i, int kind);
    [DllImport(Lib)] internal static extern IntPtr mat_lerp(TH a, TH end, TH weight);

    // in-place
    [DllImport(Lib)] internal static extern int mat_add_(TH a, TH b, double alpha);
    [DllImport(Lib)] internal static extern int mat_add_scalar_(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern int mat_mul_(TH a, TH b);
    [DllImport(Lib)] internal static extern int mat_mul_scalar_(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern int mat_div_(TH a, TH b);
    [DllImport(Lib)] internal static extern int mat_div_scalar_(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern int mat_addcmul_(TH a, TH t1, TH t2, double value);
    [DllImport(Lib)] internal static extern int mat_addcdiv_(TH a, TH t1, TH t2, double value);
    [DllImport(Lib)] internal static extern int mat_lerp_scalar_(TH a, TH end, double weight);
    [DllImport(Lib)] internal static extern int mat_copy_(TH a, TH src);
    [DllImport(Lib)] internal static extern int mat_zero_(TH a);
    [DllImport(Lib)] internal static extern int mat_fill_(TH a, double d, long i, int kind);
    [DllImport(Lib)] internal static extern int mat_clamp_(TH a, double min, double max);
    [DllImport(Lib)] internal static extern int mat_sqrt_(TH a);

    // reductions
    [DllImport(Lib)] internal static extern IntPtr mat_sum(TH a, long[] dims, int ndims, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr mat_mean(TH a, long[] dims, int ndims, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr mat_amax(TH a, long[] dims, int ndims, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr mat_amin(TH a, long[] dims, int ndims, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr mat_std(TH a, long[] dims, int ndims, int unbiased, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr mat_var(TH a, long[] dims, int ndims, int unbiased, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr mat_max_all(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_min_all(TH a);
    [DllImport(Lib)] internal static extern int mat_max_dim(TH a, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [DllImport(Lib)] internal static extern int mat_min_dim(TH a, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [DllImport(Lib)] internal static extern IntPtr mat_argmax(TH a, int hasDim, long dim, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr mat_argmin(TH a, int hasDim, long dim, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr mat_quantile(TH a, TH q, int hasDim, long dim, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr mat_norm(TH a, double p);
    [DllImport(Lib)] internal static extern IntPtr mat_cumsum(TH a, long dim);
    [DllImport(Lib)] internal static extern IntPtr mat_all(TH a);
    [DllImport(Lib)] internal static extern IntPtr mat_any(TH a);

    // shape and indexing
    [DllImport(Lib)] internal static extern IntPtr mat_reshape(TH a, long[] shape, int n);
    [DllImport(Lib)] internal static extern IntPtr mat_view(TH a, long[] shape, int n);
    [DllImport(Lib)] internal static extern IntPtr mat_expand(TH a, long[] shape, int n);
    [DllImport(Lib)] internal static extern IntPtr mat_repeat(TH a, long[] reps, int n);
    [DllImport(Lib)] internal static extern IntPtr mat_permute(TH a, long[] dims, int n);
    [DllImport(Lib)] internal static extern IntPtr mat_flip(TH a, long[] dims, int n);
    [DllImport(Lib)] internal static extern IntPtr mat_transpose(TH a, long d0, long d1);
    [DllImport(Lib)] internal static extern IntPtr mat_unsqueeze(TH a, long dim);
    [DllImport(Lib)] internal static extern IntPtr mat_squeeze(TH a, int hasDim, long dim);
    [DllImport(Lib)] internal static extern IntPtr mat_flatten(TH a, long start, long end);
    [DllImport(Lib)] internal static extern IntPtr mat_narrow(TH a, long dim, long start, long length);
    [DllImport(Lib)] internal static extern IntPtr mat_slice(TH a, long dim, long start, long end, long step);
    [DllImport(Lib)] internal static extern IntPtr mat_select(TH a, long dim, long index);
    [DllImport(Lib)] internal static extern IntPtr mat_index_select(TH a, long dim, TH index);
    [DllImport(Lib)] internal static extern IntPtr mat_gather(TH a, long dim, TH index);
    [DllImport(Lib)] internal static extern IntPtr mat_masked_select(TH a, TH mask);
    [DllImport(Lib)] internal static extern IntPtr mat_cat(IntPtr[] list, int n, long dim);
    [DllImport(Lib)] internal static extern IntPtr mat_stack(IntPtr[] list, int n, long dim);
    [DllImport(Lib)] internal static extern int mat_chunk(TH a, long chunks, long dim, IntPtr[] output, int capacity);
    [DllImport(Lib)] internal static extern int mat_index_copy_(TH a, long dim, TH index, TH source);

    // nn.functional
    [DllImport(Lib)] internal static extern IntPtr mat_conv2d(TH x, TH w, TH b, long[] stride, long[] padding, long[] dilation, long groups);
    [DllImport(Lib)] internal static extern IntPtr mat_conv_transpose2d(TH x, TH w, TH b, long[] stride, long[] padding, long[] outputPadding, long[] dilation, long groups);
    [DllImport(Lib)] internal static extern IntPtr mat_linear(TH x, TH w, TH b);
    [DllImport(Lib)] internal static extern IntPtr mat_group_norm(TH x, long groups, TH w, TH b, double eps);
    [DllImport(Lib)] internal static extern IntPtr mat_layer_norm(TH x, long[] shape, int n, TH w, TH b, double eps);
    [DllImport(Lib)] internal static extern IntPtr mat_batch_norm(TH x, TH w, TH b, TH runningMean, TH runningVar, int training, double momentum, double eps);
    [DllImport(Lib)] internal static extern IntPtr mat_dropout(TH x, double p, int training);
    [DllImport(Lib)] internal static extern IntPtr mat_softmax(TH x, long dim);
    [DllImport(Lib)] internal static extern IntPtr mat_log_softmax(TH x, long dim);
    [DllImport(Lib)] internal static extern IntPtr mat_upsample_nearest2d(TH x, long h, long w, double scaleH, double scaleW);
    [DllImport(Lib)] internal static extern IntPtr mat_upsample_bilinear2d(TH x, long h, long w, int alignCorners, double scaleH, double scaleW);
    [DllImport(Lib)] internal static extern IntPtr mat_adaptive_avg_pool2d(TH x, long h, long w);
    [DllImport(Lib)] internal static extern IntPtr mat_avg_pool2d(TH x, long[] kernel, long[] stride, long[] padding, int ceilMode, int countIncludePad);
    [DllImport(Lib)] internal static extern IntPtr mat_max_pool2d(TH x, long[] kernel, long[] stride, long[] padding, long[] dilation, int ceilMode);
    [DllImport(Lib)] internal static extern IntPtr mat_pad(TH x, long[] pads, int n, int mode, double value);
    [DllImport(Lib)] internal static extern IntPtr mat_scaled_dot_product_attention(TH q, TH k, TH v, TH mask, double dropoutP, int isCausal);
    [DllImport(Lib)] internal static extern IntPtr mat_mse_loss(TH x, TH y, int reduction);
    [DllImport(Lib)] internal static extern IntPtr mat_l1_loss(TH x, TH y, int reduction);
    [DllImport(Lib)] internal static extern IntPtr mat_smooth_l1_loss(TH x, TH y, int reduction, double beta);
    [DllImport(Lib)] internal static extern IntPtr mat_bce_with_logits(TH x, TH y, TH weight, TH posWeight, int reduction);

    // autograd and runtime
    [DllImport(Lib)] internal static extern int mat_backward(TH loss, TH grad, int retainGraph);
    [DllImport(Lib)] internal static extern IntPtr mat_grad(TH t);
    [DllImport(Lib)] internal static extern int mat_has_grad(TH t);
    [DllImport(Lib)] internal static extern int mat_clear_grad(TH t);
    [DllImport(Lib)] internal static extern int mat_grad_enabled();
    [DllImport(Lib)] internal static extern void mat_set_grad_enabled(int enabled);
    [DllImport(Lib)] internal static extern void mat_set_num_threads(int n);
    [DllImport(Lib)] internal static extern int mat_get_num_threads();
    [DllImport(Lib)] internal static extern int mat_host_memory_policy_applied();
    [DllImport(Lib)] internal static extern int mat_host_memory_release();
    [DllImport(Lib)] internal static extern void mat_manual_seed(ulong seed);
    [DllImport(Lib)] internal static extern int mat_cuda_is_available();
    [DllImport(Lib)] internal static extern int mat_cuda_device_count();
    [DllImport(Lib)] internal static extern void mat_cuda_synchronize();
    [DllImport(Lib)] internal static extern int mat_set_data(TH t, TH data);
    [DllImport(Lib)] internal static extern int mat_version_major();
    [DllImport(Lib)] internal static extern int mat_version_minor();
}
