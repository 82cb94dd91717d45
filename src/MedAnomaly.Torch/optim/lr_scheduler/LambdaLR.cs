namespace MedAnomaly.Torch.Optim;

/// <summary>PyTorch's <c>LambdaLR</c>: lr = base_lr · lr_lambda(step).</summary>
public sealed class LambdaLR : LRScheduler
{
    readonly Func<int, double> lrLambda;

    public LambdaLR(Optimizer optimizer, Func<int, double> lr_lambda) : base(optimizer)
    {
        lrLambda = lr_lambda;
        Initialize();
    }

    protected override double LearningRate(double baseLr, int step) => baseLr * lrLambda(step);
}
