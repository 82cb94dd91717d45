using MedAnomaly.Data;
using MedAnomaly.Methods;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.Methods;

public class NetworkDetectorTests
{
    [Fact]
    public void WithConfigKeepsTheWeightsAndChangesTheSettings()
    {
        using var scope = torch.NewDisposeScope();
        using var disyre = new Disyre(DisyreConfig.Tiny);
        using var copy = (Disyre)disyre.WithConfig(disyre.Config with { InferenceSteps = 8 });
        Assert.Equal(8, copy.Config.InferenceSteps);
        var original = disyre.Network.state_dict();
        foreach (var (name, tensor) in copy.Network.state_dict())
            Assert.True(tensor.equal(original[name]).all().item<bool>(), name);
        var images = torch.rand([1, 1, 32, 32], generator: new Generator(3));
        Assert.NotEqual(disyre.Score(images).Map.ToArray<float>(), copy.Score(images).Map.ToArray<float>());
        var wider = disyre.Config with { Network = disyre.Config.Network with { Channels = [32, 32] } };
        Assert.Contains("only settings that keep the network", Assert.Throws<ArgumentException>(() => disyre.WithConfig(wider)).Message);
    }

    [Fact]
    public void ConfigsAreValidatedBeforeANetworkIsBuilt()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Disyre(DisyreConfig.Tiny with { InferenceSteps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VaeDetector(new VaeConfig { KlWeight = -1 }));
        Assert.ThrowsAny<ArgumentException>(() => DetectorRegistry.Create("disyre", "{\"InferenceSteps\": 500}"));
    }

    [Fact]
    public void VolumeIdsNumberSourcesInOrderOfAppearance()
    {
        SliceItem Item(string source) => new([0f], 1, 1, 0, null, [1], source, 2, 0, "test");
        var data = new SliceDataset([Item("b.nii"), Item("a.nii"), Item("b.nii"), Item("c.nii"), Item("a.nii")]);
        Assert.Equal([0, 1, 0, 2, 1], data.VolumeIds());
    }
}
