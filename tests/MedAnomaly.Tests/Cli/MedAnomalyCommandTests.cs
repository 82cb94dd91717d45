using System.CommandLine;
using MedAnomaly.Cli.Commands;

namespace MedAnomaly.Tests.Cli;

public class MedAnomalyCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        int code = MedAnomalyCommand.Create(args).Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Help_NamesTheCommandMedanomaly_AndListsSubcommands()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("medanomaly [command] [options]", output);
        Assert.DoesNotContain("MedAnomaly.Cli", output);
        foreach (var sub in new[] { "train", "compare", "presets", "data", "metrics" }) Assert.Contains($"  {sub} ", output);
    }

    [Fact]
    public void UnknownCommand_FailsWithAMessage()
    {
        var (code, _, error) = Run("bogus");
        Assert.Equal(1, code);
        Assert.Contains("Unrecognized command or argument 'bogus'", error);
    }
}
