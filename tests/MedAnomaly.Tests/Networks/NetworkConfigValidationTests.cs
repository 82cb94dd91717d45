using MedAnomaly.Networks;

namespace MedAnomaly.Tests.Networks;

/// <summary>The network configs refuse, before any module is built, what would fail later inside libtorch (a GroupNorm
/// whose groups do not divide the channels) or index out of range (no levels).</summary>
public class NetworkConfigValidationTests
{
    public static TheoryData<UNet2dConfig, string> BadUNets => new()
    {
        { new() { Channels = [] }, "UNet2dConfig.Channels = []: expected one channel count per resolution level" },
        { new() { Channels = [16, 0] }, "UNet2dConfig.Channels = Channels = [16, 0]: expected positive channel counts" },
        { new() { Channels = [16, 32], AttentionLevels = [1], GroupNormGroups = 3 }, "UNet2dConfig.GroupNormGroups = 3: expected a divisor of every channel count (Channels = [16, 32]): 1, 2, 4, 8 or 16" },
        { new() { Channels = [24, 48], AttentionLevels = [1], GroupNormGroups = 16 }, "UNet2dConfig.GroupNormGroups = 16: expected a divisor of every channel count (Channels = [24, 48]): 1, 2, 3, 4, 6, 8, 12 or 24" },
        { new() { Channels = [32, 64], AttentionLevels = [3] }, "UNet2dConfig.AttentionLevels = [3]: expected level indices in [0, 1]" },
        { new() { Channels = [32, 48], AttentionLevels = [0], AttentionHeads = 32 }, "UNet2dConfig.AttentionHeads = 32: expected a divisor of the channels of every attention layer (32, 48): 1, 2, 4, 8 or 16" },
        { new() { LayersPerBlock = 0 }, "UNet2dConfig.LayersPerBlock = 0" },
        { new() { Dropout = 1 }, "UNet2dConfig.Dropout = 1: expected a probability in [0, 1)" },
        { new() { InChannels = 0 }, "UNet2dConfig.InChannels = 0" },
    };

    [Theory]
    [MemberData(nameof(BadUNets))]
    public void UNet2d_RefusesABadConfigBeforeBuilding(UNet2dConfig config, string expected)
    {
        Assert.StartsWith(expected, Assert.Throws<ArgumentException>(config.Validate).Message);
        Assert.StartsWith(expected, Assert.Throws<ArgumentException>(() => new UNet2d(config)).Message);
    }

    [Fact]
    public void DiffusersLayoutRefusesZeroInitialisedOutputs() =>
        Assert.StartsWith("UNet2dConfig.ZeroInitOutputs = True: expected false for the Diffusers layout",
            Assert.Throws<ArgumentException>(new UNet2dConfig { Layout = UNetLayout.Diffusers, ZeroInitOutputs = true }.Validate).Message);

    public static TheoryData<ConvAutoencoderConfig, string> BadAutoencoders => new()
    {
        { new() { WidthMultipliers = [] }, "ConvAutoencoderConfig.WidthMultipliers = []: expected one width multiplier per level" },
        { new() { WidthMultipliers = [1, -2] }, "ConvAutoencoderConfig.WidthMultipliers = [1, -2]: expected positive multipliers" },
        { new() { InputSize = 40 }, "ConvAutoencoderConfig.InputSize = 40: expected a multiple of 2^4 = 16" },
        { new() { LatentSize = 0 }, "ConvAutoencoderConfig.LatentSize = 0" },
        { new() { MidFeatures = 0 }, "ConvAutoencoderConfig.MidFeatures = 0" },
        { new() { BaseWidth = 0 }, "ConvAutoencoderConfig.BaseWidth = 0" },
    };

    [Theory]
    [MemberData(nameof(BadAutoencoders))]
    public void ConvAutoencoder_RefusesABadConfigBeforeBuilding(ConvAutoencoderConfig config, string expected)
    {
        Assert.StartsWith(expected, Assert.Throws<ArgumentException>(config.Validate).Message);
        Assert.StartsWith(expected, Assert.Throws<ArgumentException>(() => new ConvAutoencoder(config)).Message);
    }

    [Fact]
    public void TheDefaultsAreValid()
    {
        new UNet2dConfig().Validate();
        new ConvAutoencoderConfig().Validate();
    }
}
