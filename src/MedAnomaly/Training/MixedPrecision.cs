using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MedAnomaly.Training;

/// <summary>
/// Hand-written bfloat16 mixed precision (TorchSharp 0.107 has no autocast). The network itself is cast to
/// bf16 for the forward and backward passes; the optimiser, the gradient clipping, the EMA and the checkpoints
/// work on float32 <see cref="Master"/> copies of its parameters. One step:
/// <list type="number">
/// <item><see cref="CopyMasterToNetwork"/>: master (float32) → network parameters (bf16, rounded);</item>
/// <item>forward + backward in bf16 (the trainer casts the images to bf16, the loss is read in float32);</item>
/// <item><see cref="CopyGradientsToMaster"/>: network .grad (bf16) → master .grad (float32);</item>
/// <item>clip and step the optimiser on the masters, in float32.</item>
/// </list>
/// <see cref="Finish"/> casts the network back to float32 and loads the master weights into it.
/// </summary>
public sealed class MixedPrecision : IDisposable
{
    readonly nn.Module network;

    /// <summary>Float32 master parameters, in the order of <c>network.parameters()</c>; owned by this object.</summary>
    public IReadOnlyList<Parameter> Master { get; }

    /// <summary>Takes float32 masters from <paramref name="network"/>'s parameters, then casts the network to bf16.</summary>
    public MixedPrecision(nn.Module network)
    {
        this.network = network;
        using (torch.no_grad())
            Master = network.parameters().Select(p => new Parameter(p.detach().to(ScalarType.Float32).clone())).ToList();
        network.to(ScalarType.BFloat16);   // replaces the parameters by bf16 ones; BatchNorm's counters stay int64
    }

    /// <summary>Rounds the float32 masters into the bf16 network parameters.</summary>
    public void CopyMasterToNetwork()
    {
        using var noGrad = torch.no_grad();
        foreach (var (net, master) in network.parameters().Zip(Master)) net.copy_(master);
    }

    /// <summary>master.grad ← float32(network.grad); a parameter without a gradient gets none.</summary>
    public void CopyGradientsToMaster()
    {
        foreach (var (net, master) in network.parameters().Zip(Master))
        {
            if (net.grad is not { } g) continue;
            var old = master.grad;
            master.grad = g.to(ScalarType.Float32).DetachFromDisposeScope();
            old?.Dispose();
        }
    }

    /// <summary>Casts the network back to float32 and copies the (exact) master weights into it.</summary>
    public void Finish()
    {
        network.to(ScalarType.Float32);
        using var noGrad = torch.no_grad();
        foreach (var (net, master) in network.parameters().Zip(Master)) net.copy_(master);
    }

    public void Dispose()
    {
        foreach (var p in Master) { p.grad?.Dispose(); p.Dispose(); }
    }
}
