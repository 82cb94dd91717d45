using MedAnomaly.Data;
using MedAnomaly.Randomness;

namespace MedAnomaly.Tests.Data;

/// <summary>Preprocessing vs numpy / PyTorch 1.13 numbers made by tests/golden/make_preprocess_golden.py.</summary>
public class PreprocessTests
{
    /// <summary>pattern(n)[i] = ((i·37) mod 101) / 10 − 2, exact in float32 (same formula as the script).</summary>
    private static float[] Pattern(int n) => Enumerable.Range(0, n).Select(i => (float)((i * 37 % 101) / 10.0 - 2.0)).ToArray();

    /// <summary>The 7×9 test image: ((i·37) mod 101) / 101.</summary>
    private static float[] Image7x9() => Enumerable.Range(0, 63).Select(i => (float)((i * 37 % 101) / 101.0)).ToArray();

    private static void Close(float[] expected, float[] actual, double tol = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Theory]
    [InlineData(0.0, -2.0)]
    [InlineData(0.25, 0.5)]
    [InlineData(0.5, 3.0)]
    [InlineData(0.98, 7.802000188827513)]
    [InlineData(0.999, 8.0)]
    public void Quantile_matches_numpy_linear(double q, double expected) =>
        Assert.Equal(expected, Intensity.Quantile(Pattern(1000), q), 5);

    [Fact]
    public void QuantileScale_matches_numpy()
    {
        var x = Pattern(1000);
        var (lo, hi) = Intensity.QuantileScale(x, 0, 0.98, 0);
        Assert.Equal(0.0, lo, 6);
        Assert.Equal(7.802000188827513, hi, 5);
        Close(new float[] { 0f, 0.217892855f, 0.692130208f, 0f, 0.346065104f, 0.820302486f, 0f, 0.474237382f, 0.948474765f, 0.128172264f, 0.602409601f, 0f }, x[..12]);
        Assert.Equal(410.97667034715414, x.Sum(v => (double)v), 3);
        Assert.All(x, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Selection_quantile_equals_sorted_quantile()
    {
        var rng = new SeededRandom(3);
        foreach (int n in new[] { 1, 2, 7, 1000, 4097 })
        {
            // Few distinct values, so ties are common.
            var x = Enumerable.Range(0, n).Select(_ => (float)rng.NextInt(50) / 7).ToArray();
            foreach (double q in new[] { 0, 0.01, 0.5, 0.98, 0.999, 1 })
                Assert.Equal(Intensity.Quantile(x, q), Intensity.SelectQuantile((float[])x.Clone(), q), 12);
        }
    }

    [Fact]
    public void QuantileScale_foreground_only_uses_values_above_clip()
    {
        var (lo, hi) = Intensity.QuantileScale(Pattern(1000), 0.01, 0.9, 0, foregroundOnly: true);
        Assert.Equal(0.10000000149011612, lo, 5);
        Assert.Equal(7.290000152587888, hi, 5);
    }

    [Fact]
    public void QuantileScale_of_constant_is_zero_and_bad_quantiles_throw()
    {
        var x = new float[] { 3, 3, 3 };
        Intensity.QuantileScale(x);
        Assert.Equal(new float[] { 0, 0, 0 }, x);
        Assert.Throws<ArgumentException>(() => Intensity.QuantileScale(new float[] { 1, 2 }, 0.9, 0.5));
        Assert.Throws<ArgumentException>(() => Intensity.Clip(new[] { float.NaN }, 0, 1));
    }

    [Theory]
    [InlineData(4, 5, ResizeMode.Bilinear, "BilinearDown")]
    [InlineData(11, 13, ResizeMode.Bilinear, "BilinearUp")]
    [InlineData(3, 4, ResizeMode.Area, "AreaDown")]
    [InlineData(5, 6, ResizeMode.Area, "AreaOdd")]
    [InlineData(11, 13, ResizeMode.Nearest, "NearestUp")]
    [InlineData(4, 5, ResizeMode.Nearest, "NearestDown")]
    public void Resize_matches_torch_interpolate(int h, int w, ResizeMode mode, string golden) =>
        Close(Goldens[golden], Resize.Image2D(Image7x9(), 7, 9, h, w, mode));

    [Fact]
    public void CenterCropOrPad_matches_numpy_slicing() =>
        Close(new float[] { 0f, 0.297029704f, 0.663366318f, 0.0297029708f, 0.396039605f, 0.762376249f, 0.128712878f, 0.495049506f, 0.86138612f, 0.227722779f, 0f, 0f, 0f, 0.594059408f, 0.960396051f, 0.326732665f, 0.693069279f, 0.0594059415f, 0.425742567f, 0.79207921f, 0.158415839f, 0.524752498f, 0f, 0f, 0f, 0.891089082f, 0.257425755f, 0.623762369f, 0.990099013f, 0.356435657f, 0.7227723f, 0.0891089141f, 0.455445558f, 0.821782172f, 0f, 0f, 0f, 0.188118815f, 0.554455459f, 0.920792103f, 0.287128717f, 0.653465331f, 0.0198019799f, 0.386138618f, 0.752475262f, 0.118811883f, 0f, 0f }, CropOrPad.Center2D(Image7x9(), 7, 9, 4, 12), 0);

    [Fact]
    public void Resize_rejects_wrong_length() =>
        Assert.Throws<ArgumentException>(() => Resize.Image2D(new float[10], 3, 4, 2, 2, ResizeMode.Area));

    [Fact]
    public void Recipe_round_trips_through_json_and_applies_steps()
    {
        var recipe = new PreprocessRecipe(new[]
        {
            PreprocessStep.QuantileScale(0, 0.98, 0), PreprocessStep.ForegroundThreshold(0.05),
            PreprocessStep.Resize(4, 5, "area"), PreprocessStep.CropOrPad(6, 6),
        });
        var parsed = PreprocessRecipe.Parse(recipe.ToJsonString());
        Assert.Equal(recipe.ToJsonString(), parsed.ToJsonString());
        Assert.Equal(0.05, parsed.ForegroundThreshold);
        Assert.Equal((6, 6), parsed.OutputSize(7, 9));
        var (slice, h, w) = parsed.ApplyToSlice(Image7x9(), 7, 9);
        Assert.Equal((6, 6), (h, w));
        var expected = CropOrPad.Center2D(Resize.Image2D(Image7x9(), 7, 9, 4, 5, ResizeMode.Area), 4, 5, 6, 6);
        Close(expected, slice, 0);
        var (maskSlice, _, _) = parsed.ApplyToSlice(Image7x9(), 7, 9, isMask: true);
        Close(CropOrPad.Center2D(Resize.Image2D(Image7x9(), 7, 9, 4, 5, ResizeMode.Nearest), 4, 5, 6, 6), maskSlice, 0);
    }

    [Theory]
    [InlineData("[{\"op\": \"blur\"}]", "preprocess[0].op: unknown operation 'blur'")]
    [InlineData("[{\"op\": \"resize\", \"height\": 64, \"width\": 64}]", "preprocess[0].mode: required")]
    [InlineData("[{\"op\": \"resize\", \"height\": -1, \"width\": 64, \"mode\": \"area\"}]", "preprocess[0].height: expected a positive integer")]
    [InlineData("[{\"op\": \"quantile_scale\", \"low\": 0.9, \"high\": 0.5}]", "preprocess[0]: expected 0 <= low < high <= 1")]
    [InlineData("[{\"op\": \"clip\", \"min\": \"zero\"}]", "preprocess[0].min: expected a number")]
    [InlineData("{}", "preprocess: expected an array")]
    public void Recipe_parse_errors_name_the_field(string json, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => PreprocessRecipe.Parse(json));
        Assert.StartsWith(message, e.Message);
    }

    private static readonly Dictionary<string, float[]> Goldens = new()
    {
        ["BilinearDown"] = new float[] { 0.257920772f, 0.417326778f, 0.576732635f, 0.361138672f, 0.670544565f, 0.727722764f, 0.437128663f, 0.096534729f, 0.655940592f, 0.415346473f, 0.372524738f, 0.781930745f, 0.616336584f, 0.300742537f, 0.41014865f, 0.567326725f, 0.476732671f, 0.511138618f, 0.795544505f, 0.454950422f },
        ["BilinearUp"] = new float[] { 0f, 0.197258204f, 0.450875878f, 0.704493582f, 0.342726529f, 0.211728901f, 0.465346575f, 0.718964279f, 0.587966383f, 0.226199612f, 0.479817301f, 0.733434975f, 0.93069309f, 0.135013491f, 0.332271695f, 0.480994254f, 0.419926614f, 0.302914888f, 0.346742392f, 0.600360036f, 0.539292395f, 0.443259686f, 0.361213088f, 0.614830792f, 0.658658147f, 0.611161113f, 0.324032396f, 0.5212906f, 0.544139028f, 0.105448961f, 0.282143623f, 0.507789254f, 0.698469818f, 0.322716802f, 0.296614319f, 0.543238997f, 0.733919561f, 0.546977639f, 0.254725486f, 0.513051271f, 0.710309505f, 0.733157873f, 0.294467837f, 0.471162498f, 0.501003921f, 0.251125157f, 0.315931618f, 0.485633224f, 0.683306694f, 0.4334279f, 0.393339366f, 0.443744361f, 0.702070177f, 0.703524232f, 0.642456591f, 0.455514729f, 0.660181403f, 0.606106699f, 0.167416781f, 0.421034455f, 0.534791946f, 0.51568234f, 0.328740507f, 0.435505152f, 0.632763267f, 0.891089082f, 0.54988575f, 0.34196502f, 0.595582664f, 0.849200308f, 0.795125544f, 0.356435686f, 0.61005336f, 0.479055494f, 0.117288753f, 0.370906383f, 0.624524057f, 0.821782112f, 0.443744421f, 0.445198387f, 0.530983865f, 0.78460151f, 0.646610796f, 0.543585181f, 0.545454502f, 0.358512759f, 0.276466131f, 0.306307614f, 0.559925318f, 0.519836545f, 0.374437481f, 0.269126892f, 0.466385096f, 0.657065749f, 0.72187227f, 0.506958365f, 0.480855793f, 0.734473348f, 0.295783311f, 0.241708815f, 0.474347413f, 0.539153993f, 0.394170135f, 0.199819952f, 0.458145797f, 0.655403972f, 0.699231446f, 0.32347852f, 0.451222062f, 0.669874668f, 0.923492253f, 0.484802216f, 0.43072769f, 0.614415169f, 0.238662258f, 0.240531832f, 0.388838857f, 0.647164702f, 0.550716639f, 0.447690964f, 0.386623263f, 0.605275929f, 0.691061378f, 0.567056775f, 0.505989075f, 0.619746625f, 0.796441019f, 0.357751012f, 0.380599648f, 0.577857792f, 0.782178223f, 0.440974832f, 0.233054101f, 0.486671805f, 0.74028945f, 0.686214685f, 0.247524798f, 0.501142502f, 0.754760146f, 0.931454599f, 0.492764533f, 0.515613198f, 0.712871313f },
        ["AreaDown"] = new float[] { 0.441144109f, 0.396039605f, 0.462046176f, 0.528052866f, 0.590759099f, 0.545654595f, 0.389438987f, 0.455445558f, 0.51815182f, 0.584158361f, 0.539053917f, 0.493949383f },
        ["AreaOdd"] = new float[] { 0.331683159f, 0.448019832f, 0.43069309f, 0.547029734f, 0.529702961f, 0.646039605f, 0.628712893f, 0.495049477f, 0.477722734f, 0.344059408f, 0.576732635f, 0.443069309f, 0.574257493f, 0.607260764f, 0.506600678f, 0.372937322f, 0.438943893f, 0.471947193f, 0.519801974f, 0.636138618f, 0.618811905f, 0.485148519f, 0.467821807f, 0.334158421f, 0.566831648f, 0.433168292f, 0.665841579f, 0.532178223f, 0.514851511f, 0.381188124f },
        ["NearestUp"] = new float[] { 0f, 0f, 0.366336644f, 0.732673287f, 0.732673287f, 0.0990099013f, 0.465346545f, 0.465346545f, 0.831683159f, 0.198019803f, 0.198019803f, 0.564356446f, 0.93069309f, 0f, 0f, 0.366336644f, 0.732673287f, 0.732673287f, 0.0990099013f, 0.465346545f, 0.465346545f, 0.831683159f, 0.198019803f, 0.198019803f, 0.564356446f, 0.93069309f, 0.297029704f, 0.297029704f, 0.663366318f, 0.0297029708f, 0.0297029708f, 0.396039605f, 0.762376249f, 0.762376249f, 0.128712878f, 0.495049506f, 0.495049506f, 0.86138612f, 0.227722779f, 0.297029704f, 0.297029704f, 0.663366318f, 0.0297029708f, 0.0297029708f, 0.396039605f, 0.762376249f, 0.762376249f, 0.128712878f, 0.495049506f, 0.495049506f, 0.86138612f, 0.227722779f, 0.594059408f, 0.594059408f, 0.960396051f, 0.326732665f, 0.326732665f, 0.693069279f, 0.0594059415f, 0.0594059415f, 0.425742567f, 0.79207921f, 0.79207921f, 0.158415839f, 0.524752498f, 0.891089082f, 0.891089082f, 0.257425755f, 0.623762369f, 0.623762369f, 0.990099013f, 0.356435657f, 0.356435657f, 0.7227723f, 0.0891089141f, 0.0891089141f, 0.455445558f, 0.821782172f, 0.891089082f, 0.891089082f, 0.257425755f, 0.623762369f, 0.623762369f, 0.990099013f, 0.356435657f, 0.356435657f, 0.7227723f, 0.0891089141f, 0.0891089141f, 0.455445558f, 0.821782172f, 0.188118815f, 0.188118815f, 0.554455459f, 0.920792103f, 0.920792103f, 0.287128717f, 0.653465331f, 0.653465331f, 0.0198019799f, 0.386138618f, 0.386138618f, 0.752475262f, 0.118811883f, 0.485148519f, 0.485148519f, 0.851485133f, 0.217821777f, 0.217821777f, 0.584158421f, 0.950495064f, 0.950495064f, 0.316831678f, 0.683168292f, 0.683168292f, 0.0495049506f, 0.415841579f, 0.485148519f, 0.485148519f, 0.851485133f, 0.217821777f, 0.217821777f, 0.584158421f, 0.950495064f, 0.950495064f, 0.316831678f, 0.683168292f, 0.683168292f, 0.0495049506f, 0.415841579f, 0.782178223f, 0.782178223f, 0.148514852f, 0.514851511f, 0.514851511f, 0.881188095f, 0.247524753f, 0.247524753f, 0.613861382f, 0.980198026f, 0.980198026f, 0.34653464f, 0.712871313f },
        ["NearestDown"] = new float[] { 0f, 0.366336644f, 0.0990099013f, 0.831683159f, 0.564356446f, 0.297029704f, 0.663366318f, 0.396039605f, 0.128712878f, 0.86138612f, 0.891089082f, 0.257425755f, 0.990099013f, 0.7227723f, 0.455445558f, 0.485148519f, 0.851485133f, 0.584158421f, 0.316831678f, 0.0495049506f },
    };
}
