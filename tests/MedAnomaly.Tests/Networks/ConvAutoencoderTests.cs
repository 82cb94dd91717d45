using MedAnomaly.Checkpoints;
using MedAnomaly.Data;
using MedAnomaly.Networks;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.Networks;

/// <summary>ConvAutoencoder against MedIAnomaly's own AE and VAE (caiyu6666/MedIAnomaly @ 507201c): parameter counts, and the
/// outputs of their networks with perturbed weights loaded by name (tests/golden/make_medianomaly_ae_golden.py).</summary>
public class ConvAutoencoderTests
{
    static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());
    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "medianomaly", name);
    static Tensor Read(string name) { var a = Npy.Read(Fixture(name)); return torch.tensor(a.ToFloat32(), a.Shape); }
    static ConvAutoencoderConfig Small => new() { InputSize = 32, BaseWidth = 8, MidFeatures = 64, LatentSize = 8 };

    [Fact]
    public void Parameter_counts_match_medianomaly()
    {
        using var ae = new ConvAutoencoder();
        using var vae = new ConvAutoencoder(new() { Variational = true });
        Assert.Equal(2_351_184, Count(ae));
        Assert.Equal(2_367_584, Count(vae));
        using var small = new ConvAutoencoder(Small);
        Assert.Equal(71_720, Count(small));
    }

    [Fact]
    public void Ae_with_medianomaly_weights_gives_its_output()
    {
        using var scope = torch.NewDisposeScope();
        using var ae = new ConvAutoencoder(Small);
        StateDict.Load(Fixture("ae.safetensors"), ae);
        ae.eval();
        using var noGrad = torch.no_grad();
        var difference = (ae.forward(Read("input.npy")) - Read("ae_output.npy")).abs().max().item<float>();
        Assert.True(difference < 1e-4f, $"largest difference {difference}");
    }

    [Fact]
    public void Vae_with_medianomaly_weights_gives_its_latent_and_decoding()
    {
        using var scope = torch.NewDisposeScope();
        using var vae = new ConvAutoencoder(Small with { Variational = true });
        StateDict.Load(Fixture("vae.safetensors"), vae);
        vae.eval();
        using var noGrad = torch.no_grad();
        var (mu, logVar) = vae.Encode(Read("input.npy"));
        Assert.True((mu - Read("vae_mu.npy")).abs().max().item<float>() < 1e-4f);
        Assert.True((logVar! - Read("vae_log_var.npy")).abs().max().item<float>() < 1e-4f);
        Assert.True((vae.Decode(mu) - Read("vae_output.npy")).abs().max().item<float>() < 1e-4f);
    }

    [Fact]
    public void Loading_the_ae_weights_into_the_vae_names_the_misshaped_tensor()
    {
        using var vae = new ConvAutoencoder(Small with { Variational = true });
        var e = Assert.Throws<InvalidDataException>(() => StateDict.Load(Fixture("ae.safetensors"), vae));
        Assert.Contains("bottle_neck.linear_enc.3", e.Message);
    }

    [Fact]
    public void Shapes_of_encode_decode_and_forward()
    {
        using var scope = torch.NewDisposeScope();
        using var vae = new ConvAutoencoder(Small with { Variational = true });
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
