namespace MedAnomaly.Torch.Modules;

/// <summary>PyTorch's default initialisations (torch.nn.init), drawn from the default generator.</summary>
internal static class Init
{
    /// <summary>
    /// kaiming_uniform_(w, a=√5) as PyTorch's Conv/Linear reset_parameters: bound = gain·√(3/fan_in) with
    /// gain = √(2/(1+a²)) = √(1/3), i.e. U(−1/√fan_in, 1/√fan_in). Bias: U(−1/√fan_in, 1/√fan_in).
    /// fan_in = size(1) · receptive field (PyTorch's _calculate_fan_in_and_fan_out).
    /// </summary>
    public static void ResetLikePyTorch(Tensor weight, Tensor? bias)
    {
        var shape = weight.shape;
        long receptive = 1;
        for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
        long fanIn = shape[1] * receptive;
        double gain = Math.Sqrt(2.0 / (1 + 5.0));
        double bound = gain * Math.Sqrt(3.0 / fanIn);
        using var noGrad = torch.no_grad();
        weight.uniform_(-bound, bound);
        if (bias != null)
        {
            double biasBound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
            bias.uniform_(-biasBound, biasBound);
        }
    }
}
