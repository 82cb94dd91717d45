namespace MedAnomaly.Metrics;

/// <summary>The surface (one-voxel border) of a binary mask as MedPy's <c>__surface_distances</c> takes it:
/// <c>mask ^ binary_erosion(mask, generate_binary_structure(ndim, 1), iterations=1)</c>, i.e. the mask voxels
/// with a face neighbour (connectivity 1) outside the mask or outside the grid (SciPy's border_value = 0).</summary>
public static class Surface
{
    /// <summary>Surface [n] of a row-major mask of <paramref name="shape"/>.</summary>
    public static bool[] Of(ReadOnlySpan<bool> mask, ReadOnlySpan<int> shape)
    {
        var strides = Strides(shape, mask.Length);
        var surface = new bool[mask.Length];
        for (int i = 0; i < mask.Length; i++)
        {
            if (!mask[i]) continue;
            for (int axis = 0; axis < shape.Length && !surface[i]; axis++)
            {
                int stride = strides[axis], coordinate = i / stride % shape[axis];
                surface[i] = coordinate == 0 || !mask[i - stride] || coordinate == shape[axis] - 1 || !mask[i + stride];
            }
        }
        return surface;
    }

    /// <summary>Row-major strides of a grid; throws unless its size is <paramref name="length"/>.</summary>
    internal static int[] Strides(ReadOnlySpan<int> shape, int length)
    {
        var strides = new int[shape.Length];
        long size = 1;
        for (int axis = shape.Length - 1; axis >= 0; axis--)
        {
            if (shape[axis] <= 0) throw new ArgumentException($"grid extents must be positive, got [{string.Join(",", shape.ToArray())}]");
            strides[axis] = (int)size;
            size *= shape[axis];
        }
        if (shape.Length == 0 || size != length)
            throw new ArgumentException($"grid of shape [{string.Join(",", shape.ToArray())}] holds {size} elements, the mask {length}");
        return strides;
    }
}
