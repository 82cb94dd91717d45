using MedAnomaly.Torch;
using F = MedAnomaly.Torch.torch.nn.functional;

namespace MedAnomaly.Tests.Torch;

[Collection(GlobalTorchStateCollection.Name)]
public class DisposeScopeTests
{
    [Fact]
    public void ScopeFreesTemporariesAndKeepsMovedResults()
    {
        long before = GlobalTorchStateCollection.SettledCount();
        Tensor kept;
        using (var scope = torch.NewDisposeScope())
        {
            var a = torch.ones(4);
            var b = (a * 2 + 1).exp();
            kept = scope.MoveToOuter(b.sum());
        }
        Assert.Equal(before + 1, torch.LiveTensorCount);
        Assert.Equal(4 * Math.Exp(3), kept.item<double>(), 4);
        kept.Dispose();
        Assert.Equal(before, torch.LiveTensorCount);
    }

    [Fact]
    public void FiveHundredTrainingStepsLeakNothing()
    {
        long before = GlobalTorchStateCollection.SettledCount();
        torch.manual_seed(1);
        using (var model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding: 1), torch.nn.SiLU(), torch.nn.Conv2d(4, 1, 3, padding: 1)))
        {
            var parameters = model.parameters().ToList();
            for (int step = 0; step < 500; step++)
            {
                using var scope = torch.NewDisposeScope();
                var x = torch.rand(2, 1, 8, 8);
                var loss = F.mse_loss(model.forward(x), x);
                model.zero_grad();
                loss.backward();
                using (torch.no_grad())
                    foreach (var p in parameters) p.add_(p.grad!, alpha: -0.01);
            }
        }
        Assert.Equal(before, torch.LiveTensorCount);
    }
}
