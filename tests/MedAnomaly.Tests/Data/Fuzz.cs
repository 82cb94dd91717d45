using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MedAnomaly.Tests.Data;

/// <summary>
/// The fuzzing shared by every format (issue #18 item 11): seeded mutations of a valid file, and the check that a reader
/// either accepts the result or refuses it with one of its typed exceptions, within <see cref="Timeout"/> and without
/// allocating more than <see cref="AllocationLimit"/> managed bytes (sizes are checked before buffers are allocated). A
/// native crash ends the test process, which fails the run.
/// </summary>
public static class Fuzz
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    public const long AllocationLimit = 64L << 20;

    static readonly (long Value, int Bytes)[] Boundaries =
    [
        (0, 1), (1, 1), (0x7F, 1), (0x80, 1), (0xFF, 1), (0x7FFF, 2), (0x8000, 2), (0xFFFF, 2),
        (int.MaxValue, 4), (int.MinValue, 4), (uint.MaxValue, 4), (long.MaxValue, 8), (long.MinValue, 8), (-1, 8),
    ];

    /// <summary>The <paramref name="i"/>-th mutation of <paramref name="bytes"/> (which stay untouched), at offsets below
    /// <paramref name="headerLength"/> where it writes: byte replacements, bit flips, a truncation, a chunk cut out or
    /// doubled, or a boundary integer (0, ±1, 0x7F…, 0xFF…, the int and long limits) in either byte order.</summary>
    public static (byte[] Bytes, string What) Mutate(Random rng, byte[] bytes, int headerLength, int i)
    {
        int region = Math.Max(1, Math.Min(bytes.Length, headerLength));
        switch (i % 6)
        {
            case 0 or 1:
            {
                var copy = (byte[])bytes.Clone();
                int changes = 1 + rng.Next(4);
                string what = i % 6 == 0 ? "bytes replaced" : "bits flipped";
                for (int k = 0; k < changes && copy.Length > 0; k++)
                {
                    int at = rng.Next(region);
                    copy[at] = (byte)(i % 6 == 0 ? rng.Next(256) : copy[at] ^ (1 << rng.Next(8)));
                    what += $" @{at}";
                }
                return (copy, what);
            }
            case 2:
            {
                int cut = rng.Next(bytes.Length);
                return (bytes[..cut], $"truncated to {cut} bytes");
            }
            case 3 or 4:
            {
                int at = rng.Next(region), length = Math.Min(1 + rng.Next(16), bytes.Length - at);
                return i % 6 == 3
                    ? ([.. bytes[..at], .. bytes[(at + length)..]], $"{length} bytes cut @{at}")
                    : ([.. bytes[..(at + length)], .. bytes[at..]], $"{length} bytes doubled @{at}");
            }
            default:
            {
                var copy = (byte[])bytes.Clone();
                var (value, width) = Boundaries[rng.Next(Boundaries.Length)];
                int at = rng.Next(Math.Max(1, region - width + 1));
                bool bigEndian = rng.Next(2) == 0;
                Span<byte> encoded = stackalloc byte[8];
                if (bigEndian) BinaryPrimitives.WriteInt64BigEndian(encoded, value << (64 - 8 * width));
                else BinaryPrimitives.WriteInt64LittleEndian(encoded, value);
                encoded[..Math.Min(width, copy.Length - at)].CopyTo(copy.AsSpan(at));
                return (copy, $"{value} as {width} bytes {(bigEndian ? "big" : "little")}-endian @{at}");
            }
        }
    }

    /// <summary>Numbers a JSON mutation writes: small, degenerate and out-of-range ones, none so large that a valid reading
    /// of it would allocate gigabytes (a byte flip of a real file cannot produce those either).</summary>
    static readonly JsonNode?[] Replacements = [0, -1, 1, 2, 3, 7, 33, 255, 0.5, -0.5, 2147483648L, "", "x", "../outside", true, null, new JsonArray(), new JsonObject()];

    /// <summary>A structural mutation of a JSON document: one value (anywhere in it) replaced by a <see cref="Replacements"/>
    /// entry, a member removed, or an array emptied. Returns the document and what changed.</summary>
    public static (JsonNode Node, string What) MutateJson(Random rng, JsonNode document)
    {
        var copy = document.DeepClone();
        var slots = Slots(copy).ToList();
        if (slots.Count == 0) return (copy, "unchanged");
        var (parent, key) = slots[rng.Next(slots.Count)];
        string path = parent.GetPath() + (key is string k ? "." + k : $"[{key}]");
        switch (rng.Next(3))
        {
            case 0 when key is string name && parent is JsonObject o:
                o.Remove(name);
                return (copy, $"{path} removed");
            case 1 when Child(parent, key) is JsonArray array:
                array.Clear();
                return (copy, $"{path} emptied");
            default:
                var value = Replacements[rng.Next(Replacements.Length)]?.DeepClone();
                string text = value?.ToJsonString() ?? "null";
                if (parent is JsonObject obj) obj[(string)key] = value; else ((JsonArray)parent)[(int)key] = value;
                return (copy, $"{path} = {text}");
        }
    }

    static JsonNode? Child(JsonNode parent, object key) => parent is JsonObject o ? o[(string)key] : ((JsonArray)parent)[(int)key];

    static IEnumerable<(JsonNode Parent, object Key)> Slots(JsonNode node)
    {
        if (node is JsonObject o)
            foreach (var (name, child) in o.ToList())
            {
                yield return (o, name);
                if (child is not null) foreach (var slot in Slots(child)) yield return slot;
            }
        else if (node is JsonArray a)
            for (int i = 0; i < a.Count; i++)
            {
                yield return (a, i);
                if (a[i] is { } child) foreach (var slot in Slots(child)) yield return slot;
            }
    }

    /// <summary>Failures of many cases, gathered so that one run of a fuzz test reports every distinct one (the first 20)
    /// instead of stopping at the first.</summary>
    public sealed class Failures
    {
        readonly List<string> messages = [];

        /// <summary><see cref="Fuzz.Check"/>, its failure kept instead of thrown (null then).</summary>
        public Exception? Check(string target, string what, Action read, params Type[] allowed)
        {
            try { return Fuzz.Check(target, what, read, allowed); }
            catch (Xunit.Sdk.XunitException e)
            {
                lock (messages) messages.Add(e.Message);
                return null;
            }
        }

        public void AssertNone()
        {
            var distinct = messages.DistinctBy(m => m.Split('\n')[0][(m.IndexOf("): ", StringComparison.Ordinal) + 1)..]).Take(20).ToList();
            Assert.True(messages.Count == 0, $"{messages.Count} failing cases; the first distinct ones:\n\n{string.Join("\n\n", distinct)}");
        }
    }

    /// <summary>Runs <paramref name="read"/> once on its own thread; fails the test on an exception of another type than
    /// <paramref name="allowed"/> (or their subtypes), on a read that takes longer than <see cref="Timeout"/>, or on one
    /// that allocates more than <see cref="AllocationLimit"/>. Returns the allowed exception, or null when it read.</summary>
    public static Exception? Check(string target, string what, Action read, params Type[] allowed)
    {
        long allocated = 0;
        var clock = Stopwatch.StartNew();
        var run = Task.Factory.StartNew(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { read(); return null; }
            catch (Exception e) { return e; }
            finally { allocated = GC.GetAllocatedBytesForCurrentThread() - before; }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(run.Wait(Timeout), $"{target} ({what}): no answer after {Timeout.TotalSeconds:0} s");
        var caught = run.Result;
        if (caught is not null && !allowed.Any(t => t.IsInstanceOfType(caught)))
            Assert.Fail($"{target} ({what}): {caught.GetType().Name}: {caught.Message}\n{caught.StackTrace}");
        Assert.True(allocated < AllocationLimit, $"{target} ({what}) allocated {allocated} bytes");
        return caught;
    }
}
