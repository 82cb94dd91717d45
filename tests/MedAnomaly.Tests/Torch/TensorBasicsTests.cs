using MedAnomaly.Torch;

namespace MedAnomaly.Tests.Torch;

public class TensorBasicsTests
{
    [Fact]
    public void ArithmeticBroadcastsAndReadsBack()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var b = torch.tensor(new float[] { 10, 20, 30 }, 3);
        var c = (a + b) * 2 - 1;
        Assert.Equal(new long[] { 2, 3 }, c.shape);
        Assert.Equal(new float[] { 21, 43, 65, 27, 49, 71 }, c.ToArray<float>());
        Assert.Equal(3.5f, a.mean().item<float>());
        Assert.Equal(new float[] { 2, 5 }, a.mean(1).ToArray<float>());
        Assert.Equal(ScalarType.Float32, c.dtype);
        Assert.Equal(Device.CPU, c.device);
    }

    [Fact]
    public void IntegerScalarsKeepIntegerDtype()
    {
        using var scope = torch.NewDisposeScope();
        var i = torch.arange(5);
        Assert.Equal(ScalarType.Int64, (i + 1).dtype);
        Assert.Equal(ScalarType.Float32, (i + 0.5).dtype);
        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, (i + 1).ToArray<long>());
    }

    [Fact]
    public void AutogradComputesGradient()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2, 3 }, requires_grad: true);
        var y = (x * x).sum();
        y.backward();
        Assert.Equal(new double[] { 2, 4, 6 }, x.grad!.ToArray<double>());
    }

    [Fact]
    public void ShapeErrorsBecomeTorchExceptions()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.zeros(2, 3);
        var b = torch.zeros(4, 5);
        var e = Assert.Throws<TorchException>(() => a.matmul(b));
        Assert.Contains("matmul", e.Message);
        Assert.Contains("cannot be multiplied", e.Message);
    }

    [Fact]
    public void IndexingSelectsAndSlices()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(12).reshape(3, 4);
        Assert.Equal(new long[] { 4, 5, 6, 7 }, x[1].ToArray<long>());
        Assert.Equal(new long[] { 5, 6 }, x[1, 1..3].ToArray<long>());
        Assert.Equal(new long[] { 3, 7, 11 }, x[.., ^1].ToArray<long>());
    }
}

public class RequiresGradFactoryTests
{
    [Fact]
    public void EveryFactoryHonoursRequiresGrad()
    {
        using var scope = torch.NewDisposeScope();
        Assert.True(torch.zeros([2], requires_grad: true).requires_grad);
        Assert.True(torch.ones([2], requires_grad: true).requires_grad);
        Assert.True(torch.empty([2], requires_grad: true).requires_grad);
        Assert.True(torch.full([2], 3.0, requires_grad: true).requires_grad);
        Assert.True(torch.rand([2], requires_grad: true).requires_grad);
        Assert.True(torch.randn([2], requires_grad: true).requires_grad);
        using var g = new Generator(1);
        Assert.True(torch.randn([2], requires_grad: true, generator: g).requires_grad);
        Assert.False(torch.zeros(2).requires_grad);
    }
}
