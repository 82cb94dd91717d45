using MedAnomaly.Data;
using MedAnomaly.Experiments;

namespace MedAnomaly.Tests.Experiments;

public class ChanceLevelTests
{
    /// <summary>Three 2×2 slices, brain in pixels 0–2: two lesion pixels in the brain of slice 0 (and one outside it), none in 1, one in 2.</summary>
    static SliceDataset Test()
    {
        SliceItem Slice(int index, params byte[] mask) => new(new float[4], 2, 2, mask.Any(v => v > 0) ? 1 : 0, mask, [1, 1, 1, 0], "v", 2, index, "test");
        return new SliceDataset([Slice(0, 1, 1, 0, 1), Slice(1, 0, 0, 0, 0), Slice(2, 0, 0, 1, 0)]);
    }

    [Fact]
    public void Shares_of_lesion_pixels_in_the_brain_and_of_lesioned_slices()
    {
        var chance = ChanceLevel.Of(Test());
        Assert.Equal(new ChanceLevel(3, 9, 2, 3), chance);
        Assert.Equal(3 / 9.0, chance.PixelAp);
        Assert.Equal(2 / 3.0, chance.ImageAp);
        Assert.Equal(["pixel_auroc", "pixel_ap", "image_auroc", "image_ap"], chance.Metrics.Select(m => m.Name));
        Assert.Throws<ArgumentException>(() => ChanceLevel.Of(new SliceDataset([])));
    }

    /// <summary>A map without skill (one value everywhere, every pixel and slice tied) scores exactly the chance level under the
    /// library's own metrics: AUROC 0.5 and AP = the share of positives (scikit-learn's average_precision_score of tied scores).</summary>
    [Fact]
    public void A_constant_map_scores_the_chance_level()
    {
        var test = Test();
        var scored = new ScoredSet(test.Items, 2, 2, Enumerable.Repeat(0.3f, 12).ToArray(), null, [0.3, 0.3, 0.3]);
        var metrics = MetricRows.From(scored.Evaluate()).ToDictionary(m => m.Name, m => m.Value);
        foreach (var m in ChanceLevel.Of(test).Metrics)
            Assert.Equal(m.Value, metrics[m.Name], 12);
    }
}
