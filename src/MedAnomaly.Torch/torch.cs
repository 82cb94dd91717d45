using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MedAnomaly.Torch.Native;
using static MedAnomaly.Torch.Native.NativeMethods;

namespace MedAnomaly.Torch;

/// <summary>
/// Entry point mirroring PyTorch's <c>torch</c> module: creation functions, dtypes, seeding, grad mode,
/// threads, CUDA queries, and the nested <c>torch.nn</c> and <c>torch.optim</c>. Write
/// <c>using static MedAnomaly.Torch.torch;</c> for PyTorch-like notebook code.
/// </summary>
public static partial class torch
{
    static torch()
    {
        // libtorch starts with one intra-op thread here; use every core unless told otherwise.
        var fromEnv = Environment.GetEnvironmentVariable("MEDANOMALY_NUM_THREADS");
        mat_set_num_threads(int.TryParse(fromEnv, out var n) && n > 0 ? n : Environment.ProcessorCount);
    }

    // dtypes with PyTorch's names
    public const ScalarType float32 = ScalarType.Float32;
    public const ScalarType float64 = ScalarType.Float64;
    public const ScalarType float16 = ScalarType.Float16;
    public const ScalarType bfloat16 = ScalarType.BFloat16;
    public const ScalarType int64 = ScalarType.Int64;
    public const ScalarType int32 = ScalarType.Int32;
    public const ScalarType int16 = ScalarType.Int16;
    public const ScalarType int8 = ScalarType.Int8;
    public const ScalarType uint8 = ScalarType.Byte;
    public const ScalarType @bool = ScalarType.Bool;

    public static readonly Device CPU = Device.CPU;

    /// <summary>Starts a scope that frees the tensors created inside it (see <see cref="DisposeScope"/>).</summary>
    public static DisposeScope NewDisposeScope() => new();

    /// <summary>Native tensors alive in the process (for leak tests).</summary>
    public static long LiveTensorCount => mat_live_tensors();

    // ---- creation ----
    static (int dtype, int dev, int idx) Opts(ScalarType? dtype, Device? device) =>
        ((int)(dtype ?? ScalarType.Float32), (int)(device ?? Device.CPU).Type, (device ?? Device.CPU).Index);

    static Tensor Create(IntPtr handle, [CallerMemberName] string op = "") => Tensor.Wrap(handle, op);

    public static Tensor empty(long[] shape, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    { var (t, d, i) = Opts(dtype, device); return Create(mat_empty(shape, shape.Length, t, d, i, requires_grad ? 1 : 0)); }
    public static Tensor zeros(long[] shape, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    { var (t, d, i) = Opts(dtype, device); return Create(mat_zeros(shape, shape.Length, t, d, i, requires_grad ? 1 : 0)); }
    public static Tensor zeros(params long[] shape) => zeros(shape, null);
    public static Tensor ones(long[] shape, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    { var (t, d, i) = Opts(dtype, device); return Create(mat_ones(shape, shape.Length, t, d, i, requires_grad ? 1 : 0)); }
    public static Tensor ones(params long[] shape) => ones(shape, null);
    public static Tensor full(long[] shape, double value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var (t, d, i) = Opts(dtype, device);
        bool integral = dtype is not null && !dtype.Value.IsFloatingPoint();
        return Create(mat_full(shape, shape.Length, value, (long)value, integral ? 1 : 0, t, d, i, requires_grad ? 1 : 0));
    }
    public static Tensor zeros_like(Tensor x) => zeros(x.shape, x.dtype, x.device);
    public static Tensor ones_like(Tensor x) => ones(x.shape, x.dtype, x.device);
    public static Tensor full_like(Tensor x, double value) => full(x.shape, value, x.dtype, x.device);
    public static Tensor randn_like(Tensor x, Generator? generator = null) => randn(x.shape, x.dtype, x.device, generator: generator);
    public static Tensor rand_like(Tensor x, Generator? generator = null) => rand(x.shape, x.dtype, x.device, generator: generator);

    /// <summary>Values start, start+step, ... below end. Default dtype int64 (as PyTorch for integer arguments).</summary>
    public static Tensor arange(double start, double end, double step = 1, ScalarType? dtype = null, Device? device = null)
    { var (t, d, i) = Opts(dtype ?? ScalarType.Int64, device); return Create(mat_arange(start, end, step, t, d, i, 0)); }
    public static Tensor arange(double end, ScalarType? dtype = null, Device? device = null) => arange(0, end, 1, dtype, device);
    public static Tensor linspace(double start, double end, long steps, ScalarType? dtype = null, Device? device = null)
    { var (t, d, i) = Opts(dtype, device); return Create(mat_linspace(start, end, steps, t, d, i, 0)); }

    /// <summary>Uniform [0,1). With a generator the numbers match PyTorch's for the same seed.</summary>
    public static Tensor rand(long[] shape, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null)
    { var (t, d, i) = Opts(dtype, device); return Create(mat_rand(shape, shape.Length, generator?.Handle ?? Generator.NullHandle, t, d, i, requires_grad ? 1 : 0)); }
    public static Tensor randn(long[] shape, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null)
    { var (t, d, i) = Opts(dtype, device); return Create(mat_randn(shape, shape.Length, generator?.Handle ?? Generator.NullHandle, t, d, i, requires_grad ? 1 : 0)); }
    public static Tensor rand(params long[] shape) => rand(shape, null);
    public static Tensor randn(params long[] shape) => randn(shape, null);
    /// <summary>Integers in [low, high).</summary>
    public static Tensor randint(long low, long high, long[] shape, ScalarType? dtype = null, Device? device = null, Generator? generator = null)
    { var (t, d, i) = Opts(dtype ?? ScalarType.Int64, device); return Create(mat_randint(low, high, shape, shape.Length, generator?.Handle ?? Generator.NullHandle, t, d, i)); }
    public static Tensor randperm(long n, Device? device = null, Generator? generator = null)
    { var dev = device ?? Device.CPU; return Create(mat_randperm(n, generator?.Handle ?? Generator.NullHandle, (int)dev.Type, dev.Index)); }
    public static Tensor bernoulli(Tensor p, Generator? generator = null) => Create(mat_bernoulli(p.H, generator?.Handle ?? Generator.NullHandle));

    // ---- from .NET data ----
    /// <summary>Copies <paramref name="data"/> (row-major) into a new tensor of the given shape (default 1-D).</summary>
    public static unsafe Tensor tensor<T>(ReadOnlySpan<T> data, long[]? shape = null, ScalarType? dtype = null, Device? device = null,
        bool requires_grad = false) where T : unmanaged
    {
        shape ??= [data.Length];
        CheckShape(shape, data.Length);
        Tensor result;
        fixed (T* ptr = data)
            result = Create(mat_from_buffer(ptr, shape, shape.Length, (int)ScalarTypeExtensions.Of<T>()));
        return Finish(result, dtype, device, requires_grad);
    }
    public static Tensor tensor<T>(T[] data, long[]? shape = null, ScalarType? dtype = null, Device? device = null,
        bool requires_grad = false) where T : unmanaged => tensor((ReadOnlySpan<T>)data, shape, dtype, device, requires_grad);
    public static Tensor tensor<T>(T[] data, params long[] shape) where T : unmanaged => tensor((ReadOnlySpan<T>)data, shape);
    /// <summary>A 0-d tensor.</summary>
    public static Tensor tensor(double value, ScalarType? dtype = null, Device? device = null) =>
        Finish(tensor(new[] { value }, Array.Empty<long>()), dtype ?? ScalarType.Float32, device, false);

    /// <summary>
    /// Wraps a .NET array without copying: the tensor reads and writes the array's memory (CPU only). The
    /// array is pinned until libtorch drops its last reference to the storage.
    /// </summary>
    public static unsafe Tensor from_array<T>(T[] data, params long[] shape) where T : unmanaged
    {
        if (shape.Length == 0) shape = [data.Length];
        CheckShape(shape, data.Length);
        var pin = GCHandle.Alloc(data, GCHandleType.Pinned);
        try
        {
            return Create(mat_from_blob((void*)pin.AddrOfPinnedObject(), shape, shape.Length, (int)ScalarTypeExtensions.Of<T>(),
                &ReleasePinned, GCHandle.ToIntPtr(pin)));
        }
        catch
        {
            pin.Free();
            throw;
        }
    }

    [UnmanagedCallersOnly]
    static void ReleasePinned(IntPtr context) => GCHandle.FromIntPtr(context).Free();

    static void CheckShape(long[] shape, long length)
    {
        long numel = 1;
        foreach (var s in shape)
        {
            if (s < 0) throw new ArgumentException($"shape [{string.Join(", ", shape)}] has a negative dimension");
            numel *= s;
        }
        if (numel != length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] holds {numel} elements but the data has {length}");
    }

    static Tensor Finish(Tensor t, ScalarType? dtype, Device? device, bool requiresGrad)
    {
        if ((dtype is { } dt && dt != t.dtype) || (device is { } dev && dev != Device.CPU))
        {
            var converted = t.to(device ?? Device.CPU, dtype ?? t.dtype);
            t.Dispose();
            t = converted;
        }
        if (requiresGrad) t.requires_grad = true;
        return t;
    }

    // ---- combining ----
    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Combine(tensors, dim, mat_cat);
    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Combine(tensors, dim, mat_stack);
    static Tensor Combine(IReadOnlyList<Tensor> tensors, long dim, Func<IntPtr[], int, long, IntPtr> op, [CallerMemberName] string name = "")
    {
        if (tensors.Count == 0) throw new ArgumentException($"{name} expects a non-empty list of tensors");
        var handles = tensors.Select(t => t.H.DangerousGetHandle()).ToArray();
        var result = Tensor.Wrap(op(handles, handles.Length, dim), name);
        GC.KeepAlive(tensors);
        return result;
    }
    public static Tensor where(Tensor condition, Tensor x, Tensor y) => Tensor.Wrap(mat_where(condition.H, x.H, y.H));

    // ---- seeding, grad mode, threads, devices ----
    /// <summary>Seeds the default generators (CPU and CUDA), as torch.manual_seed.</summary>
    public static void manual_seed(ulong seed) => mat_manual_seed(seed);

    /// <summary><c>using (torch.no_grad()) { ... }</c>: no autograd graph is recorded inside.</summary>
    public static IDisposable no_grad() => new GradMode(false);
    public static IDisposable enable_grad() => new GradMode(true);
    public static bool is_grad_enabled() => mat_grad_enabled() != 0;

    sealed class GradMode : IDisposable
    {
        readonly bool previous;
        public GradMode(bool enabled) { previous = mat_grad_enabled() != 0; mat_set_grad_enabled(enabled ? 1 : 0); }
        public void Dispose() => mat_set_grad_enabled(previous ? 1 : 0);
    }

    public static void set_num_threads(int n) => mat_set_num_threads(n);
    public static int get_num_threads() => mat_get_num_threads();

    /// <summary>
    /// Whether the native library keeps freed host memory in its heap for the next training step
    /// (glibc only; off with <c>MEDANOMALY_MALLOC=system</c>). See src/MedAnomaly.Native/src/host_memory.cpp.
    /// </summary>
    public static bool host_memory_policy_applied => mat_host_memory_policy_applied() != 0;

    /// <summary>Gives the free pages of the native heap back to the operating system (malloc_trim).</summary>
    public static bool release_host_memory() => mat_host_memory_release() != 0;

    /// <summary>libtorch's version, e.g. (1, 13).</summary>
    public static (int Major, int Minor) version => (mat_version_major(), mat_version_minor());

    public static class cuda
    {
        public static bool is_available() => mat_cuda_is_available() != 0;
        public static int device_count() => mat_cuda_device_count();
        public static void synchronize() => mat_cuda_synchronize();
    }
}
