using MedAnomaly.Diffusion;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using G = MedAnomaly.Tests.Diffusion.DiffusionGolden;

namespace MedAnomaly.Tests.Diffusion;

/// <summary>Noise to t_start, denoise back (AnoDDPM / Pinaya): against numpy (tests/golden/make_diffusion_golden.py).</summary>
public class PartialDiffusionTests
{
    static readonly long[] Shape = [2, 1, 4, 4];

    [Fact]
    public void ReconstructWithGivenNoiseMatchesNumpy()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Linear();
        var x = Golden.Wave(Shape, 0.29, 0.4);
        var noise = Golden.Wave(Shape, 1.7, -1.1);
        var calls = new List<long[]>();
        Tensor Network(Tensor xt, Tensor t)
        {
            Assert.Equal(ScalarType.Int64, t.dtype);
            calls.Add(t.ToArray<long>());
            return ToyNetworks.Eps(xt, t);
        }
        var result = PartialDiffusion.Reconstruct(Network, x, tStart: 249, steps: 5, new DdimScheduler(schedule), noise: noise);
        Golden.AssertClose(G.Reconstruct249x5, result, rtol: 1e-10, atol: 1e-11);
        Assert.Equal(new[] { 249, 199, 149, 99, 49 }, calls.Select(c => (int)c[0]));
        Assert.All(calls, c => Assert.Equal(c[0], c[1]));
    }

    [Fact]
    public void SameSeedSameReconstruction()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Linear();
        var sampler = new DdpmScheduler(schedule);
        var x = Golden.Wave(Shape, 0.29, 0.4, ScalarType.Float32);
        float[] Run(ulong seed)
        {
            using var g = new Generator(seed);
            return PartialDiffusion.Reconstruct(ToyNetworks.Eps, x, 99, 10, sampler, g).ToArray<float>();
        }
        Assert.Equal(Run(5), Run(5));
        Assert.NotEqual(Run(5), Run(6));
    }

    [Fact]
    public void AnyModuleServesAsTheNetwork()
    {
        // (UNet2d works the same way: (xt, t) => unet.forward(xt, t); a plain conv stack keeps this test fast and exact.)
        using var scope = torch.NewDisposeScope();
        using var net = nn.Sequential(nn.Conv2d(1, 4, 3, padding: 1), nn.SiLU(), nn.Conv2d(4, 1, 3, padding: 1));
        using var schedule = NoiseSchedule.Linear();
        using var g = new Generator(1);
        var x = torch.rand([2, 1, 16, 16], generator: g) * 2 - 1;
        var result = PartialDiffusion.Reconstruct((xt, t) => net.forward(xt), x, 250, 3, new DdimScheduler(schedule), g);
        Assert.Equal(x.shape, result.shape);
        Assert.True(result.isfinite().all().item<bool>());
        Assert.False(result.requires_grad);
        Assert.True((result - x).abs().max().item<float>() > 0);
    }

    [Fact]
    public void BadArgumentsGetClearErrors()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Disyre();
        var sampler = new DdimScheduler(schedule);
        var x = torch.zeros(Shape);
        Assert.Contains("0 … 99", Assert.Throws<ArgumentOutOfRangeException>(() => PartialDiffusion.Reconstruct(ToyNetworks.Eps, x, 100, 4, sampler)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => PartialDiffusion.Reconstruct(ToyNetworks.Eps, x, 3, 5, sampler));
        Assert.Contains("descending", Assert.Throws<ArgumentException>(() => PartialDiffusion.Reconstruct(ToyNetworks.Eps, x, [10, 20], sampler)).Message);
        Assert.Contains("noise", Assert.Throws<ArgumentException>(() => PartialDiffusion.Reconstruct(ToyNetworks.Eps, x, 50, 2, sampler, noise: torch.zeros([2, 1, 4, 5]))).Message);
    }
}
