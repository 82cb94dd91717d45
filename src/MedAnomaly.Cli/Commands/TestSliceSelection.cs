using MedAnomaly.Data;
using MedAnomaly.Runtime;

namespace MedAnomaly.Cli.Commands;

/// <summary>The test slices an .npy of integer indices names (`train --test-slices`, `score --slices`): the peers'
/// runners write such a file, so both sides score the same slices in the same order.</summary>
public static class TestSliceSelection
{
    public static SliceDataset Select(SliceDataset test, string path, string option)
    {
        var indices = Npy.Read(path).ToFloat64();
        var items = indices.Select(v => v == Math.Floor(v) && v >= 0 && v < test.Count
            ? test[(int)v]
            : throw new ArgumentException($"{option} {path}: index {v} is not a slice of the test split (0 … {test.Count - 1})")).ToList();
        if (items.Count == 0) throw new ArgumentException($"{option} {path}: lists no slice; expected at least one index into the test split");
        return new SliceDataset(items);
    }
}
