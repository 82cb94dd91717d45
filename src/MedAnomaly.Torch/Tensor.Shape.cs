using static MedAnomaly.Torch.Native.NativeMethods;

namespace MedAnomaly.Torch;

// Shape changes, slicing and indexing.
public sealed partial class Tensor
{
    public Tensor reshape(params long[] shape) => Wrap(mat_reshape(H, shape, shape.Length));
    public Tensor view(params long[] shape) => Wrap(mat_view(H, shape, shape.Length));
    public Tensor expand(params long[] shape) => Wrap(mat_expand(H, shape, shape.Length));
    public Tensor repeat(params long[] repeats) => Wrap(mat_repeat(H, repeats, repeats.Length));
    public Tensor permute(params long[] dims) => Wrap(mat_permute(H, dims, dims.Length));
    public Tensor flip(params long[] dims) => Wrap(mat_flip(H, dims, dims.Length));
    public Tensor transpose(long dim0, long dim1) => Wrap(mat_transpose(H, dim0, dim1));
    /// <summary>Transpose of a 2-D tensor.</summary>
    public Tensor t() => transpose(0, 1);
    public Tensor unsqueeze(long dim) => Wrap(mat_unsqueeze(H, dim));
    public Tensor squeeze(long? dim = null) => Wrap(mat_squeeze(H, dim.HasValue ? 1 : 0, dim ?? 0));
    public Tensor flatten(long start_dim = 0, long end_dim = -1) => Wrap(mat_flatten(H, start_dim, end_dim));
    public Tensor narrow(long dim, long start, long length) => Wrap(mat_narrow(H, dim, start, length));
    /// <summary>Elements start..end (exclusive) with a step along `dim`; end is clamped as in Python slicing.</summary>
    public Tensor slice(long dim, long start, long end, long step = 1) => Wrap(mat_slice(H, dim, start, end, step));
    public Tensor select(long dim, long index) => Wrap(mat_select(H, dim, index));
    public Tensor index_select(long dim, Tensor index) => Wrap(mat_index_select(H, dim, index.H));
    public Tensor gather(long dim, Tensor index) => Wrap(mat_gather(H, dim, index.H));
    public Tensor masked_select(Tensor mask) => Wrap(mat_masked_select(H, mask.H));
    public Tensor index_copy_(long dim, Tensor index, Tensor source) { Status(mat_index_copy_(H, dim, index.H, source.H)); return this; }

    /// <summary>Splits into at most `chunks` pieces along `dim` (views).</summary>
    public Tensor[] chunk(long chunks, long dim = 0)
    {
        if (chunks <= 0) throw new ArgumentOutOfRangeException(nameof(chunks), "chunk expects a positive number of chunks");
        var handles = new IntPtr[chunks];
        int n = mat_chunk(H, chunks, dim, handles, handles.Length);
        Native.Check.Status(n, nameof(chunk));
        return handles.Take(n).Select(h => new Tensor(h)).ToArray();
    }

    /// <summary>
    /// NumPy-style indexing over leading dims: an integer selects (removing the dim), a Range slices,
    /// a 1-D int64 tensor picks indices, a bool tensor (same shape as the leading dims) masks.
    /// Example: <c>x[0, 1..3]</c>, <c>x[.., ^1]</c>.
    /// </summary>
    public Tensor this[params TensorIndex[] indices] => TensorIndex.Apply(this, indices);
}

/// <summary>One position in an indexing expression: <c>x[i]</c>, <c>x[a..b]</c>, <c>x[indexTensor]</c>.</summary>
public readonly struct TensorIndex
{
    readonly long? single;
    readonly Index? singleFromEnd;
    readonly Range? range;
    readonly Tensor? tensor;

    TensorIndex(long? s, Index? fromEnd, Range? r, Tensor? t) { single = s; singleFromEnd = fromEnd; range = r; tensor = t; }

    public static implicit operator TensorIndex(long i) => new(i, null, null, null);
    public static implicit operator TensorIndex(int i) => new(i, null, null, null);
    public static implicit operator TensorIndex(Index i) => new(null, i, null, null);
    public static implicit operator TensorIndex(Range r) => new(null, null, r, null);
    public static implicit operator TensorIndex(Tensor t) => new(null, null, null, t);

    internal static Tensor Apply(Tensor source, TensorIndex[] indices)
    {
        using var scope = torch.NewDisposeScope();
        var result = source.alias();
        long dim = 0;
        foreach (var index in indices)
        {
            long size = result.size((int)dim);
            if (index.single is long i) result = result.select(dim, i);
            else if (index.singleFromEnd is Index e) result = result.select(dim, e.GetOffset((int)size));
            else if (index.range is Range r)
            {
                var (start, length) = r.GetOffsetAndLength((int)size);
                result = result.narrow(dim, start, length);
                dim++;
            }
            else if (index.tensor is Tensor t)
            {
                if (t.dtype == ScalarType.Bool) { result = result.masked_select(t); dim = 1; }
                else { result = result.index_select(dim, t); dim++; }
            }
        }
        return scope.MoveToOuter(result);
    }
}
