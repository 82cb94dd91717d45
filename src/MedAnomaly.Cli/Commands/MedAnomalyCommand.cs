using System.CommandLine;
using System.CommandLine.Help;

namespace MedAnomaly.Cli.Commands;

/// <summary>The root `medanomaly` command with its sub-commands.</summary>
public static class MedAnomalyCommand
{
    /// <summary>
    /// A plain Command named "medanomaly" is the root: RootCommand would take its name from the
    /// assembly (MedAnomaly.Cli, since NuGet refuses an assembly named like the MedAnomaly project),
    /// so it brings its own help and version options.
    /// </summary>
    public static Command Create(string[] args) => new("medanomaly", "MedAnomaly: unsupervised anomaly detection in medical images")
    {
        new HelpOption(),
        new VersionOption(),
        CliErrors.Verbose,
        DoctorCommand.Create(),
        TrainCommand.Create(args),
        ScoreCommand.Create(),
        EvalCommand.Create(),
        CompareCommand.Create(args),
        PresetsCommand.Create(),
        RunsCommand.Create(),
        DataCommand.Create(),
        MetricsCommand.Create(),
    };
}
