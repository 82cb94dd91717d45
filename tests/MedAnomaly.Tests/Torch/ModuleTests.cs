using MedAnomaly.Torch;
using MedAnomaly.Torch.Modules;

namespace MedAnomaly.Tests.Torch;

public class ModuleTests
{
    sealed class Tiny : Module<Tensor, Tensor>
    {
        public readonly Conv2d conv;
        public readonly BatchNorm2d norm;
        public Tiny()
        {
            conv = register_module("conv", torch.nn.Conv2d(1, 2, 3));
            norm = register_module("norm", torch.nn.BatchNorm2d(2));
        }
        public override Tensor forward(Tensor x) => norm.forward(conv.forward(x));
    }

    [Fact]
    public void NamesFollowPyTorch()
    {
        using var m = new Tiny();
        Assert.Equal(new[] { "conv.weight", "conv.bias", "norm.weight", "norm.bias" }, m.named_parameters().Select(p => p.name));
        Assert.Equal(new[] { "conv.weight", "conv.bias", "norm.weight", "norm.bias", "norm.running_mean", "norm.running_var",
            "norm.num_batches_tracked" }, m.state_dict().Keys);
        Assert.Equal(2 * 9 + 2 + 2 + 2, m.parameter_count());
    }

    [Fact]
    public void LoadStateDictCopiesAndChecksStrictly()
    {
        using var scope = torch.NewDisposeScope();
        using var a = new Tiny();
        using var b = new Tiny();
        b.load_state_dict(a.state_dict());
        Assert.Equal(a.conv.weight.ToArray<float>(), b.conv.weight.ToArray<float>());

        var missing = a.state_dict();
        missing.Remove("conv.bias");
        var e = Assert.Throws<ArgumentException>(() => b.load_state_dict(missing));
        Assert.Contains("missing keys: conv.bias", e.Message);
        b.load_state_dict(missing, strict: false);

        var wrongShape = a.state_dict();
        wrongShape["conv.weight"] = torch.zeros(3, 1, 3, 3);
        var shapeError = Assert.Throws<ArgumentException>(() => b.load_state_dict(wrongShape, strict: false));
        Assert.Contains("conv.weight: expected shape [2, 1, 3, 3], got [3, 1, 3, 3]", shapeError.Message);

        var extra = a.state_dict();
        extra["head.weight"] = torch.zeros(1);
        Assert.Contains("unexpected keys: head.weight", Assert.Throws<ArgumentException>(() => b.load_state_dict(extra)).Message);
    }

    [Fact]
    public void TrainEvalSwitchesBatchNormStatistics()
    {
        using var scope = torch.NewDisposeScope();
        using var m = new Tiny();
        var x = torch.rand(4, 1, 5, 5);
        m.train();
        m.forward(x);
        Assert.Equal(1L, m.norm.num_batches_tracked!.item<long>());
        Assert.NotEqual(0f, m.norm.running_mean!.abs().sum().item<float>());
        m.eval();
        Assert.False(m.norm.training);
        var before = m.norm.running_mean.ToArray<float>();
        m.forward(x);
        Assert.Equal(before, m.norm.running_mean.ToArray<float>());
    }

    [Fact]
    public void ToDtypeKeepsTheSameParameterObjects()
    {
        using var m = new Tiny();
        var weight = m.conv.weight;
        m.to(ScalarType.Float64);
        Assert.Same(weight, m.conv.weight);
        Assert.Equal(ScalarType.Float64, m.conv.weight.dtype);
        Assert.Equal(ScalarType.Int64, m.norm.num_batches_tracked!.dtype);
        Assert.True(m.conv.weight.requires_grad);
    }

    [Fact]
    public void PrintsATree()
    {
        using var m = new Tiny();
        var text = m.ToString();
        Assert.Contains("(conv): Conv2d(1, 2, kernel_size=3", text);
        Assert.Contains("(norm): BatchNorm2d(2", text);
        Assert.Contains("(1): SiLU()", torch.nn.Sequential(torch.nn.Identity(), torch.nn.SiLU()).ToString());
    }
}

public class ModuleSerializationTests
{
    [Fact]
    public void SavedWeightsLoadIntoAFreshModule()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(Path.GetTempPath(), $"medanomaly-module-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var a = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.GroupNorm(1, 2));
            a.save(path, new Dictionary<string, string> { ["config"] = "{\"kind\":\"test\"}" });
            using var b = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.GroupNorm(1, 2));
            var metadata = b.load(path);
            Assert.Equal("{\"kind\":\"test\"}", metadata["config"]);
            var x = torch.rand(1, 1, 5, 5);
            Assert.Equal(a.forward(x).ToArray<float>(), b.forward(x).ToArray<float>());

            using var wrong = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 3));
            Assert.Throws<ArgumentException>(() => wrong.load(path));
        }
        finally { File.Delete(path); }
    }
}
