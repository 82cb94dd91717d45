using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MedAnomaly.Torch.Native;
using static MedAnomaly.Torch.Native.NativeMethods;

namespace MedAnomaly.Torch;

/// <summary>
/// A libtorch tensor. Mirrors PyTorch/TorchSharp names (<c>x.mean(...)</c>, <c>x.shape</c>, <c>loss.backward()</c>).
/// Each Tensor owns one native reference; views share storage as in PyTorch. Dispose it, or create it
/// inside <see cref="torch.NewDisposeScope"/>; the finalizer is only a safety net.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    internal readonly TensorHandle Handle;
    internal DisposeScope? Scope;

    internal Tensor(IntPtr handle)
    {
        Handle = new TensorHandle(handle);
        DisposeScope.Register(this);
    }

    /// <summary>Wraps a handle returned by the shim, throwing TorchException when it signals failure.</summary>
    internal static Tensor Wrap(IntPtr handle, [CallerMemberName] string operation = "") =>
        new(Check.Handle(handle, operation));

    internal static void Status(int status, [CallerMemberName] string operation = "") => Check.Status(status, operation);

    internal TensorHandle H
    {
        get
        {
            ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
            return Handle;
        }
    }

    public bool IsDisposed => Handle.IsClosed;
    public void Dispose() => Handle.Dispose();

    /// <summary>Moves this tensor to the enclosing dispose scope (or out of all scopes) and returns it.</summary>
    public Tensor MoveToOuterDisposeScope() => Scope?.MoveToOuter(this) ?? this;

    /// <summary>Takes this tensor out of any dispose scope: the caller now owns it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        DisposeScope.Detach(this);
        return this;
    }

    // ---- metadata ----
    public long[] shape
    {
        get
        {
            var dims = new long[mat_dim(H)];
            mat_shape(H, dims);
            return dims;
        }
    }
    public long size(int dim)
    {
        var s = shape;
        int d = dim < 0 ? dim + s.Length : dim;
        if (d < 0 || d >= s.Length) throw new ArgumentOutOfRangeException(nameof(dim), $"dimension {dim} out of range for a {s.Length}-D tensor");
        return s[d];
    }
    public long[] stride()
    {
        var strides = new long[mat_dim(H)];
        mat_strides(H, strides);
        return strides;
    }
    public int ndim => mat_dim(H);
    public int dim() => mat_dim(H);
    public long numel() => mat_numel(H);
    public ScalarType dtype => (ScalarType)mat_dtype(H);
    public Device device => new((DeviceType)mat_device_type(H), mat_device_index(H));
    public bool is_contiguous() => mat_is_contiguous(H) != 0;
    public bool is_leaf => mat_is_leaf(H) != 0;
    public long element_size() => mat_element_size(H);

    // ---- autograd ----
    public bool requires_grad
    {
        get => mat_requires_grad(H) != 0;
        set => Status(mat_set_requires_grad(H, value ? 1 : 0));
    }
    public Tensor requires_grad_(bool value = true)
    {
        requires_grad = value;
        return this;
    }

    /// <summary>The accumulated gradient (a new handle to it), or null when none has been computed.</summary>
    public Tensor? grad
    {
        get
        {
            var g = mat_grad(H);
            if (g != IntPtr.Zero) return new Tensor(g);
            return null;
        }
    }
    public bool has_grad => mat_has_grad(H) != 0;

    /// <summary>Drops the gradient (PyTorch's <c>zero_grad(set_to_none=True)</c>).</summary>
    public void clear_grad() => Status(mat_clear_grad(H));

    /// <summary>Computes d(this)/d(leaves) for a scalar (or with an explicit output gradient).</summary>
    public void backward(Tensor? gradient = null, bool retain_graph = false) =>
        Status(mat_backward(H, gradient?.H ?? NullHandle, retain_graph ? 1 : 0));

    internal static readonly TensorHandle NullHandle = new(IntPtr.Zero);

    // ---- conversion ----
    public Tensor to(ScalarType dtype) => Wrap(mat_to(H, (int)dtype, (int)device.Type, device.Index, 0));
    public Tensor to(Device device) => Wrap(mat_to(H, (int)dtype, (int)device.Type, device.Index, 0));
    public Tensor to(Device device, ScalarType dtype) => Wrap(mat_to(H, (int)dtype, (int)device.Type, device.Index, 0));
    public Tensor cpu() => to(Device.CPU);
    public Tensor cuda(int index = 0) => to(Device.CUDA(index));
    public Tensor @float() => to(ScalarType.Float32);
    public Tensor @double() => to(ScalarType.Float64);
    public Tensor @long() => to(ScalarType.Int64);
    public Tensor @bool() => to(ScalarType.Bool);
    public Tensor clone() => Wrap(mat_clone(H));
    public Tensor detach() => Wrap(mat_detach(H));
    public Tensor contiguous() => Wrap(mat_contiguous(H));
    /// <summary>A second handle to the same tensor (same storage and autograd identity).</summary>
    public Tensor alias() => Wrap(mat_alias(H));
    /// <summary>Replaces this tensor's data, keeping the object (PyTorch's <c>t.data = other</c>).</summary>
    public void set_data(Tensor data) => Status(mat_set_data(H, data.H));

    // ---- values ----
    /// <summary>The single value of a one-element tensor.</summary>
    public T item<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(long) || typeof(T) == typeof(int) || typeof(T) == typeof(short) ||
            typeof(T) == typeof(byte) || typeof(T) == typeof(sbyte) || typeof(T) == typeof(bool))
        {
            Status(mat_item_long(H, out long l));
            return typeof(T) == typeof(bool) ? (T)(object)(l != 0) : (T)Convert.ChangeType(l, typeof(T));
        }
        Status(mat_item_double(H, out double d));
        if (typeof(T) == typeof(Half)) return (T)(object)(Half)d;
        return (T)Convert.ChangeType(d, typeof(T));
    }

    /// <summary>Copies the elements (row-major) into a new .NET array; moves to CPU first if needed.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        CheckElementType<T>();
        using var scope = torch.NewDisposeScope();
        var cpuContiguous = device.Type == DeviceType.CPU && is_contiguous() ? this : cpu().contiguous();
        return cpuContiguous.AsReadOnlySpan<T>().ToArray();
    }

    /// <summary>
    /// A span over the tensor's memory, no copy (CPU, contiguous tensors only). Valid while the tensor is
    /// alive and not resized; writes go straight into the tensor.
    /// </summary>
    public unsafe Span<T> AsSpan<T>() where T : unmanaged
    {
        CheckElementType<T>();
        if (!is_contiguous()) throw new InvalidOperationException("AsSpan needs a contiguous tensor; call contiguous() first");
        var ptr = Check.Handle(mat_data_ptr(H), "AsSpan");
        return new Span<T>((void*)ptr, checked((int)numel()));
    }

    public ReadOnlySpan<T> AsReadOnlySpan<T>() where T : unmanaged => AsSpan<T>();

    void CheckElementType<T>() where T : unmanaged
    {
        var expected = ScalarTypeExtensions.Of<T>();
        if (expected != dtype)
            throw new InvalidOperationException($"tensor has dtype {dtype.TorchName()}, not {typeof(T).Name} ({expected.TorchName()}); convert with .to(...) first");
    }

    /// <summary>libtorch's printout of the values followed by shape, dtype and device.</summary>
    public override string ToString()
    {
        if (Handle.IsClosed) return "Tensor (disposed)";
        var header = $"Tensor [{string.Join(", ", shape)}] {dtype.TorchName()} on {device}{(requires_grad ? ", requires_grad" : "")}";
        if (numel() > 1000) return header;
        var text = mat_to_string(H);
        if (text == IntPtr.Zero) return header;
        try { return header + "\n" + Marshal.PtrToStringUTF8(text); }
        finally { mat_free_string(text); }
    }
}
