using System.CommandLine;
using MedAnomaly.Experiments;

namespace MedAnomaly.Cli.Commands;

/// <summary>`medanomaly presets`: every method × preset (network, parameters, steps, batch, slices seen, learning rate,
/// warm-up, precision), read from the code.</summary>
public static class PresetsCommand
{
    public static Command Create()
    {
        var command = new Command("presets", "List every method's tiny, quick and paper presets: network, steps, batch, slices seen, learning rate (a Markdown table)");
        command.SetAction(parse => CliErrors.RunWithTorch(parse, () =>   // counts the networks' parameters
        {
            Console.Write(PresetTable.Markdown());
            return 0;
        }));
        return command;
    }
}
