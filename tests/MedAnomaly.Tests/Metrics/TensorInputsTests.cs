using MedAnomaly.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.Metrics;

public class TensorInputsTests
{
    [Fact]
    public void TensorOverloadsAgreeWithArrays()
    {
        using var scope = torch.NewDisposeScope();
        var scores = new float[] { 0.1f, 0.4f, 0.35f, 0.8f };
        var labels = new[] { false, false, true, true };
        // scikit-learn documentation example: roc_auc_score = 0.75, average_precision_score = 0.8333…
        Assert.Equal(0.75, TensorInputs.Auroc(torch.tensor(scores), torch.tensor(labels)), 12);
        Assert.Equal(5.0 / 6, TensorInputs.AveragePrecision(torch.tensor(scores), torch.tensor(labels).to(ScalarType.Float32)), 12);

        var input = TensorInputs.FromTensors(torch.tensor(scores, 1, 1, 2, 2), torch.tensor(labels, 1, 1, 2, 2));
        Assert.Equal((1, 2, 2), (input.ImageCount, input.Height, input.Width));
        Assert.Equal(labels, input.Masks);
        Assert.Throws<ArgumentException>(() => TensorInputs.FromTensors(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 3)));
    }
}
