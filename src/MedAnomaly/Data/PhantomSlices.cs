using TorchSharp;

namespace MedAnomaly.Data;

/// <summary>Preprocessed axial slices of phantom volumes as a <see cref="SliceDataset"/> or tensors, in memory (no files):
/// the quickest way for a notebook or a test to get healthy training slices and lesioned test slices. Volumes use
/// <see cref="Phantom.VolumeSeed"/>(seed, i), slices <see cref="PreprocessRecipe.Disyre"/>(sliceSize).</summary>
public static class PhantomSlices
{
    /// <summary>Slices of <paramref name="volumes"/> phantoms of edge <paramref name="volumeSize"/>, resized to
    /// <paramref name="sliceSize"/>, keeping those with at least <paramref name="minForeground"/> brain. With lesions,
    /// each slice's label is 1 when its mask has lesion voxels.</summary>
    public static SliceDataset Dataset(ulong seed, int volumes, int volumeSize, int sliceSize, bool withLesions, double minForeground = 0.2) =>
        Slices(seed, volumes, volumeSize, sliceSize, _ => withLesions, withLesions ? "test" : "train", minForeground);

    /// <summary>A weakly labelled training set, as <c>data phantom --weak</c> writes one: volumes with lesions and, like
    /// the test split, about <see cref="PhantomSet.HealthyTestFraction"/> without (<see cref="PhantomSet.HasLesions"/>); each
    /// slice labelled 1 when it has a lesion voxel; no masks (<see cref="SliceDataset.WithoutMasks"/>).</summary>
    public static SliceDataset Weak(ulong seed, int volumes, int volumeSize, int sliceSize, double minForeground = 0.2) =>
        Slices(seed, volumes, volumeSize, sliceSize, i => PhantomSet.HasLesions(seed, i), "weak", minForeground).WithoutMasks();

    static SliceDataset Slices(ulong seed, int volumes, int volumeSize, int sliceSize, Func<int, bool> withLesions, string split, double minForeground)
    {
        if (volumes < 1) throw new ArgumentException($"phantom slices: volumes must be at least 1, got {volumes}", nameof(volumes));
        var recipe = PreprocessRecipe.Disyre(sliceSize);
        var items = new List<SliceItem>();
        for (int i = 0; i < volumes; i++)
        {
            bool lesions = withLesions(i);
            var v = Phantom.Generate(Phantom.VolumeSeed(seed, i), volumeSize, lesions);
            var mask = lesions ? PhantomSet.ToVolume(v, Array.ConvertAll(v.Mask, b => (float)b)) : null;
            items.AddRange(SliceDataset.FromVolume(PhantomSet.ToVolume(v, v.Image), mask, recipe, axis: 2, minForeground, $"phantom_{i:D4}", split));
        }
        return new SliceDataset(items);
    }

    /// <summary>Up to <paramref name="count"/> slices as tensors: images [N,C,H,W] in [0,1], lesion masks and brain masks
    /// [N,1,H,W] in {0,1}. <paramref name="anomalousOnly"/> keeps slices with lesion voxels (when there are any).</summary>
    public static BatchTensors Tensors(SliceDataset dataset, int count, bool anomalousOnly = false)
    {
        var items = dataset.Items.Where(i => !anomalousOnly || i.Label == 1).ToList();
        if (items.Count == 0) items = dataset.Items.ToList();
        if (items.Count == 0) throw new ArgumentException("phantom slices: the dataset is empty", nameof(dataset));
        // Spread the picks over the dataset rather than taking neighbouring slices.
        var picks = Enumerable.Range(0, Math.Min(count, items.Count)).Select(k => items[(int)((long)k * items.Count / Math.Min(count, items.Count))]).ToList();
        int h = picks[0].Height, w = picks[0].Width;
        long[] shape = [picks.Count, 1, h, w];
        float[] Floats(Func<SliceItem, IEnumerable<float>> f) => picks.SelectMany(f).ToArray();
        return new BatchTensors(
            torch.tensor(Floats(i => i.Image), [picks.Count, picks[0].Channels, h, w]),
            torch.tensor(Floats(i => i.Mask is null ? new float[h * w] : i.Mask.Select(b => (float)b)), shape),
            torch.tensor(Floats(i => i.Foreground.Select(b => (float)b)), shape),
            picks.Select(i => i.Label).ToArray());
    }
}
