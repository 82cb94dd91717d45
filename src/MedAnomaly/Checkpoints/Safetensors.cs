using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format (huggingface/safetensors): an 8-byte little-endian header length N,
/// N bytes of UTF-8 JSON <c>{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}</c>
/// padded with spaces to a multiple of 8, then the tensors' bytes (row-major, little-endian) back to back,
/// offsets relative to the start of that buffer. No code runs on load.
/// <para>
/// Files are written byte-for-byte as the reference Rust implementation (<c>safetensors::tensor::prepare</c>)
/// writes them: tensors ordered by dtype (the Rust <c>Dtype</c> enum order, descending: I64, F64, F32, I32,
/// BF16, F16, I16, I8, U8, BOOL) then by name (byte-wise UTF-8); compact JSON with <c>__metadata__</c> first
/// and each entry's keys in the order dtype, shape, data_offsets. The reference keeps metadata in a hash map
/// (no defined order); here metadata keys are written sorted (byte-wise), which matches it for one key.
/// </para>
/// </summary>
public static class Safetensors
{
    /// <summary>Largest header accepted on read, as the reference (100 MB).</summary>
    public const long MaxHeaderSize = 100_000_000;

    const string MetadataKey = "__metadata__";
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The dtypes this binding reads and writes, with their safetensors names.</summary>
    static readonly (string Name, ScalarType Type)[] Dtypes =
    [
        ("BOOL", ScalarType.Bool), ("U8", ScalarType.Byte), ("I8", ScalarType.Int8), ("I16", ScalarType.Int16),
        ("F16", ScalarType.Float16), ("BF16", ScalarType.BFloat16), ("I32", ScalarType.Int32),
        ("F32", ScalarType.Float32), ("F64", ScalarType.Float64), ("I64", ScalarType.Int64),
    ];

    /// <summary>Position of each dtype in the reference's <c>Dtype</c> enum (which also lists U16, U32, U64, F8).</summary>
    static int RustOrder(string dtype) => Array.IndexOf(
        ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"], dtype);

    public static string DtypeName(ScalarType type)
    {
        foreach (var (name, t) in Dtypes) if (t == type) return name;
        throw new ArgumentException($"dtype {type} has no safetensors name");
    }

    static ScalarType? DtypeFromName(string name)
    {
        foreach (var (n, t) in Dtypes) if (n == name) return t;
        return null;
    }

    /// <summary>One header entry: the tensor's dtype, shape and byte range in the data buffer.</summary>
    public sealed record TensorInfo(string Name, ScalarType Dtype, long[] Shape, long Begin, long End);

    /// <summary>A parsed, validated header: entries in buffer order, the metadata, and where the buffer starts.</summary>
    public sealed record Header(IReadOnlyList<TensorInfo> Tensors, IReadOnlyDictionary<string, string> Metadata, long DataStart);

    // ------------------------------------------------------------------ writing

    /// <summary>
    /// Writes <paramref name="tensors"/> (any device; CUDA tensors are copied to the CPU one at a time) and the
    /// optional string metadata to <paramref name="path"/>: first to a temporary file in the same directory,
    /// then renamed, so a failure never leaves half a file.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors writing needs a little-endian host");
        var entries = Plan(tensors);
        var header = HeaderBytes(entries, metadata);
        var full = Path.GetFullPath(path);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> length = stackalloc byte[8];
                BitConverter.TryWriteBytes(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (var e in entries) WriteData(stream, tensors[e.Name]);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>The header entries in the reference's order, with offsets assigned.</summary>
    static List<TensorInfo> Plan(IReadOnlyDictionary<string, Tensor> tensors)
    {
        var ordered = tensors
            .Select(kv =>
            {
                if (kv.Key == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor");
                return (kv.Key, Dtype: DtypeName(kv.Value.dtype), kv.Value);
            })
            .OrderByDescending(x => RustOrder(x.Dtype))
            .ThenBy(x => Encoding.UTF8.GetBytes(x.Key), ByteArrayComparer.Instance)
            .ToList();
        var result = new List<TensorInfo>(ordered.Count);
        long offset = 0;
        foreach (var (name, _, t) in ordered)
        {
            long n = checked(t.numel() * t.element_size());
            result.Add(new TensorInfo(name, t.dtype, t.shape, offset, offset + n));
            offset += n;
        }
        return result;
    }

    /// <summary>The JSON header, compact, padded with spaces to a multiple of 8 bytes.</summary>
    static byte[] HeaderBytes(List<TensorInfo> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new StringBuilder("{");
        bool first = true;
        if (metadata != null)
        {
            json.Append('"').Append(MetadataKey).Append("\":{");
            var keys = metadata.Keys.OrderBy(k => Encoding.UTF8.GetBytes(k), ByteArrayComparer.Instance);
            json.AppendJoin(',', keys.Select(k => JsonString(k) + ":" + JsonString(metadata[k])));
            json.Append('}');
            first = false;
        }
        foreach (var e in entries)
        {
            if (!first) json.Append(',');
            first = false;
            json.Append(JsonString(e.Name)).Append(":{\"dtype\":\"").Append(DtypeName(e.Dtype)).Append("\",\"shape\":[")
                .AppendJoin(',', e.Shape).Append("],\"data_offsets\":[").Append(e.Begin).Append(',').Append(e.End).Append("]}");
        }
        json.Append('}');
        var bytes = Encoding.UTF8.GetBytes(json.ToString());
        int padding = (8 - bytes.Length % 8) % 8;
        return [.. bytes, .. Enumerable.Repeat((byte)' ', padding)];
    }

    /// <summary>A JSON string escaped as serde_json does: \" \\ \b \f \n \r \t, other controls as \u00xx, the rest raw.</summary>
    static string JsonString(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20) sb.Append("\\u00").Append(((int)c).ToString("x2"));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>Streams one tensor's bytes (a CPU, contiguous copy only when needed).</summary>
    static void WriteData(Stream stream, Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        var t = tensor.device_type == DeviceType.CPU ? tensor : tensor.cpu();
        if (!t.is_contiguous()) t = t.contiguous();
        long total = t.numel() * t.element_size();
        if (total == 0) return;
        ForEachChunk(t, total, chunk => stream.Write(chunk));
    }

    delegate void ChunkAction(Span<byte> chunk);

    /// <summary>Runs <paramref name="action"/> over a CPU tensor's memory (TorchSharp's <c>bytes</c> view, no copy).</summary>
    static void ForEachChunk(Tensor t, long total, ChunkAction action)
    {
        if (total > int.MaxValue) throw new NotSupportedException($"tensors over 2 GiB ({total} bytes) are not supported");
        action(t.bytes);
        GC.KeepAlive(t);
    }

    // ------------------------------------------------------------------ reading

    /// <summary>
    /// Loads every tensor (CPU) and the metadata. The header is validated first (see <see cref="ReadHeader"/>);
    /// any violation throws <see cref="InvalidDataException"/> naming the file, the tensor and what was expected.
    /// The returned object owns the tensors: dispose it when done (copy or clone what you keep).
    /// </summary>
    public static SafetensorsFile Load(string path)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors reading needs a little-endian host");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var header = ReadHeader(stream, path);
        var result = new SafetensorsFile(header.Metadata);
        try
        {
            stream.Position = header.DataStart;
            foreach (var info in header.Tensors)
            {
                var t = torch.empty(info.Shape, info.Dtype).DetachFromDisposeScope();
                result.Add(info.Name, t);
                long total = info.End - info.Begin;
                if (total > 0)
                    ForEachChunk(t, total, chunk =>
                    {
                        try { stream.ReadExactly(chunk); }
                        catch (EndOfStreamException) { throw Bad(path, $"tensor '{info.Name}': file ended inside its data"); }
                    });
            }
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>Reads and validates only the header (no tensor data), e.g. to inspect a checkpoint's metadata.</summary>
    public static Header ReadHeader(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return ReadHeader(stream, path);
    }

    static Header ReadHeader(Stream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < 8) throw Bad(path, $"file is {fileLength} bytes, shorter than the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong n = BitConverter.ToUInt64(lengthBytes);
        if (n > MaxHeaderSize) throw Bad(path, $"header length {n} exceeds the {MaxHeaderSize}-byte limit");
        if ((long)n > fileLength - 8) throw Bad(path, $"header length {n} exceeds the {fileLength - 8} bytes after the length field");
        var headerBytes = new byte[n];
        stream.ReadExactly(headerBytes);

        string text;
        try { text = StrictUtf8.GetString(headerBytes); }
        catch (DecoderFallbackException) { throw Bad(path, "header is not valid UTF-8"); }

        JsonDocument doc;
        try { doc = JsonDocument.Parse(text); }
        catch (JsonException e) { throw Bad(path, $"header is not valid JSON ({e.Message})"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Bad(path, $"header must be a JSON object, found {doc.RootElement.ValueKind}");
            var (tensors, metadata) = ParseEntries(doc.RootElement, path);
            long bufferLength = fileLength - 8 - (long)n;
            CheckLayout(tensors, bufferLength, path);
            return new Header(tensors, metadata, 8 + (long)n);
        }
    }

    static (List<TensorInfo>, Dictionary<string, string>) ParseEntries(JsonElement root, string path)
    {
        var seen = new HashSet<string>();
        var tensors = new List<TensorInfo>();
        var metadata = new Dictionary<string, string>();
        foreach (var property in root.EnumerateObject())
        {
            if (!seen.Add(property.Name)) throw Bad(path, $"header names '{property.Name}' twice");
            if (property.Name == MetadataKey) metadata = ParseMetadata(property.Value, path);
            else tensors.Add(ParseTensor(property.Name, property.Value, path));
        }
        return (tensors, metadata);
    }

    static Dictionary<string, string> ParseMetadata(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.Null) return new();
        if (value.ValueKind != JsonValueKind.Object) throw Bad(path, $"'{MetadataKey}' must be an object of strings, found {value.ValueKind}");
        var result = new Dictionary<string, string>();
        foreach (var p in value.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
                throw Bad(path, $"'{MetadataKey}' entry '{p.Name}' must be a string, found {p.Value.ValueKind}");
            if (!result.TryAdd(p.Name, p.Value.GetString()!)) throw Bad(path, $"'{MetadataKey}' names '{p.Name}' twice");
        }
        return result;
    }

    static TensorInfo ParseTensor(string name, JsonElement entry, string path)
    {
        if (entry.ValueKind != JsonValueKind.Object) throw Bad(path, $"tensor '{name}': expected an object with dtype, shape, data_offsets, found {entry.ValueKind}");
        JsonElement Field(string field) => entry.TryGetProperty(field, out var v) ? v : throw Bad(path, $"tensor '{name}': missing '{field}'");

        var dtypeElement = Field("dtype");
        var dtypeName = dtypeElement.ValueKind == JsonValueKind.String ? dtypeElement.GetString()! : dtypeElement.ToString();
        var dtype = DtypeFromName(dtypeName) ?? throw Bad(path,
            $"tensor '{name}': dtype '{dtypeName}' is not one of {string.Join(", ", Dtypes.Select(d => d.Name))}");
        var shape = NonNegativeIntegers(Field("shape"), path, name, "shape", null);
        var offsets = NonNegativeIntegers(Field("data_offsets"), path, name, "data_offsets", 2);
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    static long[] NonNegativeIntegers(JsonElement array, string path, string name, string field, int? count)
    {
        if (array.ValueKind != JsonValueKind.Array) throw Bad(path, $"tensor '{name}': '{field}' must be an array of non-negative integers, found {array.ValueKind}");
        var values = new List<long>();
        foreach (var v in array.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long x) || x < 0)
                throw Bad(path, $"tensor '{name}': '{field}' must hold non-negative integers, found {v.GetRawText()}");
            values.Add(x);
        }
        if (count is int c && values.Count != c) throw Bad(path, $"tensor '{name}': '{field}' must have {c} entries, found {values.Count}");
        return values.ToArray();
    }

    /// <summary>
    /// Checks that the byte ranges, taken in offset order, tile the buffer exactly: each begins where the last
    /// ended (the first at 0), each has numel·itemsize bytes, and the last ends at the end of the file.
    /// </summary>
    static void CheckLayout(List<TensorInfo> tensors, long bufferLength, string path)
    {
        tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expectedBegin = 0;
        foreach (var t in tensors)
        {
            if (t.End < t.Begin) throw Bad(path, $"tensor '{t.Name}': data_offsets [{t.Begin}, {t.End}] end before they begin");
            if (t.Begin != expectedBegin)
                throw Bad(path, t.Begin > expectedBegin
                    ? $"tensor '{t.Name}': data begins at {t.Begin}, expected {expectedBegin} (a hole in the buffer)"
                    : $"tensor '{t.Name}': data begins at {t.Begin}, expected {expectedBegin} (overlaps the previous tensor)");
            long expectedBytes;
            try { expectedBytes = checked(t.Shape.Aggregate(1L, (a, b) => a * b) * t.Dtype.ElementSize()); }
            catch (OverflowException) { throw Bad(path, $"tensor '{t.Name}': shape [{string.Join(", ", t.Shape)}] is too large"); }
            if (t.End - t.Begin != expectedBytes)
                throw Bad(path, $"tensor '{t.Name}': data_offsets [{t.Begin}, {t.End}] span {t.End - t.Begin} bytes, but dtype {DtypeName(t.Dtype)} and shape [{string.Join(", ", t.Shape)}] need {expectedBytes}");
            if (t.End > bufferLength)
                throw Bad(path, $"tensor '{t.Name}': data_offsets end at {t.End}, past the {bufferLength}-byte data buffer");
            expectedBegin = t.End;
        }
        if (expectedBegin != bufferLength)
            throw Bad(path, $"tensors cover {expectedBegin} bytes of the {bufferLength}-byte data buffer; expected it fully covered");
    }

    static InvalidDataException Bad(string path, string message) => new($"{path}: invalid safetensors file: {message}");

    sealed class ByteArrayComparer : IComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();
        public int Compare(byte[]? x, byte[]? y) => ((ReadOnlySpan<byte>)x).SequenceCompareTo(y);
    }
}

/// <summary>Tensors and metadata loaded by <see cref="Safetensors.Load"/>; owns the tensors (Dispose frees them).</summary>
public sealed class SafetensorsFile : IDisposable
{
    readonly Dictionary<string, Tensor> tensors = new();

    internal SafetensorsFile(IReadOnlyDictionary<string, string> metadata) => Metadata = metadata;

    /// <summary>Name → tensor (CPU), in the file's buffer order.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => tensors;

    /// <summary>The <c>__metadata__</c> strings (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public Tensor this[string name] => tensors.TryGetValue(name, out var t) ? t
        : throw new KeyNotFoundException($"no tensor '{name}' in the file (it has: {string.Join(", ", tensors.Keys)})");

    internal void Add(string name, Tensor t) => tensors.Add(name, t);

    public void Dispose()
    {
        foreach (var t in tensors.Values) t.Dispose();
        tensors.Clear();
    }
}
