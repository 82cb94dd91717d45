using MedAnomaly.Corruptions;
using MedAnomaly.Diffusion;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.Corruptions;

public class GaussianNoiseTests
{
    [Fact]
    public void IsQSampleWithNoiseFromTheGenerator()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Linear();
        var corruption = new GaussianNoise(schedule);
        var clean = Golden.Wave([3, 1, 8, 8], 0.3, 0.2, ScalarType.Float32);
        var t = torch.tensor(new long[] { 0, 300, 999 });
        using var g1 = new Generator(11);
        using var result = corruption.Apply(clean, t, g1);
        var (corrupted, mask) = (result.Corrupted, result.Mask);
        using var g2 = new Generator(11);
        var expected = new GaussianDiffusion(schedule).QSample(clean, t, torch.randn([3, 1, 8, 8], generator: g2));
        Assert.Equal(expected.ToArray<float>(), corrupted.ToArray<float>());
        Assert.Equal(new long[] { 3, 1, 8, 8 }, mask.shape);
        Assert.True(mask.eq(1).all().item<bool>());
        Assert.Equal("gaussian-noise", corruption.Name);
        // t = 0 barely changes the image, t = 999 leaves almost only noise
        var change = (corrupted - clean).abs().mean([1, 2, 3]).ToArray<float>();
        Assert.True(change[0] < 0.02 && change[2] > 0.5, string.Join(", ", change));
    }

    [Fact]
    public void SameSeedSameCorruption()
    {
        using var scope = torch.NewDisposeScope();
        var corruption = new GaussianNoise();
        var clean = Golden.Wave([2, 1, 8, 8], 0.4, 0.1, ScalarType.Float32).abs();
        var t = torch.tensor(new long[] { 10, 500 });
        float[] Run(ulong seed) { using var g = new Generator(seed); return corruption.Apply(clean, t, g).Corrupted.ToArray<float>(); }
        Assert.Equal(Run(4), Run(4));
        Assert.NotEqual(Run(4), Run(5));
        corruption.Schedule.Dispose();
    }

    [Fact]
    public void NeedsTimestepsAndImages()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Disyre();
        var corruption = new GaussianNoise(schedule);
        using var g = new Generator(1);
        Assert.Contains("timesteps t", Assert.Throws<ArgumentNullException>(() => corruption.Apply(torch.zeros([2, 1, 4, 4]), null, g)).Message);
        Assert.Contains("0 … 99", Assert.Throws<ArgumentOutOfRangeException>(() => corruption.Apply(torch.zeros([2, 1, 4, 4]), torch.tensor(new long[] { 0, 100 }), g)).Message);
        Assert.Contains("[N,C,H,W]", Assert.Throws<ArgumentException>(() => corruption.Apply(torch.zeros([4, 4]), torch.tensor(new long[] { 0 }), g)).Message);
    }
}
