using MedAnomaly.Methods;
using MedAnomaly.Networks;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Tests.Methods;

/// <summary>Grad-CAM (Selvaraju et al., ICCV 2017, eq. 1–2) of the classifier's diseased logit.</summary>
public class GradCamTests
{
    /// <summary>With a global-average-pool head, the diseased log-odds y = y₁ − y₀ has ∂y/∂A^k_ij = (W_1k − W_0k) / (h·w) at every
    /// pixel, so eq. 1 gives α_k = (W_1k − W_0k) / (h·w) and eq. 2 the map ReLU(Σ_k (W_1k − W_0k) A^k) / (h·w): the autograd path
    /// must give exactly that, upsampled bilinearly.</summary>
    [Fact]
    public void MapIsEquation2WithTheHeadsWeights()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var network = new EncoderClassifier(new UNet2dConfig { Channels = [16, 32], AttentionLevels = [1], TimeConditioned = false });
        network.eval();
        var x = torch.rand([2, 1, 16, 16], generator: new Generator(2)) * 2 - 1;
        var map = GradCam.Map(network, x);
        using var noGrad = torch.no_grad();
        var features = network.Features(x, null);
        var head = network.named_parameters().Single(p => p.name == "head.weight").parameter;
        var w = head[GradCam.Diseased] - head[GradCam.Healthy];
        long hw = features.size(2) * features.size(3);
        var cam = F.relu((w.view(1, -1, 1, 1) * features).sum(1, keepdim: true)) / hw;
        var expected = F.interpolate(cam, [16, 16], mode: InterpolationMode.Bilinear, align_corners: false);
        Assert.Equal([2L, 1, 16, 16], map.shape);
        Assert.True(map.allclose(expected, rtol: 1e-4, atol: 1e-7), $"max difference {(map - expected).abs().max().item<float>()}");
        Assert.True(map.min().item<float>() >= 0 && map.max().item<float>() > 0);
    }

    [Fact]
    public void ObjectiveIsTheCrossEntropyOfTheLabels()
    {
        using var scope = torch.NewDisposeScope();
        using var detector = (GradCam)DetectorRegistry.Create("gradcam", PresetName.Tiny).Detector;
        var images = torch.rand([3, 1, 32, 32], generator: new Generator(6));
        var labels = torch.tensor(new long[] { 1, 0, 1 });
        var loss = detector.Loss(images, images, labels, new Generator(0)).item<float>();
        using var noGrad = torch.no_grad();
        Assert.Equal(F.cross_entropy(detector.Network.forward(images * 2 - 1, null), labels).item<float>(), loss, 5);
        Assert.Equal(Supervision.ImageLabels, detector.Supervision);
        Assert.Null(detector.Score(images).Reconstruction);
    }
}
