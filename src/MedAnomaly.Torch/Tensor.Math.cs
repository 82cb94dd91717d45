using static MedAnomaly.Torch.Native.NativeMethods;

namespace MedAnomaly.Torch;

// Element-wise arithmetic and comparisons with PyTorch broadcasting, and the C# operators over them.
public sealed partial class Tensor
{
    // Scalars cross the boundary as (double, long, kind): kind 0 floating, 1 integral (keeps int dtypes).
    static (double d, long i, int kind) S(double v) => (v, 0, 0);
    static (double d, long i, int kind) S(long v) => (0, v, 1);

    // ---- unary ----
    public Tensor neg() => Wrap(mat_neg(H));
    public Tensor abs() => Wrap(mat_abs(H));
    public Tensor exp() => Wrap(mat_exp(H));
    public Tensor log() => Wrap(mat_log(H));
    public Tensor log1p() => Wrap(mat_log1p(H));
    public Tensor sqrt() => Wrap(mat_sqrt(H));
    public Tensor rsqrt() => Wrap(mat_rsqrt(H));
    public Tensor square() => Wrap(mat_square(H));
    public Tensor reciprocal() => Wrap(mat_reciprocal(H));
    public Tensor sin() => Wrap(mat_sin(H));
    public Tensor cos() => Wrap(mat_cos(H));
    public Tensor tanh() => Wrap(mat_tanh(H));
    public Tensor sigmoid() => Wrap(mat_sigmoid(H));
    public Tensor relu() => Wrap(mat_relu(H));
    public Tensor erf() => Wrap(mat_erf(H));
    public Tensor floor() => Wrap(mat_floor(H));
    public Tensor ceil() => Wrap(mat_ceil(H));
    public Tensor round() => Wrap(mat_round(H));
    public Tensor sign() => Wrap(mat_sign(H));
    public Tensor isnan() => Wrap(mat_isnan(H));
    public Tensor isinf() => Wrap(mat_isinf(H));
    public Tensor isfinite() => Wrap(mat_isfinite(H));
    public Tensor logical_not() => Wrap(mat_logical_not(H));

    // ---- binary ----
    public Tensor add(Tensor other, double alpha = 1) => Wrap(mat_add(H, other.H, alpha));
    public Tensor sub(Tensor other, double alpha = 1) => Wrap(mat_sub(H, other.H, alpha));
    public Tensor mul(Tensor other) => Wrap(mat_mul(H, other.H));
    public Tensor div(Tensor other) => Wrap(mat_div(H, other.H));
    public Tensor pow(Tensor exponent) => Wrap(mat_pow(H, exponent.H));
    public Tensor remainder(Tensor other) => Wrap(mat_remainder(H, other.H));
    public Tensor maximum(Tensor other) => Wrap(mat_maximum(H, other.H));
    public Tensor minimum(Tensor other) => Wrap(mat_minimum(H, other.H));
    public Tensor matmul(Tensor other) => Wrap(mat_matmul(H, other.H));
    public Tensor eq(Tensor other) => Wrap(mat_eq(H, other.H));
    public Tensor ne(Tensor other) => Wrap(mat_ne(H, other.H));
    public Tensor lt(Tensor other) => Wrap(mat_lt(H, other.H));
    public Tensor le(Tensor other) => Wrap(mat_le(H, other.H));
    public Tensor gt(Tensor other) => Wrap(mat_gt(H, other.H));
    public Tensor ge(Tensor other) => Wrap(mat_ge(H, other.H));
    public Tensor logical_and(Tensor other) => Wrap(mat_logical_and(H, other.H));
    public Tensor logical_or(Tensor other) => Wrap(mat_logical_or(H, other.H));
    public Tensor logical_xor(Tensor other) => Wrap(mat_logical_xor(H, other.H));

    public Tensor add(double s) { var (d, i, k) = S(s); return Wrap(mat_add_scalar(H, d, i, k)); }
    public Tensor add(long s) { var (d, i, k) = S(s); return Wrap(mat_add_scalar(H, d, i, k)); }
    public Tensor sub(double s) { var (d, i, k) = S(s); return Wrap(mat_sub_scalar(H, d, i, k)); }
    public Tensor sub(long s) { var (d, i, k) = S(s); return Wrap(mat_sub_scalar(H, d, i, k)); }
    public Tensor mul(double s) { var (d, i, k) = S(s); return Wrap(mat_mul_scalar(H, d, i, k)); }
    public Tensor mul(long s) { var (d, i, k) = S(s); return Wrap(mat_mul_scalar(H, d, i, k)); }
    public Tensor div(double s) { var (d, i, k) = S(s); return Wrap(mat_div_scalar(H, d, i, k)); }
    public Tensor div(long s) { var (d, i, k) = S(s); return Wrap(mat_div_scalar(H, d, i, k)); }
    public Tensor pow(double s) { var (d, i, k) = S(s); return Wrap(mat_pow_scalar(H, d, i, k)); }
    public Tensor remainder(long s) { var (d, i, k) = S(s); return Wrap(mat_remainder_scalar(H, d, i, k)); }
    public Tensor eq(double s) { var (d, i, k) = S(s); return Wrap(mat_eq_scalar(H, d, i, k)); }
    public Tensor ne(double s) { var (d, i, k) = S(s); return Wrap(mat_ne_scalar(H, d, i, k)); }
    public Tensor lt(double s) { var (d, i, k) = S(s); return Wrap(mat_lt_scalar(H, d, i, k)); }
    public Tensor le(double s) { var (d, i, k) = S(s); return Wrap(mat_le_scalar(H, d, i, k)); }
    public Tensor gt(double s) { var (d, i, k) = S(s); return Wrap(mat_gt_scalar(H, d, i, k)); }
    public Tensor ge(double s) { var (d, i, k) = S(s); return Wrap(mat_ge_scalar(H, d, i, k)); }

    /// <summary>Clamps to [min, max]; either bound may be omitted.</summary>
    public Tensor clamp(double? min = null, double? max = null) =>
        Wrap(mat_clamp(H, min.HasValue ? 1 : 0, min ?? 0, max.HasValue ? 1 : 0, max ?? 0));
    public Tensor clip(double? min = null, double? max = null) => clamp(min, max);
    public Tensor masked_fill(Tensor mask, double value) { var (d, i, k) = S(value); return Wrap(mat_masked_fill(H, mask.H, d, i, k)); }
    public Tensor lerp(Tensor end, Tensor weight) => Wrap(mat_lerp(H, end.H, weight.H));

    // ---- in place (return this, as PyTorch does) ----
    public Tensor add_(Tensor other, double alpha = 1) { Status(mat_add_(H, other.H, alpha)); return this; }
    public Tensor add_(double value) { var (d, i, k) = S(value); Status(mat_add_scalar_(H, d, i, k)); return this; }
    public Tensor add_(long value) { var (d, i, k) = S(value); Status(mat_add_scalar_(H, d, i, k)); return this; }
    public Tensor mul_(Tensor other) { Status(mat_mul_(H, other.H)); return this; }
    public Tensor mul_(double value) { var (d, i, k) = S(value); Status(mat_mul_scalar_(H, d, i, k)); return this; }
    public Tensor mul_(long value) { var (d, i, k) = S(value); Status(mat_mul_scalar_(H, d, i, k)); return this; }
    public Tensor div_(Tensor other) { Status(mat_div_(H, other.H)); return this; }
    public Tensor div_(double value) { var (d, i, k) = S(value); Status(mat_div_scalar_(H, d, i, k)); return this; }
    public Tensor addcmul_(Tensor t1, Tensor t2, double value = 1) { Status(mat_addcmul_(H, t1.H, t2.H, value)); return this; }
    public Tensor addcdiv_(Tensor t1, Tensor t2, double value = 1) { Status(mat_addcdiv_(H, t1.H, t2.H, value)); return this; }
    public Tensor lerp_(Tensor end, double weight) { Status(mat_lerp_scalar_(H, end.H, weight)); return this; }
    public Tensor copy_(Tensor source) { Status(mat_copy_(H, source.H)); return this; }
    public Tensor zero_() { Status(mat_zero_(H)); return this; }
    public Tensor fill_(double value) { var (d, i, k) = S(value); Status(mat_fill_(H, d, i, k)); return this; }
    public Tensor clamp_(double min, double max) { Status(mat_clamp_(H, min, max)); return this; }
    public Tensor sqrt_() { Status(mat_sqrt_(H)); return this; }
    public Tensor uniform_(double from = 0, double to = 1, Generator? generator = null)
    { Status(mat_uniform_(H, from, to, generator?.Handle ?? Generator.NullHandle)); return this; }
    public Tensor normal_(double mean = 0, double std = 1, Generator? generator = null)
    { Status(mat_normal_(H, mean, std, generator?.Handle ?? Generator.NullHandle)); return this; }

    // ---- operators ----
    public static Tensor operator -(Tensor a) => a.neg();
    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
    public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
    public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
    public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
    public static Tensor operator %(Tensor a, Tensor b) => a.remainder(b);
    public static Tensor operator +(Tensor a, double s) => a.add(s);
    public static Tensor operator +(double s, Tensor a) => a.add(s);
    public static Tensor operator -(Tensor a, double s) => a.sub(s);
    public static Tensor operator -(double s, Tensor a) { var (d, i, k) = S(s); return Wrap(mat_rsub_scalar(a.H, d, i, k)); }
    public static Tensor operator *(Tensor a, double s) => a.mul(s);
    public static Tensor operator *(double s, Tensor a) => a.mul(s);
    public static Tensor operator /(Tensor a, double s) => a.div(s);
    public static Tensor operator /(double s, Tensor a) { var (d, i, k) = S(s); return Wrap(mat_rdiv_scalar(a.H, d, i, k)); }
    public static Tensor operator +(Tensor a, long s) => a.add(s);
    public static Tensor operator +(long s, Tensor a) => a.add(s);
    public static Tensor operator -(Tensor a, long s) => a.sub(s);
    public static Tensor operator -(long s, Tensor a) { var (d, i, k) = S(s); return Wrap(mat_rsub_scalar(a.H, d, i, k)); }
    public static Tensor operator *(Tensor a, long s) => a.mul(s);
    public static Tensor operator *(long s, Tensor a) => a.mul(s);
    public static Tensor operator /(Tensor a, long s) => a.div(s);
    public static Tensor operator %(Tensor a, long s) => a.remainder(s);
    public static Tensor operator <(Tensor a, Tensor b) => a.lt(b);
    public static Tensor operator <=(Tensor a, Tensor b) => a.le(b);
    public static Tensor operator >(Tensor a, Tensor b) => a.gt(b);
    public static Tensor operator >=(Tensor a, Tensor b) => a.ge(b);
    public static Tensor operator <(Tensor a, double s) => a.lt(s);
    public static Tensor operator <=(Tensor a, double s) => a.le(s);
    public static Tensor operator >(Tensor a, double s) => a.gt(s);
    public static Tensor operator >=(Tensor a, double s) => a.ge(s);
    public static Tensor operator &(Tensor a, Tensor b) => a.logical_and(b);
    public static Tensor operator |(Tensor a, Tensor b) => a.logical_or(b);
    public static Tensor operator ^(Tensor a, Tensor b) => a.logical_xor(b);
    public static Tensor operator !(Tensor a) => a.logical_not();
    // == and != keep reference semantics in C#; use eq()/ne() for element-wise comparison.
}
