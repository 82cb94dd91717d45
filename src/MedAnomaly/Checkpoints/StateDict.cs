using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Checkpoints;

/// <summary>A module's <c>state_dict()</c> read from a safetensors file by parameter name, as PyTorch's
/// <c>load_state_dict(strict=True)</c> does: every entry present with the same shape, nothing extra.</summary>
public static class StateDict
{
    /// <exception cref="InvalidDataException">A tensor is missing, misshaped, or the file holds a tensor the module does not have.</exception>
    public static void Load(string path, nn.Module module)
    {
        using var file = Safetensors.Load(path);
        using var noGrad = torch.no_grad();
        var targets = module.state_dict();
        foreach (var (name, target) in targets)
        {
            if (!file.Tensors.TryGetValue(name, out var source))
                throw new InvalidDataException($"{path} has no tensor '{name}' (written for another configuration?)");
            if (!source.shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"{path}: '{name}' has shape [{string.Join(", ", source.shape)}], the network expects [{string.Join(", ", target.shape)}]");
            target.copy_(source);
        }
        var extra = file.Tensors.Keys.FirstOrDefault(k => !targets.ContainsKey(k));
        if (extra is not null) throw new InvalidDataException($"{path} holds tensor '{extra}', which the network does not have (written for another configuration?)");
    }
}
