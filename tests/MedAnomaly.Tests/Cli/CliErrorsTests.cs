using System.Runtime.InteropServices;
using MedAnomaly.Cli.Commands;
using TorchSharp;

namespace MedAnomaly.Tests.Cli;

/// <summary>CliErrors.Report turns any exception into one "error:" line (plus a hint for a bug), and the full text only
/// with --verbose.</summary>
public class CliErrorsTests
{
    static (int Code, string[] Lines) Report(Exception e, bool verbose = false)
    {
        var error = new StringWriter();
        int code = CliErrors.Report(e, verbose, error);
        return (code, error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    static Exception Thrown(Action action)
    {
        try { action(); }
        catch (Exception e) { return e; }
        throw new InvalidOperationException("nothing was thrown");
    }

    /// <summary>A real libtorch error (the GroupNorm of issue #18's `--set Network.GroupNormGroups=3`, before the config
    /// refused it): TorchSharp raises it as an ExternalException whose message carries the C++ frames.</summary>
    [Fact]
    public void ALibTorchErrorIsItsFirstLine()
    {
        var e = Thrown(() => torch.nn.functional.group_norm(torch.zeros(1, 16, 4, 4), 3));
        Assert.IsAssignableFrom<ExternalException>(e);
        Assert.Contains('\n', e.Message);                       // the native frames follow the first line
        var (code, lines) = Report(e);
        Assert.Equal(1, code);
        Assert.Equal(["error: libtorch: Expected number of channels in input to be divisible by num_groups, but got input of shape [1, 16, 4, 4] and num_groups=3"], lines);
    }

    [Fact]
    public void AnAggregateIsTakenApart()
    {
        var e = Thrown(() => Parallel.For(0, 4, i => throw new InvalidDataException($"volume {i}.nii.gz is truncated")));
        var (code, lines) = Report(e);
        Assert.Equal(1, code);
        Assert.Single(lines);
        Assert.Matches(@"^error: volume \d\.nii\.gz is truncated$", lines[0]);
    }

    [Fact]
    public void ArgumentErrorsLoseTheParameterSuffixAndStayOnOneLine()
    {
        Assert.Equal(["error: steps = -5: must be positive"], Report(new ArgumentOutOfRangeException("steps", -5, "must be positive")).Lines);
        Assert.Equal(["error: bad value"], Report(new ArgumentException("bad value", "key")).Lines);
        Assert.Equal(["error: one two three"], Report(new IOException("one\n  two\r\nthree")).Lines);
    }

    [Fact]
    public void AnUnexpectedExceptionSaysItIsABug()
    {
        var (code, lines) = Report(new NullReferenceException("Object reference not set to an instance of an object."));
        Assert.Equal(1, code);
        Assert.Equal("error: NullReferenceException: Object reference not set to an instance of an object.", lines[0]);
        Assert.StartsWith("hint: this looks like a bug in MedAnomaly; rerun with --verbose", lines[1]);
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public void CancellationExitsWith130()
    {
        var (code, lines) = Report(new OperationCanceledException("run 3 cancelled at step 40; rerun `medanomaly train …` to resume"));
        Assert.Equal(130, code);
        Assert.Equal(["cancelled: run 3 cancelled at step 40; rerun `medanomaly train …` to resume"], lines);
    }

    [Fact]
    public void VerboseAddsTheStackTrace()
    {
        var e = Thrown(() => throw new InvalidDataException("broken"));
        var (_, lines) = Report(e, verbose: true);
        Assert.Equal("error: broken", lines[0]);
        Assert.Contains(lines, l => l.TrimStart().StartsWith("at MedAnomaly.Tests.Cli.CliErrorsTests"));
    }
}
