using MedAnomaly.Corruptions;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using G = MedAnomaly.Tests.Corruptions.CorruptionsGolden;

namespace MedAnomaly.Tests.Corruptions;

/// <summary>GaussianBlur equals scipy.ndimage.gaussian_filter(mode="reflect", truncate=4).</summary>
public class GaussianBlurTests
{
    static Tensor Input()
    {
        var x = torch.tensor(CorruptionTestImages.Pattern(G.BlurHeight * G.BlurWidth, 37, 101), [G.BlurHeight, G.BlurWidth]).to(ScalarType.Float64);
        x[3..14, 5..19] += 1.0;
        return x;
    }

    [Fact]
    public void MatchesScipyGaussianFilterIncludingKernelsWiderThanTheImage()
    {
        using var scope = torch.NewDisposeScope();
        int plane = G.BlurHeight * G.BlurWidth;
        for (int s = 0; s < G.BlurSigmas.Length; s++)
            Golden.AssertClose(G.BlurOut[(s * plane)..((s + 1) * plane)], GaussianBlur.Apply(Input(), G.BlurSigmas[s]), rtol: 1e-12, atol: 1e-13);
    }

    [Fact]
    public void BlursEachPlaneOfABatchAndKeepsTheDtype()
    {
        using var scope = torch.NewDisposeScope();
        var batch = torch.stack([Input(), Input() * 2]).unsqueeze(1).to(ScalarType.Float32);   // [2,1,H,W]
        var blurred = GaussianBlur.Apply(batch, 2.7);
        Assert.Equal(ScalarType.Float32, blurred.dtype);
        Assert.Equal(batch.shape, blurred.shape);
        int plane = G.BlurHeight * G.BlurWidth;
        var expected = G.BlurOut[(2 * plane)..(3 * plane)];
        Golden.AssertClose(expected, blurred[0, 0], rtol: 1e-6, atol: 1e-6);
        Golden.AssertClose(expected.Select(v => 2 * v).ToArray(), blurred[1, 0], rtol: 1e-6, atol: 1e-6);
    }

    [Fact]
    public void ZeroSigmaIsTheIdentityAndConstantsStayConstant()
    {
        using var scope = torch.NewDisposeScope();
        Assert.True(CorruptionTestImages.Same(GaussianBlur.Apply(Input(), 0), Input()));
        var constant = torch.full([9, 7], 0.3, ScalarType.Float64);
        Assert.True(GaussianBlur.Apply(constant, 4.0).allclose(constant, rtol: 0, atol: 1e-15));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianBlur.Apply(constant, -1));
    }
}
