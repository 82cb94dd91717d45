namespace MedAnomaly.Data;

/// <summary>
/// A 3D (or 4D) image volume as NIfTI stores it: voxel values as float32 in x-fastest (Fortran) order,
/// index = x + nx·(y + ny·(z + nz·t)), with the voxel-to-world affine.
/// </summary>
public sealed class Volume
{
    /// <summary>Creates a volume. <paramref name="dims"/> are (nx, ny, nz[, nt, ...]) — nibabel's <c>img.shape</c>;
    /// <paramref name="data"/> has Π(dims) values, x fastest. Affine defaults to diag(voxelSize, 1).</summary>
    public Volume(float[] data, int[] dims, double[]? voxelSize = null, double[,]? affine = null,
                  NiftiDataType sourceType = NiftiDataType.Float32)
    {
        if (dims.Length is < 1 or > 7) throw new ArgumentException($"volume dims must have 1 to 7 entries, got {dims.Length}");
        long count = 1;
        foreach (int d in dims)
        {
            if (d < 0) throw new ArgumentException($"volume dims must be non-negative, got ({string.Join(", ", dims)})");
            count *= d;
        }
        if (count != data.LongLength)
            throw new ArgumentException($"volume dims ({string.Join(", ", dims)}) hold {count} voxels but data has {data.LongLength}");
        voxelSize ??= [1, 1, 1];
        if (voxelSize.Length != 3) throw new ArgumentException($"voxel size must have 3 entries, got {voxelSize.Length}");
        if (affine is not null && (affine.GetLength(0) != 4 || affine.GetLength(1) != 4))
            throw new ArgumentException("affine must be 4×4");
        Data = data;
        Dims = (int[])dims.Clone();
        VoxelSize = (double[])voxelSize.Clone();
        Affine = affine ?? new double[,] { { voxelSize[0], 0, 0, 0 }, { 0, voxelSize[1], 0, 0 }, { 0, 0, voxelSize[2], 0 }, { 0, 0, 0, 1 } };
        SourceType = sourceType;
    }

    /// <summary>Voxel values, x fastest (length Π(Dims)); scl_slope/scl_inter already applied.</summary>
    public float[] Data { get; }

    /// <summary>Dimensions (nx, ny, nz[, nt, ...]), as nibabel's <c>img.shape</c>.</summary>
    public int[] Dims { get; }

    /// <summary>Voxel size (pixdim[1..3]), usually millimetres.</summary>
    public double[] VoxelSize { get; }

    /// <summary>4×4 voxel-to-world affine, as nibabel's <c>img.affine</c> (sform, else qform, else base affine).</summary>
    public double[,] Affine { get; }

    /// <summary>The datatype the values were stored as in the file (Float32 for a volume built in memory).</summary>
    public NiftiDataType SourceType { get; }

    /// <summary>qform_code / sform_code of the file read (0 when unknown or built in memory).</summary>
    public int QformCode { get; init; }
    public int SformCode { get; init; }

    public int Nx => Dims[0];
    public int Ny => Dims.Length > 1 ? Dims[1] : 1;
    public int Nz => Dims.Length > 2 ? Dims[2] : 1;
    /// <summary>Number of 3D frames (product of dims 4..7; 1 for a 3D volume).</summary>
    public int Nt => Dims.Skip(3).Aggregate(1, (a, b) => a * b);

    /// <summary>The voxel at (x, y, z, t).</summary>
    public float this[int x, int y, int z, int t = 0] => Data[Index(x, y, z, t)];

    /// <summary>Flat index of voxel (x, y, z, t) in <see cref="Data"/>.</summary>
    public long Index(int x, int y, int z, int t = 0)
    {
        if ((uint)x >= Nx || (uint)y >= Ny || (uint)z >= Nz || (uint)t >= Nt)
            throw new ArgumentOutOfRangeException(nameof(x), $"voxel ({x}, {y}, {z}, {t}) is outside dims ({string.Join(", ", Dims)})");
        return x + (long)Nx * (y + (long)Ny * (z + (long)Nz * t));
    }

    /// <summary>Height and width of <see cref="Slice"/> along <paramref name="axis"/>: the two remaining axes
    /// u &lt; v give Width = size of u, Height = size of v.</summary>
    public (int Height, int Width) SliceShape(int axis) => axis switch
    {
        0 => (Nz, Ny),
        1 => (Nz, Nx),
        2 => (Ny, Nx),
        _ => throw new ArgumentOutOfRangeException(nameof(axis), $"axis must be 0, 1 or 2, got {axis}"),
    };

    /// <summary>
    /// The 2D slice at <paramref name="index"/> along <paramref name="axis"/> (0 = x/sagittal, 1 = y/coronal,
    /// 2 = z/axial) of frame <paramref name="t"/>: row-major [Height, Width] (see <see cref="SliceShape"/>), the
    /// lower-numbered remaining axis running along a row. For axis 2 this is nibabel's <c>data[:, :, index].T</c>.
    /// </summary>
    public float[] Slice(int axis, int index, int t = 0)
    {
        var (height, width) = SliceShape(axis);
        int size = axis switch { 0 => Nx, 1 => Ny, _ => Nz };
        if ((uint)index >= size) throw new ArgumentOutOfRangeException(nameof(index), $"slice {index} is outside axis {axis} of size {size}");
        var slice = new float[(long)height * width];
        for (int row = 0; row < height; row++)
            for (int col = 0; col < width; col++)
            {
                var (x, y, z) = axis switch { 0 => (index, col, row), 1 => (col, index, row), _ => (col, row, index) };
                slice[(long)row * width + col] = Data[Index(x, y, z, t)];
            }
        return slice;
    }
}
