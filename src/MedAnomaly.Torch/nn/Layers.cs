using F = MedAnomaly.Torch.torch.nn.functional;

namespace MedAnomaly.Torch.Modules;

/// <summary>2-D convolution: [N,Cin,H,W] → [N,Cout,H',W']. Weights initialised as PyTorch.</summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    public readonly Tensor weight;
    public readonly Tensor? bias;
    public readonly long stride, padding, dilation, groups;

    public Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1,
        long groups = 1, bool bias = true)
    {
        if (in_channels % groups != 0 || out_channels % groups != 0)
            throw new ArgumentException($"Conv2d: channels ({in_channels} → {out_channels}) must be divisible by groups={groups}");
        (this.stride, this.padding, this.dilation, this.groups) = (stride, padding, dilation, groups);
        weight = register_parameter("weight", torch.empty([out_channels, in_channels / groups, kernel_size, kernel_size]));
        this.bias = bias ? register_parameter("bias", torch.empty([out_channels])) : null;
        Init.ResetLikePyTorch(weight, this.bias);
    }

    public override Tensor forward(Tensor x) => F.conv2d(x, weight, bias, stride, padding, dilation, groups);
    protected override string ExtraRepr() =>
        $"{weight.size(1) * groups}, {weight.size(0)}, kernel_size={weight.size(2)}, stride={stride}, padding={padding}";
}

/// <summary>Transposed 2-D convolution (learned upsampling). Weight [Cin, Cout/groups, k, k].</summary>
public sealed class ConvTranspose2d : Module<Tensor, Tensor>
{
    public readonly Tensor weight;
    public readonly Tensor? bias;
    public readonly long stride, padding, output_padding, groups, dilation;

    public ConvTranspose2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0,
        long output_padding = 0, long groups = 1, bool bias = true, long dilation = 1)
    {
        (this.stride, this.padding, this.output_padding, this.groups, this.dilation) = (stride, padding, output_padding, groups, dilation);
        weight = register_parameter("weight", torch.empty([in_channels, out_channels / groups, kernel_size, kernel_size]));
        this.bias = bias ? register_parameter("bias", torch.empty([out_channels])) : null;
        Init.ResetLikePyTorch(weight, this.bias);
    }

    public override Tensor forward(Tensor x) => F.conv_transpose2d(x, weight, bias, stride, padding, output_padding, groups, dilation);
    protected override string ExtraRepr() => $"{weight.size(0)}, {weight.size(1) * groups}, kernel_size={weight.size(2)}, stride={stride}";
}

/// <summary>y = x Wᵀ + b over the last dim.</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    public readonly Tensor weight;
    public readonly Tensor? bias;

    public Linear(long in_features, long out_features, bool bias = true)
    {
        weight = register_parameter("weight", torch.empty([out_features, in_features]));
        this.bias = bias ? register_parameter("bias", torch.empty([out_features])) : null;
        Init.ResetLikePyTorch(weight, this.bias);
    }

    public override Tensor forward(Tensor x) => F.linear(x, weight, bias);
    protected override string ExtraRepr() => $"in_features={weight.size(1)}, out_features={weight.size(0)}";
}

/// <summary>Group normalisation (Wu & He 2018); affine weight 1, bias 0.</summary>
public sealed class GroupNorm : Module<Tensor, Tensor>
{
    public readonly long num_groups;
    public readonly double eps;
    public readonly Tensor? weight, bias;

    public GroupNorm(long num_groups, long num_channels, double eps = 1e-5, bool affine = true)
    {
        if (num_channels % num_groups != 0)
            throw new ArgumentException($"GroupNorm: {num_channels} channels cannot be split into {num_groups} groups");
        (this.num_groups, this.eps) = (num_groups, eps);
        if (affine)
        {
            weight = register_parameter("weight", torch.ones([num_channels]));
            bias = register_parameter("bias", torch.zeros([num_channels]));
        }
    }

    public override Tensor forward(Tensor x) => F.group_norm(x, num_groups, weight, bias, eps);
    protected override string ExtraRepr() => $"{num_groups}, {weight?.size(0)}, eps={eps}";
}

/// <summary>Layer normalisation over the trailing `normalized_shape` dims.</summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    public readonly long[] normalized_shape;
    public readonly double eps;
    public readonly Tensor? weight, bias;

    public LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true)
    {
        (this.normalized_shape, this.eps) = (normalized_shape, eps);
        if (elementwise_affine)
        {
            weight = register_parameter("weight", torch.ones(normalized_shape));
            bias = register_parameter("bias", torch.zeros(normalized_shape));
        }
    }

    public override Tensor forward(Tensor x) => F.layer_norm(x, normalized_shape, weight, bias, eps);
    protected override string ExtraRepr() => $"[{string.Join(", ", normalized_shape)}], eps={eps}";
}

/// <summary>Batch normalisation over [N,C,H,W] with running statistics (buffers running_mean, running_var,
/// num_batches_tracked, as PyTorch's state_dict).</summary>
public sealed class BatchNorm2d : Module<Tensor, Tensor>
{
    public readonly double eps, momentum;
    public readonly Tensor? weight, bias, running_mean, running_var, num_batches_tracked;

    public BatchNorm2d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = true, bool track_running_stats = true)
    {
        (this.eps, this.momentum) = (eps, momentum);
        if (affine)
        {
            weight = register_parameter("weight", torch.ones([num_features]));
            bias = register_parameter("bias", torch.zeros([num_features]));
        }
        if (track_running_stats)
        {
            running_mean = register_buffer("running_mean", torch.zeros([num_features]));
            running_var = register_buffer("running_var", torch.ones([num_features]));
            num_batches_tracked = register_buffer("num_batches_tracked", torch.zeros([], ScalarType.Int64));
        }
    }

    public override Tensor forward(Tensor x)
    {
        bool useBatchStats = training || running_mean == null;
        if (training && num_batches_tracked != null)
            using (torch.no_grad()) num_batches_tracked.add_(1L);
        return F.batch_norm(x, running_mean, running_var, weight, bias, useBatchStats, momentum, eps);
    }
    protected override string ExtraRepr() => $"{weight?.size(0) ?? running_mean?.size(0)}, eps={eps}, momentum={momentum}";
}

/// <summary>Zeroes elements with probability p during training and rescales by 1/(1−p).</summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    public readonly double p;
    public Dropout(double p = 0.5)
    {
        if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
        this.p = p;
    }
    public override Tensor forward(Tensor x) => F.dropout(x, p, training);
    protected override string ExtraRepr() => $"p={p}";
}

/// <summary>Returns its input (a new handle to it).</summary>
public sealed class Identity : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor x) => x.alias();
}

/// <summary>An element-wise activation as a module (for Sequential).</summary>
public sealed class Activation : Module<Tensor, Tensor>
{
    readonly string name;
    readonly Func<Tensor, Tensor> function;
    public Activation(string name, Func<Tensor, Tensor> function) => (this.name, this.function) = (name, function);
    public override Tensor forward(Tensor x) => function(x);
    protected override string DisplayName => name;
}

/// <summary>Applies its modules in order; named "0", "1", ... as PyTorch's nn.Sequential.</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    readonly List<Module<Tensor, Tensor>> layers = new();

    public Sequential(params Module<Tensor, Tensor>[] modules)
    {
        foreach (var m in modules) append(m);
    }

    public Sequential append(Module<Tensor, Tensor> module)
    {
        layers.Add(register_module(layers.Count.ToString(), module));
        return this;
    }

    public int Count => layers.Count;
    public Module<Tensor, Tensor> this[int index] => layers[index];

    public override Tensor forward(Tensor x)
    {
        if (layers.Count == 0) return x.alias();
        using var scope = torch.NewDisposeScope();
        var h = x;
        foreach (var layer in layers) h = layer.forward(h);
        return scope.MoveToOuter(h);
    }
}

/// <summary>A list of submodules registered as "0", "1", ... (iterate and call them yourself).</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    readonly List<T> items = new();
    public ModuleList(params T[] modules)
    {
        foreach (var m in modules) append(m);
    }
    public ModuleList<T> append(T module)
    {
        items.Add(register_module(items.Count.ToString(), module));
        return this;
    }
    public T this[int index] => items[index];
    public int Count => items.Count;
    protected override string DisplayName => "ModuleList";
    public IEnumerator<T> GetEnumerator() => items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
