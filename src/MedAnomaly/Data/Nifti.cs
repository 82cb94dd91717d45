using System.IO.Compression;

namespace MedAnomaly.Data;

/// <summary>A NIfTI image as stored: the header and the raw voxel values (byte[], sbyte[], short[], ushort[],
/// int[], uint[], long[], float[] or double[], x fastest, native byte order, scaling NOT applied).</summary>
public sealed record NiftiImage(NiftiHeader Header, Array Raw);

/// <summary>
/// NIfTI-1 / NIfTI-2 codec for single-file images (.nii, .nii.gz). Reads either version in either byte order
/// (detected from sizeof_hdr), datatypes u8, i8, i16, u16, i32, u32, i64, f32, f64; skips header extensions
/// (data is read from vox_offset); applies scl_slope/scl_inter exactly as nibabel's get_fdata (value =
/// slope·raw + inter when slope is finite and ≠ 0); gives the affine nibabel's <c>img.affine</c> gives.
/// Writes little-endian NIfTI-1 with both sform and qform set from the affine; gzip when the name ends in .gz.
/// Corrupt files throw <see cref="InvalidDataException"/> naming the file; unsupported variants
/// (.hdr/.img pairs, complex/RGB datatypes) throw <see cref="NotSupportedException"/>. The voxel count is
/// checked against the file size (or, for gzip, data is read in chunks) before the voxel buffer is allocated.
/// </summary>
public static class Nifti
{
    /// <summary>Reads a .nii or .nii.gz file into a float32 <see cref="Volume"/> (scaling applied).</summary>
    public static Volume Read(string path) => ToVolume(ReadRaw(path));

    /// <summary>Reads the header and the unscaled voxel values of a .nii or .nii.gz file.</summary>
    public static NiftiImage ReadRaw(string path)
    {
        using var file = File.OpenRead(path);
        try { return ReadRaw(file); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        catch (NotSupportedException e) { throw new NotSupportedException($"{path}: {e.Message}", e); }
    }

    /// <summary>Reads a NIfTI image from a stream; gzip is detected from the magic bytes 1f 8b.</summary>
    public static NiftiImage ReadRaw(Stream stream)
    {
        Stream source = stream;
        GZipStream? gzip = null;
        if (stream.CanSeek)
        {
            var first = new byte[2];
            int n = stream.ReadAtLeast(first, 2, throwOnEndOfStream: false);
            stream.Seek(-n, SeekOrigin.Current);
            if (n == 2 && first[0] == 0x1F && first[1] == 0x8B) source = gzip = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
        }
        try { return ReadUncompressed(source); }
        finally { gzip?.Dispose(); }
    }

    private static NiftiImage ReadUncompressed(Stream s)
    {
        var start = RawElements.ReadExactly(s, 4, "NIfTI header (sizeof_hdr)");
        var (version, _) = NiftiHeader.DetectVersion(start);
        int size = version == 1 ? 348 : 540;
        var block = new byte[size];
        start.CopyTo(block, 0);
        RawElements.ReadExactly(s, size - 4, $"NIfTI-{version} header of {size} bytes").CopyTo(block, 4);
        var header = NiftiHeader.Parse(block);

        int bytesPerVoxel = NiftiHeader.BytesPerVoxel(header.DataType);
        long count = header.VoxelCount;
        if (count < 0 || count > Array.MaxLength / bytesPerVoxel)
            throw new InvalidDataException($"NIfTI dims ({string.Join(", ", header.Shape)}) describe more voxels than can be read");
        RawElements.Skip(s, header.VoxOffset - size, $"NIfTI vox_offset {header.VoxOffset}");
        var raw = RawElements.ReadExactly(s, count * bytesPerVoxel,
            $"NIfTI voxel data ({string.Join("×", header.Shape)} {header.DataType}) at offset {header.VoxOffset}");
        return new NiftiImage(header, Decode(raw, header.DataType, header.BigEndian));
    }

    /// <summary>Applies scaling and builds a <see cref="Volume"/> with nibabel's best affine.</summary>
    public static Volume ToVolume(NiftiImage image)
    {
        var h = image.Header;
        var values = ScaledFloat32(image.Raw, h.SclSlope, h.SclInter);
        var dims = h.Shape.Select(d => checked((int)d)).ToArray();
        double[] voxelSize = [Pixdim(h, 1), Pixdim(h, 2), Pixdim(h, 3)];
        return new Volume(values, dims, voxelSize, h.BestAffine(), h.DataType) { QformCode = h.QformCode, SformCode = h.SformCode };
    }

    private static double Pixdim(NiftiHeader h, int k) => k <= h.Dim[0] ? h.PixDim[k] : 1;

    /// <summary>value = slope·raw + inter (in float64, then rounded to float32) when slope is finite and ≠ 0.</summary>
    private static float[] ScaledFloat32(Array raw, double slope, double inter)
    {
        if (slope == 0 || !double.IsFinite(slope)) return RawElements.ToFloat32(raw);
        var values = RawElements.ToFloat64(raw);
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = (float)(values[i] * slope + inter);
        return result;
    }

    private static Array Decode(byte[] raw, NiftiDataType type, bool big) => type switch
    {
        NiftiDataType.UInt8 => raw,
        NiftiDataType.Int8 => RawElements.Decode<sbyte>(raw, big),
        NiftiDataType.Int16 => RawElements.Decode<short>(raw, big),
        NiftiDataType.UInt16 => RawElements.Decode<ushort>(raw, big),
        NiftiDataType.Int32 => RawElements.Decode<int>(raw, big),
        NiftiDataType.UInt32 => RawElements.Decode<uint>(raw, big),
        NiftiDataType.Int64 => RawElements.Decode<long>(raw, big),
        NiftiDataType.Float32 => RawElements.Decode<float>(raw, big),
        NiftiDataType.Float64 => RawElements.Decode<double>(raw, big),
        _ => throw new NotSupportedException($"NIfTI datatype {(short)type}"),
    };

    /// <summary>
    /// Writes <paramref name="volume"/> as a little-endian NIfTI-1 file (gzip when the name ends in .gz),
    /// atomically. The affine sets both sform (code = volume.SformCode or 2 "aligned") and qform (code =
    /// volume.QformCode or 1 "scanner"; pixdim and quaternion as nibabel's set_qform). Integer datatypes store
    /// values rounded to the nearest integer (no scaling); a value outside the type's range or NaN throws
    /// <see cref="ArgumentException"/>.
    /// </summary>
    public static void Write(string path, Volume volume, NiftiDataType dataType = NiftiDataType.Float32)
    {
        var header = new NiftiHeader { DataType = dataType, BitPix = 8 * NiftiHeader.BytesPerVoxel(dataType), SclSlope = 1, SclInter = 0 };
        header.Dim[0] = volume.Dims.Length;
        for (int i = 0; i < volume.Dims.Length; i++)
        {
            if (volume.Dims[i] > short.MaxValue) throw new ArgumentException($"dimension {volume.Dims[i]} exceeds NIfTI-1's limit of {short.MaxValue}");
            header.Dim[i + 1] = volume.Dims[i];
        }
        header.SetAffine(volume.Affine);
        header.SformCode = volume.SformCode > 0 ? volume.SformCode : 2;
        header.QformCode = volume.QformCode > 0 ? volume.QformCode : 1;
        var data = Encode(volume.Data, dataType);
        var headerBytes = header.ToNifti1Bytes();
        bool gz = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        RawElements.WriteAtomically(path, fs =>
        {
            if (!gz) { fs.Write(headerBytes); fs.Write(data); return; }
            using var zip = new GZipStream(fs, CompressionLevel.Fastest, leaveOpen: true);
            zip.Write(headerBytes);
            zip.Write(data);
        });
    }

    private static byte[] Encode(float[] values, NiftiDataType type) => type switch
    {
        NiftiDataType.Float32 => RawElements.EncodeLittleEndian<float>(values),
        NiftiDataType.Float64 => RawElements.EncodeLittleEndian<double>(Array.ConvertAll(values, v => (double)v)),
        NiftiDataType.UInt8 => ToInteger(values, byte.MinValue, byte.MaxValue, v => (byte)v),
        NiftiDataType.Int8 => RawElements.EncodeLittleEndian<sbyte>(ToInteger(values, sbyte.MinValue, sbyte.MaxValue, v => (sbyte)v)),
        NiftiDataType.Int16 => RawElements.EncodeLittleEndian<short>(ToInteger(values, short.MinValue, short.MaxValue, v => (short)v)),
        NiftiDataType.UInt16 => RawElements.EncodeLittleEndian<ushort>(ToInteger(values, ushort.MinValue, ushort.MaxValue, v => (ushort)v)),
        NiftiDataType.Int32 => RawElements.EncodeLittleEndian<int>(ToInteger(values, int.MinValue, int.MaxValue, v => (int)v)),
        NiftiDataType.UInt32 => RawElements.EncodeLittleEndian<uint>(ToInteger(values, uint.MinValue, uint.MaxValue, v => (uint)v)),
        NiftiDataType.Int64 => RawElements.EncodeLittleEndian<long>(ToInteger(values, long.MinValue, long.MaxValue, v => (long)v)),
        _ => throw new NotSupportedException($"NIfTI datatype {(short)type}"),
    };

    private static T[] ToInteger<T>(float[] values, double min, double max, Func<double, T> cast)
    {
        var result = new T[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double v = Math.Round(values[i], MidpointRounding.AwayFromZero);
            if (!(v >= min && v < max + 1.0)) // max + 1 is exact in double even for long
                throw new ArgumentException($"voxel {i} has value {values[i]}, which does not fit {typeof(T).Name} [{min}, {max}]");
            result[i] = cast(v);
        }
        return result;
    }
}
