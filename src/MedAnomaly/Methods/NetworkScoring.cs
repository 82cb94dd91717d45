using MedAnomaly.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Methods;

/// <summary>The part of scoring every network-based detector shares: eval mode for the call (restored after),
/// inputs moved to the network's device, outputs moved back to the images' device, and no garbage collection during
/// the call (<see cref="NoGcRegion"/>: TorchSharp 0.107 lets one free a temporary Scalar mid-call).</summary>
public static class NetworkScoring
{
    /// <param name="score">The detector's scoring on the network's device: (images, foreground?) → output.</param>
    public static AnomalyOutput InEvalMode(nn.Module network, Tensor images, Tensor? foreground, Func<Tensor, Tensor?, AnomalyOutput> score) =>
        NoGcRegion.Run(() => ScoreInEvalMode(network, images, foreground, score));

    static AnomalyOutput ScoreInEvalMode(nn.Module network, Tensor images, Tensor? foreground, Func<Tensor, Tensor?, AnomalyOutput> score)
    {
        using var scope = torch.NewDisposeScope();
        var device = DetectorCheckpoint.DeviceOf(network);
        bool training = network.training;
        network.eval();
        try
        {
            var output = score(images.to(device), foreground?.to(device));
            return new AnomalyOutput(output.Map.to(images.device), output.Score.to(images.device), output.Reconstruction?.to(images.device))
                .MoveToOuterDisposeScope();
        }
        finally
        {
            network.train(training);
        }
    }
}
