using System.CommandLine;

namespace MedAnomaly.Cli.Commands;

/// <summary>`medanomaly data …`: inspect, check and make data files. Each subcommand lives in its own file
/// and is added here by its factory.</summary>
public static class DataCommand
{
    public static Command Create()
    {
        var data = new Command("data", "Inspect, check, generate and export data files (NIfTI, PNG, NPY)");
        data.Subcommands.Add(DataInfoCommand.Create());
        data.Subcommands.Add(DataCheckCommand.Create());
        data.Subcommands.Add(DataPhantomCommand.Create());
        data.Subcommands.Add(DataExportCommand.Create());
        return data;
    }
}
