using System.Text.Json;
using MedAnomaly.Checkpoints;
using MedAnomaly.Networks;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.Networks;

/// <summary>
/// DiffusersUNet2d against diffusers v0.27.2's UNet2DModel: a small network with DISYRE's block pattern, saved by
/// tests/golden/make_diffusers_unet_golden.py (Fixtures/diffusers_unet), and DISYRE's own network's state_dict.
/// </summary>
[Collection(GlobalTorchStateCollection.Name)]
public sealed class DiffusersUNet2dTests : IDisposable
{
    static readonly string FixtureFolder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "diffusers_unet");
    static string Fixture(string name) => Path.Combine(FixtureFolder, name);

    readonly TemporaryFolder temporary = new();
    readonly JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Fixture("expected.json")));

    public void Dispose()
    {
        expected.Dispose();
        temporary.Dispose();
    }

    JsonElement Expected(string key) => expected.RootElement.GetProperty(key);

    static (string Name, long[] Shape)[] StateDict(JsonElement list) => list.EnumerateArray()
        .Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray())).ToArray();

    static (string Name, long[] Shape)[] StateDict(nn.Module model) =>
        model.state_dict().Select(kv => (kv.Key, kv.Value.shape)).ToArray();

    static void AssertSameStateDict((string Name, long[] Shape)[] expected, (string Name, long[] Shape)[] actual)
    {
        var missing = expected.Select(e => e.Name).Except(actual.Select(a => a.Name)).ToList();
        var extra = actual.Select(a => a.Name).Except(expected.Select(e => e.Name)).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0, $"missing: {string.Join(", ", missing)}; extra: {string.Join(", ", extra)}");
        Assert.Equal(expected.Select(e => e.Name), actual.Select(a => a.Name));   // in diffusers' order too
        foreach (var (e, a) in expected.Zip(actual)) Assert.True(e.Shape.SequenceEqual(a.Shape), $"{e.Name}: expected [{string.Join(", ", e.Shape)}], got [{string.Join(", ", a.Shape)}]");
    }

    [Fact]
    public void DisyreNetworkHasDiffusersStateDictAndParameterCount()
    {
        using var model = new DiffusersUNet2d(DiffusersUNet2d.DisyreConfig);
        Assert.Equal(26_296_929L, model.parameters().Sum(p => p.numel()));
        Assert.Equal(Expected("disyre_parameter_count").GetInt64(), model.parameters().Sum(p => p.numel()));
        AssertSameStateDict(StateDict(Expected("disyre_state_dict")), StateDict(model));
    }

    [Fact]
    public void ConfigJsonGivesDiffusersStateDict()
    {
        var config = DiffusersUNet2d.ConfigFromDiffusers(File.ReadAllText(Fixture("config.json")));
        Assert.Equal(new[] { 16, 32, 32 }, config.Channels);
        Assert.Equal(new[] { 1 }, config.AttentionLevels);
        Assert.Equal((8, 8, 2, UNetLayout.Diffusers), (config.GroupNormGroups, config.AttentionHeadDim, config.LayersPerBlock, config.Layout));
        using var model = new DiffusersUNet2d(config);
        AssertSameStateDict(StateDict(Expected("small_state_dict")), StateDict(model));
        Assert.Equal(Expected("small_parameter_count").GetInt64(), model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void SeededNetworkStartsFromDiffusersInitialWeights()
    {
        var config = DiffusersUNet2d.ConfigFromDiffusers(File.ReadAllText(Fixture("config.json")));
        torch.manual_seed(0);
        using var model = new DiffusersUNet2d(config);
        var sums = Expected("small_seeded_sums");
        foreach (var (name, tensor) in model.state_dict())
        {
            double want = sums.GetProperty(name).GetDouble(), got = tensor.to(ScalarType.Float64).sum().item<double>();
            Assert.True(Math.Abs(got - want) <= 1e-9 * Math.Max(1, Math.Abs(want)), $"{name}: sum {got:R}, diffusers {want:R}");
        }
    }

    [Fact]
    public void ForwardEqualsDiffusers()
    {
        using var scope = torch.NewDisposeScope();
        using var model = DiffusersUNet2d.LoadDiffusers(FixtureFolder);
        model.eval();
        using var io = Safetensors.Load(Fixture("io.safetensors"));
        using var noGrad = torch.no_grad();
        var sample = model.forward(io["x"], io["t"]);
        AssertClose(io["sample"], sample, atol: 1e-5);   // measured 1.2e-6
        // One timestep for the whole batch, as UNet2DModel broadcasts it.
        var first = model.forward(io["x"][..1], io["t"][0]);
        AssertClose(io["sample"][..1], first, atol: 1e-5);
    }

    static void AssertClose(Tensor expected, Tensor actual, double atol)
    {
        Assert.Equal(expected.shape, actual.shape);
        double error = (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().max().item<double>();
        Assert.True(error <= atol, $"max |diffusers − ours| = {error:G3} > {atol:G3}");
    }

    [Fact]
    public void BackwardGivesDiffusersGradients()
    {
        using var scope = torch.NewDisposeScope();
        using var model = DiffusersUNet2d.LoadDiffusers(FixtureFolder);
        model.eval();
        using var io = Safetensors.Load(Fixture("io.safetensors"));
        (model.forward(io["x"], io["t"]) * io["weight"]).sum().backward();
        var norms = Expected("small_grad_norms");
        foreach (var (name, parameter) in model.named_parameters())
        {
            var grad = parameter.grad ?? throw new Xunit.Sdk.XunitException($"{name} has no gradient");
            Assert.True(grad.isfinite().all().item<bool>(), $"{name}: gradient not finite");
            double want = norms.GetProperty(name).GetDouble(), got = grad.to(ScalarType.Float64).norm().item<double>();
            // to_k.bias shifts every key score of a query equally, which softmax ignores: its gradient is 0 up to
            // rounding (norms ~1e-7 on both sides), hence the absolute floor. The others agree to ~3e-6.
            Assert.True(Math.Abs(got - want) <= 1e-4 * want + 1e-5, $"{name}: gradient norm {got:R}, diffusers {want:R}");
        }
    }

    [Fact]
    public void Bfloat16CopyRunsCloseToFloat32()
    {
        using var scope = torch.NewDisposeScope();
        using var model = DiffusersUNet2d.LoadDiffusers(FixtureFolder);
        model.eval();
        using var io = Safetensors.Load(Fixture("io.safetensors"));
        using var noGrad = torch.no_grad();
        model.to(ScalarType.BFloat16);
        var sample = model.forward(io["x"].to(ScalarType.BFloat16), io["t"]);
        Assert.Equal(ScalarType.BFloat16, sample.dtype);
        AssertClose(io["sample"], sample, atol: 0.05);   // measured 0.02 (bf16 keeps 8 significant bits; outputs reach 1.6)
    }

    [Fact]
    public void LegacyAttentionNamesLoad()
    {
        using var scope = torch.NewDisposeScope();
        var folder = CopyFixtureWith(tensors =>
        {
            foreach (var name in tensors.Keys.Where(n => n.Contains(".attentions.") && n.Contains(".to_")).ToList())
            {
                var legacy = name.Replace(".to_q.", ".query.").Replace(".to_k.", ".key.").Replace(".to_v.", ".value.").Replace(".to_out.0.", ".proj_attn.");
                tensors[legacy] = tensors[name];
                tensors.Remove(name);
            }
        });
        using var legacyModel = DiffusersUNet2d.LoadDiffusers(folder);
        using var model = DiffusersUNet2d.LoadDiffusers(FixtureFolder);
        var legacyWeights = legacyModel.state_dict();
        foreach (var (name, tensor) in model.state_dict()) Assert.True(tensor.allclose(legacyWeights[name], rtol: 0, atol: 0), name);
    }

    [Fact]
    public void MissingExtraOrMisshapedTensorsAreNamed()
    {
        using var scope = torch.NewDisposeScope();
        const string victim = "up_blocks.1.attentions.2.to_k.bias";
        var e = Assert.Throws<InvalidDataException>(() => DiffusersUNet2d.LoadDiffusers(CopyFixtureWith(t => t.Remove(victim))));
        Assert.Contains($"no tensor '{victim}'", e.Message);
        e = Assert.Throws<InvalidDataException>(() => DiffusersUNet2d.LoadDiffusers(CopyFixtureWith(t => t["mid_block.extra.weight"] = torch.zeros(3))));
        Assert.Contains("unexpected tensor 'mid_block.extra.weight'", e.Message);
        e = Assert.Throws<InvalidDataException>(() => DiffusersUNet2d.LoadDiffusers(CopyFixtureWith(t => t[victim] = torch.zeros(31))));
        Assert.Contains($"tensor '{victim}' has shape [31], the network expects [32]", e.Message);
        Assert.Throws<FileNotFoundException>(() => DiffusersUNet2d.LoadDiffusers(Path.Combine(temporary.Path, "nothing here")));
    }

    /// <summary>A copy of the fixture checkpoint in a new folder, its tensors edited by <paramref name="edit"/>.</summary>
    string CopyFixtureWith(Action<Dictionary<string, Tensor>> edit)
    {
        var folder = Directory.CreateDirectory(Path.Combine(temporary.Path, Guid.NewGuid().ToString("N"))).FullName;
        File.Copy(Fixture("config.json"), Path.Combine(folder, DiffusersUNet2d.ConfigFileName));
        using var original = Safetensors.Load(Fixture(DiffusersUNet2d.WeightsFileName));
        var tensors = original.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value);
        edit(tensors);
        Safetensors.Save(Path.Combine(folder, DiffusersUNet2d.WeightsFileName), tensors, original.Metadata);
        return folder;
    }

    [Theory]
    [InlineData("\"down_block_types\": [\"DownBlock2D\", \"CrossAttnDownBlock2D\", \"DownBlock2D\"]", "down_block_types[1] = \"CrossAttnDownBlock2D\"")]
    [InlineData("\"up_block_types\": [\"UpBlock2D\", \"UpBlock2D\", \"UpBlock2D\"]", "up_block_types[1] = \"UpBlock2D\" does not mirror")]
    [InlineData("\"norm_eps\": 1e-06", "norm_eps = 1e-06")]
    [InlineData("\"flip_sin_to_cos\": false", "flip_sin_to_cos = false")]
    [InlineData("\"resnet_time_scale_shift\": \"scale_shift\"", "resnet_time_scale_shift = \"scale_shift\"")]
    [InlineData("\"class_embed_type\": \"timestep\"", "class_embed_type")]
    [InlineData("\"cross_attention_dim\": 512", "'cross_attention_dim'")]
    [InlineData("\"_class_name\": \"UNet2DConditionModel\"", "_class_name")]
    [InlineData("\"layers_per_block\": \"two\"", "layers_per_block")]
    public void UnsupportedConfigIsRefusedByKey(string setting, string message)
    {
        var config = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(Fixture("config.json")))!;
        var replacement = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("{" + setting + "}")!.Single();
        config[replacement.Key] = replacement.Value;
        var e = Assert.Throws<ArgumentException>(() => DiffusersUNet2d.ConfigFromDiffusers(JsonSerializer.Serialize(config)));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void EmaConfigAndDefaultsAreRead()
    {
        // EMAModel.save_pretrained adds its state; missing keys take UNet2DModel's defaults; null head dim = one head.
        var config = DiffusersUNet2d.ConfigFromDiffusers(
            "{\"_class_name\": \"UNet2DModel\", \"decay\": 0.9999, \"optimization_step\": 10, \"in_channels\": 1, \"attention_head_dim\": null}");
        Assert.Equal(new[] { 224, 448, 672, 896 }, config.Channels);
        Assert.Equal(new[] { 1, 2, 3 }, config.AttentionLevels);
        Assert.Equal((1, 3, 32, 0, 1), (config.InChannels, config.OutChannels, config.GroupNormGroups, config.AttentionHeadDim, config.AttentionHeads));
        Assert.Throws<ArgumentException>(() => DiffusersUNet2d.ConfigFromDiffusers("{not json"));
    }

    [Fact]
    public void FactoryBuildsTheLayoutItIsGiven()
    {
        using var ho = TimeConditionedUNet.Create(new UNet2dConfig());
        Assert.IsType<UNet2d>(ho);
        using var diffusers = TimeConditionedUNet.Create(DiffusersUNet2d.DisyreConfig);
        Assert.IsType<DiffusersUNet2d>(diffusers);
        Assert.Throws<ArgumentException>(() => new UNet2d(DiffusersUNet2d.DisyreConfig));
        Assert.Throws<ArgumentException>(() => new DiffusersUNet2d(new UNet2dConfig()));
        var e = Assert.Throws<ArgumentException>(() => new DiffusersUNet2d(DiffusersUNet2d.DisyreConfig with { GroupNormGroups = 7 }));
        Assert.StartsWith("UNet2dConfig.GroupNormGroups = 7: expected a divisor of every channel count (Channels = [32, 64, 96, 128, 256, 256])", e.Message);
    }

    [Fact]
    public void Ho2020HeadDimEqualsHeadCount()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(0);
        using var byCount = new UNet2d(new UNet2dConfig { AttentionHeads = 4 });
        torch.manual_seed(0);
        using var byDim = new UNet2d(new UNet2dConfig { AttentionHeadDim = 32 });   // attention at 128 channels
        using var noGrad = torch.no_grad();
        var x = Golden.Wave([1, 1, 16, 16], 0.013, 0.2, ScalarType.Float32);
        var t = torch.tensor(new long[] { 5 });
        Assert.True(byCount.forward(x, t).allclose(byDim.forward(x, t), rtol: 0, atol: 0));
        Assert.Throws<ArgumentException>(() => new UNet2d(new UNet2dConfig { AttentionHeadDim = 48 }));
    }
}
