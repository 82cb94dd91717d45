using MedAnomaly.Torch;
using F = MedAnomaly.Torch.torch.nn.functional;

namespace MedAnomaly.Tests.Torch;

/// <summary>libtorch errors surface as TorchException with libtorch's message; the process survives.</summary>
public class ErrorTests
{
    [Fact]
    public void MismatchedShapes()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => torch.zeros(2, 3) + torch.zeros(4, 5));
        Assert.Contains("must match the size", e.Message);
        var conv = Assert.Throws<TorchException>(() => F.conv2d(torch.zeros(1, 3, 8, 8), torch.zeros(4, 2, 3, 3)));
        Assert.StartsWith("conv2d:", conv.Message);
        Assert.Throws<TorchException>(() => torch.zeros(6).view(4, 2));
    }

    [Fact]
    public void WrongDtype()
    {
        using var scope = torch.NewDisposeScope();
        var ints = torch.arange(4);
        Assert.Throws<TorchException>(() => F.conv2d(ints.reshape(1, 1, 2, 2), torch.zeros(1, 1, 1, 1)));
        Assert.Throws<TorchException>(() => torch.zeros(3).index_select(0, torch.zeros(2)));  // float index
        Assert.Throws<InvalidOperationException>(() => ints.ToArray<float>());
    }

    [Fact]
    public void OutOfRangeIndex()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.zeros(3, 4);
        Assert.Throws<TorchException>(() => x.select(0, 7));
        Assert.Throws<TorchException>(() => x.index_select(1, torch.tensor(new long[] { 0, 9 })));
        Assert.Throws<TorchException>(() => x.sum(5));
        Assert.Throws<TorchException>(() => x.transpose(0, 3));
    }

    [Fact]
    public void BackwardWithoutGraphAndOnNonScalar()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<TorchException>(() => torch.zeros(3).sum().backward());
        var x = torch.ones([3], requires_grad: true);
        Assert.Throws<TorchException>(() => (x * 2).backward());
    }

    [Fact]
    public void ErrorsLeaveNoStaleMessage()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<TorchException>(() => torch.zeros(2).view(3));
        Assert.Equal(new long[] { 2 }, torch.zeros(2).view(2).shape);  // a later success is unaffected
    }

    [Fact]
    public void UseAfterDisposeIsAManagedError()
    {
        var t = torch.zeros(2);
        t.Dispose();
        Assert.Throws<ObjectDisposedException>(() => t.sum());
    }
}
