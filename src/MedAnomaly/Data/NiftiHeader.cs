using System.Buffers.Binary;
using System.Text;

namespace MedAnomaly.Data;

/// <summary>NIfTI datatype codes (nifti1.h) that <see cref="Nifti"/> reads and writes.</summary>
public enum NiftiDataType : short
{
    UInt8 = 2, Int16 = 4, Int32 = 8, Float32 = 16, Float64 = 64,
    Int8 = 256, UInt16 = 512, UInt32 = 768, Int64 = 1024,
}

/// <summary>
/// The fields of a NIfTI-1 (348-byte) or NIfTI-2 (540-byte) header that the codec uses, in float64 whatever
/// the version. Offsets are those of nifti1.h / nifti2.h (see docs/data-codecs.md).
/// </summary>
public sealed class NiftiHeader
{
    public int Version { get; set; } = 1;
    public bool BigEndian { get; set; }
    /// <summary>dim[0..7]: dim[0] = number of dimensions, dim[1..] sizes.</summary>
    public long[] Dim { get; set; } = [3, 1, 1, 1, 1, 1, 1, 1];
    public NiftiDataType DataType { get; set; } = NiftiDataType.Float32;
    public int BitPix { get; set; } = 32;
    /// <summary>pixdim[0..7]: pixdim[0] = qfac (±1), pixdim[1..3] voxel size.</summary>
    public double[] PixDim { get; set; } = [1, 1, 1, 1, 1, 1, 1, 1];
    public long VoxOffset { get; set; } = 352;
    public double SclSlope { get; set; } = 1;
    public double SclInter { get; set; }
    public int QformCode { get; set; }
    public int SformCode { get; set; }
    public double QuaternB { get; set; }
    public double QuaternC { get; set; }
    public double QuaternD { get; set; }
    public double[] QOffset { get; set; } = [0, 0, 0];
    /// <summary>srow_x, srow_y, srow_z: the first three rows of the sform affine.</summary>
    public double[][] SRow { get; set; } = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];
    public int XyztUnits { get; set; } = 10; // mm + seconds
    public string Description { get; set; } = "";

    public int HeaderSize => Version == 1 ? 348 : 540;

    /// <summary>Sizes dim[1..dim[0]] (nibabel's <c>header.get_data_shape()</c>).</summary>
    public long[] Shape => Dim[1..(int)(Dim[0] + 1)];

    /// <summary>Bytes per voxel for a datatype.</summary>
    public static int BytesPerVoxel(NiftiDataType t) => t switch
    {
        NiftiDataType.UInt8 or NiftiDataType.Int8 => 1,
        NiftiDataType.Int16 or NiftiDataType.UInt16 => 2,
        NiftiDataType.Int32 or NiftiDataType.UInt32 or NiftiDataType.Float32 => 4,
        NiftiDataType.Int64 or NiftiDataType.Float64 => 8,
        _ => throw new NotSupportedException($"NIfTI datatype {(short)t} is not supported (expected one of 2, 4, 8, 16, 64, 256, 512, 768, 1024)"),
    };

    /// <summary>
    /// The affine nibabel's <c>img.affine</c> returns (Nifti1Header.get_best_affine): the sform when
    /// sform_code ≠ 0, else the qform when qform_code ≠ 0, else the base affine: diag(−pixdim1, pixdim2, pixdim3)
    /// with the origin at the volume centre (volumeutils.shape_zoom_affine with x flip).
    /// </summary>
    public double[,] BestAffine()
    {
        if (SformCode != 0) return SformAffine();
        if (QformCode != 0) return QformAffine();
        return BaseAffine();
    }

    public double[,] SformAffine()
    {
        var a = Identity();
        for (int r = 0; r < 3; r++) for (int c = 0; c < 4; c++) a[r, c] = SRow[r][c];
        return a;
    }

    /// <summary>qform affine (NIfTI-1 method 2): R(quaternion) · diag(pixdim1, pixdim2, qfac·pixdim3) + qoffset,
    /// with a = √(1 − b² − c² − d²) (0 when slightly negative) and qfac = pixdim[0] (taken as 1 unless −1).</summary>
    public double[,] QformAffine()
    {
        double b = QuaternB, c = QuaternC, d = QuaternD;
        double w2 = 1.0 - (b * b + c * c + d * d);
        double threshold = Version == 1 ? -3 * 1.1920928955078125e-07 : -3 * 2.220446049250313e-16;
        if (w2 < threshold) throw new InvalidDataException($"NIfTI qform quaternion (b, c, d) = ({b}, {c}, {d}) has norm > 1");
        double a = w2 < 0 ? 0 : Math.Sqrt(w2);
        var rotation = QuaternionToMatrix(a, b, c, d);
        double qfac = PixDim[0] == -1 ? -1 : 1;
        double[] zoom = [PixDim[1], PixDim[2], PixDim[3] * qfac];
        var m = Identity();
        for (int r = 0; r < 3; r++)
        {
            for (int k = 0; k < 3; k++) m[r, k] = rotation[r, k] * zoom[k];
            m[r, 3] = QOffset[r];
        }
        return m;
    }

    /// <summary>Base affine of nibabel's shape_zoom_affine(shape, zooms, x_flip=True).</summary>
    public double[,] BaseAffine()
    {
        var m = Identity();
        for (int k = 0; k < 3; k++)
        {
            double size = k < Dim[0] ? Dim[k + 1] : 1;
            double zoom = k < Dim[0] ? PixDim[k + 1] : 1;
            if (k == 0) zoom = -zoom;
            m[k, k] = zoom;
            m[k, 3] = -(size - 1) / 2.0 * zoom;
        }
        return m;
    }

    /// <summary>Rotation matrix of quaternion (w, x, y, z) (nibabel.quaternions.quat2mat; allows non-unit q).</summary>
    private static double[,] QuaternionToMatrix(double w, double x, double y, double z)
    {
        double n = w * w + x * x + y * y + z * z;
        if (n < 2.220446049250313e-16) return new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
        double s = 2.0 / n, X = x * s, Y = y * s, Z = z * s;
        double wX = w * X, wY = w * Y, wZ = w * Z, xX = x * X, xY = x * Y, xZ = x * Z, yY = y * Y, yZ = y * Z, zZ = z * Z;
        return new double[,]
        {
            { 1 - (yY + zZ), xY - wZ, xZ + wY },
            { xY + wZ, 1 - (xX + zZ), yZ - wX },
            { xZ - wY, yZ + wX, 1 - (xX + yY) },
        };
    }

    /// <summary>Sets sform rows and the qform (quaternion, qfac, offsets, pixdim[1..3]) from an affine, as
    /// nibabel's set_sform / set_qform do: zooms are column norms, qfac = sign det, the rotation is made
    /// orthogonal by polar decomposition before conversion to a quaternion with a ≥ 0.</summary>
    public void SetAffine(double[,] affine)
    {
        for (int r = 0; r < 3; r++) for (int c = 0; c < 4; c++) SRow[r][c] = affine[r, c];
        var rot = new double[3, 3];
        var zoom = new double[3];
        for (int c = 0; c < 3; c++)
        {
            zoom[c] = Math.Sqrt(affine[0, c] * affine[0, c] + affine[1, c] * affine[1, c] + affine[2, c] * affine[2, c]);
            if (zoom[c] == 0) throw new ArgumentException($"affine column {c} is zero; cannot derive a voxel size");
            for (int r = 0; r < 3; r++) rot[r, c] = affine[r, c] / zoom[c];
        }
        double qfac = Det(rot) > 0 ? 1 : -1;
        if (qfac < 0) for (int r = 0; r < 3; r++) rot[r, 2] = -rot[r, 2];
        rot = NearestOrthogonal(rot);
        var (w, x, y, z) = MatrixToQuaternion(rot);
        QuaternB = x; QuaternC = y; QuaternD = z;
        QOffset = [affine[0, 3], affine[1, 3], affine[2, 3]];
        PixDim[0] = qfac;
        for (int k = 0; k < 3; k++) PixDim[k + 1] = zoom[k];
        _ = w;
    }

    /// <summary>Orthogonal polar factor of a non-singular 3×3 matrix by Newton's iteration Q ← (Q + Q⁻ᵀ)/2.</summary>
    private static double[,] NearestOrthogonal(double[,] m)
    {
        var q = (double[,])m.Clone();
        for (int iter = 0; iter < 50; iter++)
        {
            var invT = InverseTranspose(q);
            double change = 0;
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++)
                {
                    double next = 0.5 * (q[r, c] + invT[r, c]);
                    change = Math.Max(change, Math.Abs(next - q[r, c]));
                    q[r, c] = next;
                }
            if (change < 1e-15) break;
        }
        return q;
    }

    private static double Det(double[,] m) =>
        m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
        + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);

    private static double[,] InverseTranspose(double[,] m)
    {
        double det = Det(m);
        if (Math.Abs(det) < 1e-300) throw new ArgumentException("affine rotation part is singular");
        var cof = new double[3, 3];
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
            {
                int r1 = (r + 1) % 3, r2 = (r + 2) % 3, c1 = (c + 1) % 3, c2 = (c + 2) % 3;
                cof[r, c] = (m[r1, c1] * m[r2, c2] - m[r1, c2] * m[r2, c1]) / det; // cofactor/det = (M⁻¹)ᵀ
            }
        return cof;
    }

    /// <summary>Unit quaternion (w ≥ 0) of a rotation matrix (Shepperd's method).</summary>
    private static (double W, double X, double Y, double Z) MatrixToQuaternion(double[,] m)
    {
        double trace = m[0, 0] + m[1, 1] + m[2, 2];
        double w, x, y, z;
        if (trace > 0)
        {
            double s = Math.Sqrt(trace + 1) * 2;
            w = 0.25 * s; x = (m[2, 1] - m[1, 2]) / s; y = (m[0, 2] - m[2, 0]) / s; z = (m[1, 0] - m[0, 1]) / s;
        }
        else if (m[0, 0] > m[1, 1] && m[0, 0] > m[2, 2])
        {
            double s = Math.Sqrt(1 + m[0, 0] - m[1, 1] - m[2, 2]) * 2;
            w = (m[2, 1] - m[1, 2]) / s; x = 0.25 * s; y = (m[0, 1] + m[1, 0]) / s; z = (m[0, 2] + m[2, 0]) / s;
        }
        else if (m[1, 1] > m[2, 2])
        {
            double s = Math.Sqrt(1 + m[1, 1] - m[0, 0] - m[2, 2]) * 2;
            w = (m[0, 2] - m[2, 0]) / s; x = (m[0, 1] + m[1, 0]) / s; y = 0.25 * s; z = (m[1, 2] + m[2, 1]) / s;
        }
        else
        {
            double s = Math.Sqrt(1 + m[2, 2] - m[0, 0] - m[1, 1]) * 2;
            w = (m[1, 0] - m[0, 1]) / s; x = (m[0, 2] + m[2, 0]) / s; y = (m[1, 2] + m[2, 1]) / s; z = 0.25 * s;
        }
        return w < 0 ? (-w, -x, -y, -z) : (w, x, y, z);
    }

    private static double[,] Identity() => new double[,] { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } };

    // ---- binary layout ----

    private static readonly byte[] Magic2 = [(byte)'n', (byte)'+', (byte)'2', 0, (byte)'\r', (byte)'\n', 0x1A, (byte)'\n'];

    /// <summary>Version and byte order from the first 4 bytes (sizeof_hdr = 348 or 540, in either byte order).</summary>
    public static (int Version, bool BigEndian) DetectVersion(ReadOnlySpan<byte> first4)
    {
        int le = BinaryPrimitives.ReadInt32LittleEndian(first4), be = BinaryPrimitives.ReadInt32BigEndian(first4);
        if (le == 348) return (1, false);
        if (le == 540) return (2, false);
        if (be == 348) return (1, true);
        if (be == 540) return (2, true);
        throw new InvalidDataException($"not a NIfTI file: sizeof_hdr is {le} (expected 348 for NIfTI-1 or 540 for NIfTI-2, in either byte order)");
    }

    /// <summary>Parses a header block of <see cref="HeaderSize"/> bytes and checks its fields.</summary>
    public static NiftiHeader Parse(ReadOnlySpan<byte> b)
    {
        var (version, big) = DetectVersion(b);
        var h = new NiftiHeader { Version = version, BigEndian = big };
        if (version == 1)
        {
            if (!(b[344] == 'n' && b[345] == '+' && b[346] == '1' && b[347] == 0))
            {
                if (b[344] == 'n' && b[345] == 'i' && b[346] == '1')
                    throw new NotSupportedException("NIfTI-1 pair (.hdr/.img, magic 'ni1') is not supported; expected a single .nii file (magic 'n+1')");
                throw new InvalidDataException("NIfTI-1 magic at offset 344 is not 'n+1\\0'");
            }
            for (int i = 0; i < 8; i++) h.Dim[i] = RawElements.I16(b, 40 + 2 * i, big);
            h.DataType = (NiftiDataType)RawElements.I16(b, 70, big);
            h.BitPix = RawElements.I16(b, 72, big);
            for (int i = 0; i < 8; i++) h.PixDim[i] = RawElements.F32(b, 76 + 4 * i, big);
            double vox = RawElements.F32(b, 108, big);
            if (!(vox >= 0 && vox <= long.MaxValue / 2 && vox == Math.Floor(vox)))
                throw new InvalidDataException($"NIfTI-1 vox_offset {vox} is not a non-negative whole number of bytes");
            h.VoxOffset = vox == 0 ? 352 : (long)vox; // 0 in old single files means "right after the header"
            h.SclSlope = RawElements.F32(b, 112, big);
            h.SclInter = RawElements.F32(b, 116, big);
            h.XyztUnits = b[123];
            h.Description = Encoding.Latin1.GetString(b.Slice(148, 80)).TrimEnd('\0');
            h.QformCode = RawElements.I16(b, 252, big);
            h.SformCode = RawElements.I16(b, 254, big);
            h.QuaternB = RawElements.F32(b, 256, big); h.QuaternC = RawElements.F32(b, 260, big); h.QuaternD = RawElements.F32(b, 264, big);
            h.QOffset = [RawElements.F32(b, 268, big), RawElements.F32(b, 272, big), RawElements.F32(b, 276, big)];
            for (int r = 0; r < 3; r++) for (int c = 0; c < 4; c++) h.SRow[r][c] = RawElements.F32(b, 280 + 16 * r + 4 * c, big);
        }
        else
        {
            if (!b.Slice(4, 8).SequenceEqual(Magic2)) throw new InvalidDataException("NIfTI-2 magic at offset 4 is not 'n+2\\0\\r\\n\\x1a\\n'");
            h.DataType = (NiftiDataType)RawElements.I16(b, 12, big);
            h.BitPix = RawElements.I16(b, 14, big);
            for (int i = 0; i < 8; i++) h.Dim[i] = RawElements.I64(b, 16 + 8 * i, big);
            for (int i = 0; i < 8; i++) h.PixDim[i] = RawElements.F64(b, 104 + 8 * i, big);
            h.VoxOffset = RawElements.I64(b, 168, big);
            h.SclSlope = RawElements.F64(b, 176, big);
            h.SclInter = RawElements.F64(b, 184, big);
            h.Description = Encoding.Latin1.GetString(b.Slice(240, 80)).TrimEnd('\0');
            h.QformCode = RawElements.I32(b, 344, big);
            h.SformCode = RawElements.I32(b, 348, big);
            h.QuaternB = RawElements.F64(b, 352, big); h.QuaternC = RawElements.F64(b, 360, big); h.QuaternD = RawElements.F64(b, 368, big);
            h.QOffset = [RawElements.F64(b, 376, big), RawElements.F64(b, 384, big), RawElements.F64(b, 392, big)];
            for (int r = 0; r < 3; r++) for (int c = 0; c < 4; c++) h.SRow[r][c] = RawElements.F64(b, 400 + 32 * r + 8 * c, big);
            h.XyztUnits = RawElements.I32(b, 500, big);
        }
        h.Validate();
        return h;
    }

    /// <summary>Checks dims, datatype/bitpix and vox_offset; throws InvalidDataException / NotSupportedException.</summary>
    private void Validate()
    {
        if (Dim[0] is < 1 or > 7) throw new InvalidDataException($"NIfTI dim[0] = {Dim[0]} (expected 1 to 7 dimensions)");
        foreach (long d in Shape)
            if (d < 0 || d > int.MaxValue) throw new InvalidDataException($"NIfTI dims ({string.Join(", ", Shape)}) contain a negative or oversized dimension");
        int bytes = BytesPerVoxel(DataType);
        if (BitPix != 8 * bytes) throw new InvalidDataException($"NIfTI bitpix {BitPix} does not match datatype {DataType} ({8 * bytes} bits)");
        if (VoxOffset < HeaderSize + 4) throw new InvalidDataException($"NIfTI vox_offset {VoxOffset} is inside the header (expected ≥ {HeaderSize + 4})");
        if (SclSlope != 0 && double.IsFinite(SclSlope) && !double.IsFinite(SclInter))
            throw new InvalidDataException($"NIfTI scl_slope {SclSlope} is valid but scl_inter {SclInter} is not finite");
    }

    /// <summary>Number of voxels Π(dim[1..dim[0]]), or −1 on overflow.</summary>
    public long VoxelCount => RawElements.CheckedCount(Shape);

    /// <summary>Serialises as a little-endian NIfTI-1 header (348 bytes) followed by 4 zero extension bytes.</summary>
    public byte[] ToNifti1Bytes()
    {
        var b = new byte[352];
        var s = b.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(s, 348);
        b[38] = (byte)'r'; // "regular", as nibabel writes
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteInt16LittleEndian(s[(40 + 2 * i)..], checked((short)Dim[i]));
        BinaryPrimitives.WriteInt16LittleEndian(s[70..], (short)DataType);
        BinaryPrimitives.WriteInt16LittleEndian(s[72..], (short)BitPix);
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteSingleLittleEndian(s[(76 + 4 * i)..], (float)PixDim[i]);
        BinaryPrimitives.WriteSingleLittleEndian(s[108..], VoxOffset);
        BinaryPrimitives.WriteSingleLittleEndian(s[112..], (float)SclSlope);
        BinaryPrimitives.WriteSingleLittleEndian(s[116..], (float)SclInter);
        b[123] = (byte)XyztUnits;
        var descrip = Encoding.Latin1.GetBytes(Description);
        descrip.AsSpan(0, Math.Min(79, descrip.Length)).CopyTo(s[148..]);
        BinaryPrimitives.WriteInt16LittleEndian(s[252..], (short)QformCode);
        BinaryPrimitives.WriteInt16LittleEndian(s[254..], (short)SformCode);
        BinaryPrimitives.WriteSingleLittleEndian(s[256..], (float)QuaternB);
        BinaryPrimitives.WriteSingleLittleEndian(s[260..], (float)QuaternC);
        BinaryPrimitives.WriteSingleLittleEndian(s[264..], (float)QuaternD);
        for (int k = 0; k < 3; k++) BinaryPrimitives.WriteSingleLittleEndian(s[(268 + 4 * k)..], (float)QOffset[k]);
        for (int r = 0; r < 3; r++) for (int c = 0; c < 4; c++) BinaryPrimitives.WriteSingleLittleEndian(s[(280 + 16 * r + 4 * c)..], (float)SRow[r][c]);
        b[344] = (byte)'n'; b[345] = (byte)'+'; b[346] = (byte)'1';
        return b;
    }
}
