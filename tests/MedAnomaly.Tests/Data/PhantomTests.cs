using System.Security.Cryptography;
using MedAnomaly.Data;
using MedAnomaly.Randomness;

namespace MedAnomaly.Tests.Data;

public class PhantomTests
{
    private const int Size = 40;

    private static string Hash(PhantomVolume v)
    {
        var bytes = new byte[v.Image.Length * 4];
        Buffer.BlockCopy(v.Image, 0, bytes, 0, bytes.Length);
        return Convert.ToHexString(SHA256.HashData(bytes.Concat(v.Mask).ToArray()));
    }

    [Fact]
    public void Same_seed_gives_identical_volumes_and_another_seed_differs()
    {
        var a = Phantom.Generate(11, Size, true);
        var b = Phantom.Generate(11, Size, true);
        var c = Phantom.Generate(12, Size, true);
        Assert.Equal(Hash(a), Hash(b));
        Assert.NotEqual(Hash(a), Hash(c));
    }

    [Fact]
    public void Volume_seeds_are_distinct_per_index_and_seed()
    {
        var seeds = Enumerable.Range(0, 1000).Select(i => Phantom.VolumeSeed(5, i)).Concat(Enumerable.Range(0, 1000).Select(i => Phantom.VolumeSeed(6, i)));
        Assert.Equal(2000, seeds.Distinct().Count());
    }

    [Fact]
    public void Seeded_random_matches_reference_splitmix64_and_xoshiro256starstar()
    {
        // tests/golden/make_rng_golden.py (a direct transcription of Vigna's reference C code).
        ulong x = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, SeededRandom.SplitMix64(ref x));
        var r = new SeededRandom(7);
        Assert.Equal(new[] { 0xB358FAF74EF9765AUL, 0x475C3D964F482CD2UL, 0xD6F1D349952C7996UL },
                     new[] { r.NextUInt64(), r.NextUInt64(), r.NextUInt64() });
    }

    [Fact]
    public void Lesion_masks_are_non_empty_and_inside_the_brain()
    {
        for (ulong seed = 0; seed < 3; seed++)
        {
            var v = Phantom.Generate(seed, Size, true);
            int lesion = 0;
            for (int i = 0; i < v.Mask.Length; i++)
            {
                if (v.Mask[i] == 0) continue;
                lesion++;
                Assert.True(PhantomAnatomy.IsParenchyma((PhantomTissue)v.Labels[i]), $"seed {seed}: lesion voxel {i} is in {(PhantomTissue)v.Labels[i]}");
            }
            Assert.True(lesion > 0, $"seed {seed}: empty lesion mask");
            Assert.NotEmpty(v.Lesions);
            Assert.Equal(lesion, v.Lesions.Sum(l => l.Voxels));
        }
        Assert.All(Phantom.Generate(3, Size, false).Mask, m => Assert.Equal(0, m));
    }

    [Fact]
    public void Values_are_finite_non_negative_and_background_is_zero()
    {
        var v = Phantom.Generate(21, Size, true);
        Assert.All(v.Image, x => Assert.True(float.IsFinite(x) && x >= 0 && x < 2f, $"value {x}"));
        Assert.Equal(0f, v.Image[0]);                 // corner: outside the head
        int centre = (Size / 2 * Size + Size / 2) * Size + Size / 2;
        Assert.True(v.Image[centre] > 0.1f);
    }

    [Fact]
    public void T2_contrast_orders_csf_above_grey_above_white_matter()
    {
        var v = Phantom.Generate(5, 48, false);
        double Mean(PhantomTissue t)
        {
            double s = 0; int n = 0;
            for (int i = 0; i < v.Image.Length; i++) if (v.Labels[i] == (byte)t) { s += v.Image[i]; n++; }
            Assert.True(n > 100, $"{t}: only {n} voxels");
            return s / n;
        }
        double csf = Mean(PhantomTissue.Ventricle), gm = Mean(PhantomTissue.GreyMatter), wm = Mean(PhantomTissue.WhiteMatter);
        Assert.True(csf > gm + 0.1, $"CSF {csf} vs GM {gm}");
        Assert.True(gm > wm + 0.05, $"GM {gm} vs WM {wm}");
        Assert.True(Mean(PhantomTissue.Skull) < wm, "skull should be darker than white matter");
    }

    [Fact]
    public void Subjects_vary_in_anatomy()
    {
        int Ventricle(ulong seed) => Phantom.Generate(seed, 32, false).Labels.Count(l => l == (byte)PhantomTissue.Ventricle);
        var counts = Enumerable.Range(0, 4).Select(s => Ventricle((ulong)s)).ToArray();
        Assert.True(counts.Max() > 1.2 * counts.Min(), $"ventricle sizes {string.Join(", ", counts)}");
    }

    [Fact]
    public void Bad_size_is_rejected() => Assert.Throws<ArgumentException>(() => Phantom.Generate(1, 4, false));

    [Theory]
    [InlineData(1, 40, 0.3, "--volumes 1 with --test-fraction 0.3 gives 1 training and 0 test volume(s)")]
    [InlineData(4, 40, 0.0, "gives 4 training and 0 test volume(s)")]
    [InlineData(4, 40, 1.0, "gives 0 training and 4 test volume(s)")]
    [InlineData(4, 5, 0.3, "phantom size must be in [16, 512], got 5")]
    [InlineData(4, 40, double.NaN, "--test-fraction must be in [0, 1]")]
    public void A_set_that_cannot_be_made_is_refused_before_any_folder_is_created(int volumes, int size, double testFraction, string expected)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"medanomaly-phantom-{Guid.NewGuid():N}");
        var error = Assert.Throws<ArgumentException>(() => PhantomSet.Write(dir, volumes, size, seed: 0, testFraction));
        Assert.Contains(expected, error.Message);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void A_failure_while_writing_removes_what_the_set_wrote()
    {
        string dir = Directory.CreateTempSubdirectory("medanomaly-phantom-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "mine.txt"), "kept");
            Directory.CreateDirectory(Path.Combine(dir, "test", "phantom_0003_mask.nii.gz"));   // a folder where a file must go
            Assert.ThrowsAny<IOException>(() => PhantomSet.Write(dir, volumes: 4, size: 16, seed: 0, testFraction: 0.5));
            Assert.Equal(["mine.txt", "test"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order());
            Assert.Equal(["phantom_0003_mask.nii.gz"], Directory.EnumerateFileSystemEntries(Path.Combine(dir, "test")).Select(Path.GetFileName));
        }
        finally { Directory.Delete(dir, true); }
    }
}
