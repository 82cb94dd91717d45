using System.CommandLine;
using MedAnomaly.Data;

namespace MedAnomaly.Cli.Commands;

/// <summary>`medanomaly data check MANIFEST --root DIR [--channel C]`: checks a local copy of a dataset.</summary>
public static class DataCheckCommand
{
    public static Command Create()
    {
        var manifest = new Argument<string>("manifest") { Description = "A manifest JSON file (e.g. data-manifests/brats2021.json)" };
        var root = new Option<string>("--root") { Description = "Local root directory of the dataset", Required = true };
        var channel = new Option<string?>("--channel") { Description = "Channel to check (default: the manifest's default_channel)" };
        var cmd = new Command("check", "Check a local dataset against its manifest: files present and readable, shapes consistent, sha256");
        cmd.Arguments.Add(manifest);
        cmd.Options.Add(root);
        cmd.Options.Add(channel);
        cmd.SetAction(parse => CliErrors.Run(parse, () =>
        {
            var m = DatasetManifest.Load(parse.GetValue(manifest)!);
            var report = ManifestCheck.Run(m, parse.GetValue(root)!, parse.GetValue(channel));
            Console.WriteLine(report);
            return report.Ok ? 0 : 1;
        }));
        return cmd;
    }
}
