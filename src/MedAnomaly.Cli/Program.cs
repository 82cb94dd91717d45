using MedAnomaly.Cli.Commands;

// The `medanomaly` command. Each sub-command lives in Commands/ and exposes `static Command Create()`.
return MedAnomalyCommand.Create().Parse(args).Invoke();
