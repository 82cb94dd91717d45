using MedAnomaly.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.Networks;

/// <summary>ConvAutoencoder against its PyTorch twin's parameter counts (tests/golden/make_autoencoder_golden.py).</summary>
public class ConvAutoencoderTests
{
    static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());

    [Fact]
    public void Parameter_counts_match_the_pytorch_twin()
    {
        using var ae = new ConvAutoencoder();
        using var vae = new ConvAutoencoder(new() { Variational = true });
        using var tiny = new ConvAutoencoder(new() { InputSize = 32, BaseWidth = 8, WidthMultipliers = [1, 2, 2, 2], MidFeatures = 64, LatentSize = 8 });
        Assert.Equal(4_394_129, Count(ae));
        Assert.Equal(4_426_913, Count(vae));
        Assert.Equal(21_625, Count(tiny));
    }

    [Fact]
    public void Shapes_of_encode_decode_and_forward()
    {
        using var scope = torch.NewDisposeScope();
        using var vae = new ConvAutoencoder(new() { InputSize = 32, BaseWidth = 8, WidthMultipliers = [1, 2, 2, 2], MidFeatures = 64, LatentSize = 8, Variational = true });
        vae.eval();
        var x = torch.rand(3, 1, 32, 32);
        var (mu, logVar) = vae.Encode(x);
        Assert.Equal([3L, 8], mu.shape);
        Assert.Equal([3L, 8], logVar!.shape);
        Assert.Equal(x.shape, vae.Decode(mu).shape);
        Assert.Equal(x.shape, vae.forward(x).shape);
        var e = Assert.Throws<ArgumentException>(() => vae.forward(torch.rand(1, 1, 64, 64)));
        Assert.Contains("[N, 1, 32, 32]", e.Message);
    }
}
