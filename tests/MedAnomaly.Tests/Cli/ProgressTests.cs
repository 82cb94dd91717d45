using System.Diagnostics;
using System.Text.RegularExpressions;
using MedAnomaly.Cli.Commands;
using MedAnomaly.Data;
using MedAnomaly.Tests.Experiments;
using MedAnomaly.Tests.TestSupport;

namespace MedAnomaly.Tests.Cli;

/// <summary>A fact that needs util-linux's <c>script</c> (a pseudo-terminal for the CLI); skipped where it is missing.</summary>
public sealed class PseudoTerminalFactAttribute : FactAttribute
{
    public const string Script = "/usr/bin/script";

    public PseudoTerminalFactAttribute()
    {
        if (!File.Exists(Script)) Skip = $"{Script} is missing (util-linux)";
    }
}

/// <summary>
/// Issue #18 item 5: every phase that can take more than a second shows progress, through the real CLI. With output
/// redirected (a pipe here) each phase prints plain lines whose percentages only grow and end with a 100 % line; in a
/// terminal (a pseudo-terminal made by <c>script</c>) the live bars reach 100% as well.
/// </summary>
public sealed class ProgressTests : IDisposable
{
    readonly TempFolder temp = new();
    string Data => temp.File("phantom");
    string StorePath => temp.File("runs", "medanomaly.db");

    public ProgressTests() => PhantomSet.Write(Data, volumes: 4, size: 32, seed: 0, testFraction: 0.5);

    public void Dispose() => temp.Dispose();

    /// <summary>The percentages each phase printed, in order, from lines "PHASE: P % (…)".</summary>
    static Dictionary<string, List<int>> Phases(string stdout) =>
        Regex.Matches(stdout, @"(?m)^(?<phase>[^\r\n:]+): (?<percent>\d+) % \(")
            .GroupBy(m => m.Groups["phase"].Value, m => int.Parse(m.Groups["percent"].Value))
            .ToDictionary(g => g.Key, g => g.ToList());

    static void AssertEndsAtHundred(CliResult result, params string[] phases)
    {
        Assert.True(result.Code == 0, result.Output);
        var seen = Phases(result.Stdout);
        foreach (var phase in phases)
        {
            Assert.True(seen.TryGetValue(phase, out var percents), $"no progress line for '{phase}' in:\n{result.Stdout}");
            Assert.True(percents.SequenceEqual(percents.Order()), $"{phase}: percentages go back: {string.Join(", ", percents)}");
            Assert.Equal(100, percents[^1]);
            Assert.Single(percents, 100);
        }
        Assert.DoesNotContain("\u001b[", result.Stdout, StringComparison.Ordinal);   // no terminal control sequences in a file
    }

    [Fact]
    public void RedirectedOutputEndsEveryPhaseWithItsHundredPercentLine()
    {
        AssertEndsAtHundred(CliProcess.Run("data", "phantom", "--out", temp.File("written"), "--volumes", "5", "--size", "32"), "writing volumes");

        var train = CliProcess.Run("train", "--method", "ae", "--data", Data, "--preset", "tiny", "--store", StorePath);
        AssertEndsAtHundred(train, "loading train", "loading test", "ae seed 0 training", "ae seed 0 scoring", "ae seed 0 evaluating");
        Assert.Contains("(10/10 steps, loss ", train.Stdout);

        var score = CliProcess.Run("score", "--run", "1", "--store", StorePath, "--out", temp.File("maps"), "--png");
        AssertEndsAtHundred(score, "loading test", "scoring", "writing PNGs");
        AssertEndsAtHundred(CliProcess.Run("eval", "--run", "1", "--store", StorePath), "scoring", "evaluating");

        var compare = CliProcess.Run("compare", "--methods", "ae", "--seeds", "1", "--data", Data, "--preset", "tiny", "--store", StorePath,
                                     "--out", temp.File("compare"));
        AssertEndsAtHundred(compare, "ae seed 0 training", "ae seed 0 scoring", "ae seed 0 evaluating", "writing tables, figure and report");
    }

    [PseudoTerminalFact]
    public void ATerminalGetsLiveBarsThatReachHundredPercent()
    {
        string command = string.Join(" ", new[] { "dotnet", CliProcess.Dll, "train", "--method", "ae", "--data", Data, "--preset", "tiny", "--store", StorePath }
            .Select(a => "'" + a.Replace("'", "'\\''") + "'"));
        var start = new ProcessStartInfo(PseudoTerminalFactAttribute.Script, ["-qefc", command, "/dev/null"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["MEDANOMALY_NUM_THREADS"] = "1";
        start.Environment["TERM"] = "xterm-256color";
        var result = CliProcess.Wait(Process.Start(start)!);
        Assert.True(result.Code == 0, result.Output);
        Assert.Contains("\u001b[", result.Stdout, StringComparison.Ordinal);                   // drawn with control sequences, in place
        string text = Regex.Replace(result.Stdout, @"\u001b\[[0-9;?]*[A-Za-z]", "");
        foreach (var phase in new[] { "ae seed 0 training", "ae seed 0 scoring", "ae seed 0 evaluating" })
            Assert.Matches($@"{phase}[^\r\n]*\s100%", text);
        Assert.DoesNotMatch(@"(?m)^ae seed 0 scoring: \d+ % \(", text);   // not the plain lines
        Assert.Contains("run 1 completed", text);
    }
}

/// <summary>The plain-line rule of <see cref="ProgressLines"/>, on a clock the test moves.</summary>
public sealed class ProgressLinesTests
{
    readonly List<string> lines = [];
    TimeSpan now;
    ProgressLines Lines() => new(lines.Add, () => now);

    [Fact]
    public void OneLineAtTheStartEachTenthAndTheEnd()
    {
        var progress = Lines();
        for (int done = 0; done <= 1000; done++)
        {
            now = TimeSpan.FromMilliseconds(done);
            progress.Report("scoring", done, 1000, "slices");
        }
        Assert.Equal(11, lines.Count);
        Assert.Equal("scoring: 0 % (0/1000 slices, 0.0 s)", lines[0]);
        Assert.Equal("scoring: 10 % (100/1000 slices, 0.1 s, about 0.9 s left)", lines[1]);
        Assert.Equal("scoring: 100 % (1000/1000 slices, 1.0 s)", lines[^1]);
    }

    [Fact]
    public void ALongTenthPrintsEveryIntervalAndLateOrRepeatedReportsAreDropped()
    {
        var progress = Lines();
        progress.Report("training", 1, 100, "steps", ", loss 0.5");
        now = ProgressLines.Interval;
        progress.Report("training", 2, 100, "steps");                    // same tenth, but the interval passed
        progress.Report("training", 1, 100, "steps");                    // late, from another thread
        now += TimeSpan.FromSeconds(1);
        progress.Report("training", 3, 100, "steps");                    // same tenth, interval not passed
        progress.Report("training", 100, 100, "steps");
        progress.Report("training", 99, 100, "steps");                   // after the end
        progress.Report("training", 100, 100, "steps");
        Assert.Equal(["training: 1 % (1/100 steps, loss 0.5, 0.0 s, about 0.0 s left)",
                      "training: 2 % (2/100 steps, 5.0 s, about 4 min 05 s left)",
                      "training: 100 % (100/100 steps, 6.0 s)"], lines);
    }

    [Fact]
    public void AFinishedPhaseThatStartsAgainIsNewAndEmptyPhasesAreDone()
    {
        var progress = Lines();
        progress.Report("evaluating", 1, 1, "post-processings");
        progress.Report("evaluating", 0, 1, "post-processings");
        progress.Report("nothing", 0, 0, "files");
        Assert.Equal(["evaluating: 100 % (1/1 post-processings, 0.0 s)", "evaluating: 0 % (0/1 post-processings, 0.0 s)",
                      "nothing: 100 % (0/0 files, 0.0 s)"], lines);
    }
}
