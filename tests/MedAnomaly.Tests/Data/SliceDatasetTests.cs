using MedAnomaly.Data;

namespace MedAnomaly.Tests.Data;

public class SliceDatasetTests
{
    /// <summary>A 6×5×4 volume (x, y, z) whose slice z has foreground in the first z·6 voxels (z = 0 empty),
    /// values 1..; a mask marking voxel (1, 1, 3).</summary>
    private static (Volume image, Volume mask) Synthetic()
    {
        int nx = 6, ny = 5, nz = 4;
        var data = new float[nx * ny * nz];
        var mask = new float[data.Length];
        for (int z = 0; z < nz; z++)
            for (int k = 0; k < z * 6; k++) data[z * nx * ny + k] = 1 + k;
        mask[3 * nx * ny + 1 * nx + 1] = 1;
        return (new Volume(data, new[] { nx, ny, nz }), new Volume(mask, new[] { nx, ny, nz }));
    }

    [Fact]
    public void Slices_below_the_foreground_threshold_are_dropped()
    {
        var (image, mask) = Synthetic();
        // Foreground fractions of z = 0..3: 0, 6/30, 12/30, 18/30.
        Assert.Equal(new[] { 1, 2, 3 }, SliceDataset.FromVolume(image, mask, PreprocessRecipe.Empty, 2, 0.1, "v.nii").Select(i => i.Index));
        Assert.Equal(new[] { 2, 3 }, SliceDataset.FromVolume(image, mask, PreprocessRecipe.Empty, 2, 0.4, "v.nii").Select(i => i.Index));
        Assert.Equal(4, SliceDataset.FromVolume(image, null, PreprocessRecipe.Empty, 2, 0, "v.nii").Count);
    }

    [Fact]
    public void Items_trace_back_to_their_volume_slice()
    {
        var (image, mask) = Synthetic();
        var recipe = new PreprocessRecipe(new[] { PreprocessStep.Clip(0, 10) });
        var items = SliceDataset.FromVolume(image, mask, recipe, 2, 0.1, "sub/v.nii.gz", "test", 1);
        foreach (var it in items)
        {
            Assert.Equal("sub/v.nii.gz", it.Source);
            Assert.Equal(2, it.Axis);
            Assert.Equal($"sub/v.nii.gz[axis=2, slice={it.Index}]", it.Origin);
            var expected = image.Slice(2, it.Index).Select(v => Math.Min(v, 10f)).ToArray();
            Assert.Equal(expected, it.Image);
            Assert.Equal(expected.Select(v => v > 0 ? (byte)1 : (byte)0), it.Foreground);
            Assert.Equal((5, 6), (it.Height, it.Width));
        }
        // Labels come from the mask, not the split: only z = 3 has a lesion voxel.
        Assert.Equal(new[] { 0, 0, 1 }, items.Select(i => i.Label));
        Assert.Equal(1, items[2].Mask![1 * 6 + 1]);
    }

    [Fact]
    public void Without_masks_items_take_the_split_label_and_other_axes_work()
    {
        var (image, _) = Synthetic();
        var items = SliceDataset.FromVolume(image, null, PreprocessRecipe.Empty, 0, 0, "v.nii", "test", 1);
        Assert.Equal(6, items.Count);
        Assert.All(items, i => { Assert.Equal(1, i.Label); Assert.Null(i.Mask); Assert.Equal((4, 5), (i.Height, i.Width)); });
    }

    [Fact]
    public void Resize_steps_apply_to_image_mask_and_foreground()
    {
        var (image, mask) = Synthetic();
        var recipe = new PreprocessRecipe(new[] { PreprocessStep.Resize(10, 12, "bilinear") });
        var item = SliceDataset.FromVolume(image, mask, recipe, 2, 0.5, "v.nii").Single();
        Assert.Equal((10, 12, 120), (item.Height, item.Width, item.Image.Length));
        Assert.Equal(Resize.Image2D(image.Slice(2, 3), 5, 6, 10, 12, ResizeMode.Bilinear), item.Image);
        Assert.All(item.Mask!, m => Assert.True(m is 0 or 1));
        Assert.Equal(4, item.Mask!.Count(m => m == 1));   // one voxel → 2×2 by nearest
    }

    [Fact]
    public void Mismatched_mask_is_rejected()
    {
        var (image, _) = Synthetic();
        var bad = new Volume(new float[8], new[] { 2, 2, 2 });
        var e = Assert.Throws<InvalidDataException>(() => SliceDataset.FromVolume(image, bad, PreprocessRecipe.Empty, 2, 0, "v.nii"));
        Assert.Contains("v.nii: mask dims (2, 2, 2) differ", e.Message);
    }

    [Fact]
    public void Phantom_set_loads_through_its_manifest()
    {
        var root = Directory.CreateTempSubdirectory("phantom-slices").FullName;
        try
        {
            var set = PhantomSet.Write(root, volumes: 2, size: 24, seed: 4, testFraction: 0.5);
            var m = DatasetManifest.Load(set.ManifestPath) with { Preprocess = PreprocessRecipe.Disyre(16) };
            var test = SliceDataset.Load(m, root, "test");
            Assert.NotEmpty(test.Items);
            Assert.All(test.Items, i =>
            {
                Assert.Equal("test/phantom_0001.nii.gz", i.Source);
                Assert.Equal((16, 16), (i.Height, i.Width));
                Assert.All(i.Image, v => Assert.InRange(v, 0f, 1f));
                Assert.NotNull(i.Mask);
            });
            Assert.Throws<ArgumentException>(() => SliceDataset.Load(m, root, "validation"));
        }
        finally { Directory.Delete(root, true); }
    }

    /// <summary>The volumes are read in parallel; a bad one still gives its own typed error, not an AggregateException.</summary>
    [Fact]
    public void A_truncated_volume_among_many_gives_its_own_typed_error()
    {
        var root = Directory.CreateTempSubdirectory("phantom-truncated").FullName;
        try
        {
            var set = PhantomSet.Write(root, volumes: 6, size: 16, seed: 4, testFraction: 0.34);
            string bad = Path.Combine(root, "train", "phantom_0002.nii.gz");
            File.WriteAllBytes(bad, File.ReadAllBytes(bad)[..1000]);
            var error = Assert.Throws<InvalidDataException>(() => SliceDataset.Load(DatasetManifest.Load(set.ManifestPath), root, "train"));
            Assert.Contains("phantom_0002.nii.gz", error.Message);
            Assert.Contains("truncated", error.Message);
        }
        finally { Directory.Delete(root, true); }
    }

    /// <summary>A 2×2 slice of <paramref name="source"/> with the brain in pixels 0–2 and lesion pixels at <paramref name="lesion"/>.</summary>
    static SliceItem Slice(string source, int index, params int[] lesion)
    {
        var mask = new byte[4];
        foreach (int p in lesion) mask[p] = 1;
        return new SliceItem(new float[4], 2, 2, lesion.Length > 0 ? 1 : 0, mask, [1, 1, 1, 0], source, 2, index, "test");
    }

    [Fact]
    public void Lesion_pixels_count_only_inside_the_brain()
    {
        Assert.Equal(2, Slice("a", 0, 0, 1, 3).LesionPixels);   // pixel 3 lies outside the brain
        Assert.Equal(0, (Slice("a", 0) with { Mask = null }).LesionPixels);
    }

    [Fact]
    public void Visible_lesions_keep_healthy_slices_and_lesions_of_the_given_size()
    {
        var data = new SliceDataset([Slice("a", 0), Slice("a", 1, 0), Slice("a", 2, 0, 1), Slice("a", 3, 3), Slice("b", 0, 0, 1, 2)]);
        Assert.Equal(new[] { ("a", 0), ("a", 2), ("b", 0) }, data.WithVisibleLesions(2).Items.Select(s => (s.Source, s.Index)));
        // A slice labelled lesioned whose lesion lies outside the brain is no healthy slice either.
        Assert.DoesNotContain(data.WithVisibleLesions(1).Items, s => s.Index == 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.WithVisibleLesions(0));
    }

    [Fact]
    public void Largest_lesions_take_each_volume_largest_first_then_the_next_largest()
    {
        var data = new SliceDataset([Slice("a", 0, 0), Slice("a", 1, 0, 1, 2), Slice("a", 2, 0, 1), Slice("b", 0, 0), Slice("c", 0)]);
        Assert.Equal(new[] { ("a", 1), ("b", 0) }, data.LargestLesions(2).Items.Select(s => (s.Source, s.Index)));
        Assert.Equal(new[] { ("a", 1), ("a", 2), ("b", 0) }, data.LargestLesions(3).Items.Select(s => (s.Source, s.Index)));
        Assert.Equal(4, data.LargestLesions(10).Count);   // the slice without lesion is never picked
        Assert.Throws<ArgumentOutOfRangeException>(() => data.LargestLesions(0));
    }
}
