using MedAnomaly.Training;

namespace MedAnomaly.Tests.Training;

/// <summary>TrainingOptions.Validate refuses each bad field with its name, its value and what was expected.</summary>
public class TrainingOptionsTests
{
    public static TheoryData<TrainingOptions, string> BadOptions => new()
    {
        { new() { Steps = -5 }, "training option Steps = -5: expected at least 1 step" },
        { new() { BatchSize = 0 }, "training option BatchSize = 0: expected at least 1 slice per batch" },
        { new() { LearningRate = double.NaN }, "training option LearningRate = NaN: expected a positive number" },
        { new() { Beta1 = 1 }, "training option Beta1 = 1: expected a number in [0, 1)" },
        { new() { Beta2 = -0.1 }, "training option Beta2 = -0.1" },
        { new() { WeightDecay = -1 }, "training option WeightDecay = -1" },
        { new() { Steps = 10, WarmupSteps = 11 }, "training option WarmupSteps = 11: expected a number of steps in [0, Steps = 10]" },
        { new() { GradientClip = double.NaN }, "training option GradientClip = NaN" },
        { new() { EmaDecay = 1.5 }, "training option EmaDecay = 1.5" },
        { new() { Precision = (Precision)7 }, "training option Precision = 7: expected Float32 or BFloat16" },
        { new() { CheckpointEvery = -1 }, "training option CheckpointEvery = -1" },
        { new() { CheckpointSeconds = double.PositiveInfinity }, "training option CheckpointSeconds = Infinity" },
        { new() { Device = "gpu" }, "training option Device = gpu: expected cpu, cuda or cuda:N" },
        { new() { Device = "cuda:-1" }, "training option Device = cuda:-1: expected cpu, cuda or cuda:N" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Validate_RefusesABadField(TrainingOptions options, string expected) =>
        Assert.StartsWith(expected, Assert.Throws<ArgumentException>(options.Validate).Message);

    [Fact]
    public void Validate_AcceptsTheDefaultsAndCpu()
    {
        new TrainingOptions().Validate();
        new TrainingOptions { Device = "cpu", EmaDecay = 0.999, CheckpointSeconds = 0, GradientClip = 0 }.Validate();
    }

    [Fact]
    public void Validate_RefusesCudaWhereThisProcessHasNone()
    {
        if (TorchSharp.torch.cuda.is_available()) return;   // only meaningful where CUDA cannot be reached
        Assert.Contains("CUDA is not available in this process", Assert.Throws<ArgumentException>(new TrainingOptions { Device = "cuda" }.Validate).Message);
    }

    [Fact]
    public void CheckpointIsDueByStepsOrByTime()
    {
        var byTime = new TrainingOptions { CheckpointEvery = 0, CheckpointSeconds = 60 };
        Assert.False(Trainer.CheckpointDue(7, TimeSpan.FromSeconds(59.9), byTime));
        Assert.True(Trainer.CheckpointDue(7, TimeSpan.FromSeconds(60), byTime));
        var bySteps = new TrainingOptions { CheckpointEvery = 5, CheckpointSeconds = 0 };
        Assert.True(Trainer.CheckpointDue(10, TimeSpan.Zero, bySteps));
        Assert.False(Trainer.CheckpointDue(11, TimeSpan.FromHours(1), bySteps));
        Assert.Equal(60, new TrainingOptions().CheckpointSeconds);   // every preset checkpoints at least once a minute
    }
}
