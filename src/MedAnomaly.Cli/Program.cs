using System.CommandLine;
using MedAnomaly.Cli.Commands;

// The `medanomaly` command. Each sub-command lives in Commands/ and exposes `static Command Create()`. Commands that
// work on tensors load libtorch first (CliErrors.RunWithTorch → TorchNative); the others (help, metrics, data info and
// check, runs) never load it. Every failure is one line on stderr (CliErrors), the stack trace only with --verbose.
try
{
    var parse = MedAnomalyCommand.Create(args).Parse(args);
    if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction) return CliErrors.ReportParseErrors(parse);
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e)
{
    return CliErrors.Report(e, args.Contains("--verbose"));
}
