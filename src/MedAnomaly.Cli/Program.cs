using System.CommandLine;
using MedAnomaly.Cli.Commands;

// The `medanomaly` command. Each sub-command lives in Commands/ and exposes `static Command Create()`.
var root = new RootCommand("MedAnomaly: unsupervised anomaly detection in medical images")
{
    DemoCommand.Create(),
    DataCommand.Create(),
    MetricsCommand.Create(),
};
return root.Parse(args).Invoke();
