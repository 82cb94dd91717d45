namespace MedAnomaly.Metrics;

/// <summary>
/// Surface distances between two non-empty binary masks as MedPy computes them (<c>medpy.metric.binary</c>):
/// <c>__surface_distances(result, reference)</c> = for each voxel of the result's <see cref="Surface"/>, the Euclidean
/// distance (in spacing units) to the nearest voxel of the reference's surface, through an exact distance transform
/// (<see cref="EuclideanDistanceTransform"/>); <c>hd95</c> = the 95th percentile (<see cref="Percentile.Linear"/>) of
/// both directions' distances together. Both masks are first cropped to the bounding box of their union, which
/// changes no distance (every surface voxel lies inside it, and voxels outside it are background either way).
/// </summary>
public static class SurfaceDistance
{
    /// <summary>MedPy's <c>hd95(result, reference, voxelspacing, connectivity=1)</c> of row-major masks of <paramref name="shape"/>.</summary>
    public static double Hd95(ReadOnlySpan<bool> result, ReadOnlySpan<bool> reference, ReadOnlySpan<int> shape, ReadOnlySpan<double> spacing)
    {
        var (r, f, box) = CropToUnion(result, reference, shape);
        var resultSurface = Surface.Of(r, box);
        var referenceSurface = Surface.Of(f, box);
        var distances = new List<double>();
        AddDirected(resultSurface, referenceSurface, box, spacing, distances);
        AddDirected(referenceSurface, resultSurface, box, spacing, distances);
        return Percentile.Linear(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(distances), 95);
    }

    /// <summary>MedPy's <c>__surface_distances(result, reference, voxelspacing, connectivity=1)</c>, in flat index order.</summary>
    public static double[] Directed(ReadOnlySpan<bool> result, ReadOnlySpan<bool> reference, ReadOnlySpan<int> shape, ReadOnlySpan<double> spacing)
    {
        CheckNotEmpty(result, reference);
        var distances = new List<double>();
        AddDirected(Surface.Of(result, shape), Surface.Of(reference, shape), shape, spacing, distances);
        return distances.ToArray();
    }

    static void AddDirected(bool[] fromSurface, bool[] toSurface, ReadOnlySpan<int> shape, ReadOnlySpan<double> spacing, List<double> distances)
    {
        var distance = EuclideanDistanceTransform.Distances(toSurface, shape, spacing);
        for (int i = 0; i < fromSurface.Length; i++) if (fromSurface[i]) distances.Add(distance[i]);
    }

    static void CheckNotEmpty(ReadOnlySpan<bool> result, ReadOnlySpan<bool> reference)
    {
        MetricInputs.CheckSameLength(result.Length, reference.Length, "result", "reference");
        if (!result.Contains(true)) throw new ArgumentException("the result mask is empty: surface distances need an object in both masks (choose an EmptyMaskConvention)");
        if (!reference.Contains(true)) throw new ArgumentException("the reference mask is empty: surface distances need an object in both masks (choose an EmptyMaskConvention)");
    }

    /// <summary>Both masks cut to the bounding box of their union, and the box's shape.</summary>
    static (bool[] Result, bool[] Reference, int[] Shape) CropToUnion(ReadOnlySpan<bool> result, ReadOnlySpan<bool> reference, ReadOnlySpan<int> shape)
    {
        CheckNotEmpty(result, reference);
        var strides = Surface.Strides(shape, result.Length);
        int rank = shape.Length;
        var low = Enumerable.Repeat(int.MaxValue, rank).ToArray();
        var high = new int[rank];
        for (int i = 0; i < result.Length; i++)
        {
            if (!result[i] && !reference[i]) continue;
            for (int axis = 0; axis < rank; axis++)
            {
                int c = i / strides[axis] % shape[axis];
                low[axis] = Math.Min(low[axis], c); high[axis] = Math.Max(high[axis], c);
            }
        }
        var box = new int[rank];
        for (int axis = 0; axis < rank; axis++) box[axis] = high[axis] - low[axis] + 1;
        int size = box.Aggregate(1, (a, b) => a * b);
        var r = new bool[size]; var f = new bool[size];
        var coordinate = new int[rank]; // odometer over the box, last axis fastest
        for (int j = 0; j < size; j++)
        {
            int source = 0;
            for (int axis = 0; axis < rank; axis++) source += (low[axis] + coordinate[axis]) * strides[axis];
            r[j] = result[source]; f[j] = reference[source];
            for (int axis = rank - 1; axis >= 0 && ++coordinate[axis] == box[axis]; axis--) coordinate[axis] = 0;
        }
        return (r, f, box);
    }
}
