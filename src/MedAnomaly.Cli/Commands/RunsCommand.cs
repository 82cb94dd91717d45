using System.CommandLine;
using System.Globalization;
using MedAnomaly.Experiments;

namespace MedAnomaly.Cli.Commands;

/// <summary>`medanomaly runs list | show ID | table`: what the run store holds.</summary>
public static class RunsCommand
{
    public static Command Create()
    {
        var store = new Option<string>("--store") { Description = "the run store (SQLite)", DefaultValueFactory = _ => RunStore.DefaultPath };
        var command = new Command("runs", "List, show and tabulate the runs in the store (read-only), migrate it, or merge other stores into it")
        {
            List(store), Show(store), Table(store), Migrate(store), Merge(store),
        };
        return command;
    }

    static (Option<string?> Method, Option<string?> Dataset, Option<string?> Status) Filters() =>
        (new("--method") { Description = "only this method" }, new("--dataset") { Description = "only this dataset" },
         new("--status") { Description = "only runs with this status: running, completed, failed, cancelled" });

    static RunFilter Filter(ParseResult parse, (Option<string?> Method, Option<string?> Dataset, Option<string?> Status) f, RunStatus? defaultStatus = null)
    {
        RunStatus? status = parse.GetValue(f.Status) is { } s
            ? Enum.TryParse<RunStatus>(s, ignoreCase: true, out var parsed) ? parsed : throw new ArgumentException($"--status {s}: expected running, completed, failed or cancelled")
            : defaultStatus;
        return new RunFilter(parse.GetValue(f.Method), parse.GetValue(f.Dataset), status);
    }

    /// <summary>Reading commands open the store read-only: a store on a read-only file or folder can be listed.</summary>
    static RunStore OpenExisting(ParseResult parse, Option<string> store) => RunStore.OpenReadOnly(parse.GetValue(store)!);

    static Command Migrate(Option<string> store)
    {
        var command = new Command("migrate", "Bring a store written by an earlier MedAnomaly to this version's schema (back it up first: docs/experiments.md)") { store };
        command.SetAction(parse => CliErrors.Run(parse, () =>
        {
            var path = parse.GetValue(store)!;
            if (!File.Exists(path)) throw new FileNotFoundException($"no run store at {Path.GetFullPath(path)}", path);
            int before = RunStoreFile.Identify(Path.GetFullPath(path)).Version;
            var opened = RunStore.Open(path);
            Console.WriteLine(before == RunStoreSchema.LatestVersion
                ? $"{opened.Path} is at schema version {before}, the latest: nothing to do"
                : $"{opened.Path}: schema version {before} → {RunStoreSchema.LatestVersion}");
            return 0;
        }));
        return command;
    }

    static Command Merge(Option<string> store)
    {
        var sources = new Argument<string[]>("SOURCE") { Description = "run stores, or folders whose *.db files are run stores (e.g. a grid folder: its cells/*/runs.db)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("merge", "Copy the finished runs of other stores (e.g. one per Slurm task) into --store; a run already there (same uuid) is not added again") { sources, store };
        command.SetAction(parse => CliErrors.Run(parse, () =>
        {
            var target = RunStore.Open(parse.GetValue(store)!);
            var files = parse.GetValue(sources)!.SelectMany(source => StoresIn(source, target.Path)).Distinct().ToList();
            if (files.Count == 0) throw new FileNotFoundException($"no *.db file in {string.Join(", ", parse.GetValue(sources)!)}; expected run stores or folders holding them");
            foreach (var result in files.Select(target.Merge))
                Console.WriteLine($"{result.Source}: {result.Added} run(s) added, {result.AlreadyPresent} already there" +
                                  (result.StillRunning > 0 ? $", {result.StillRunning} still running (not merged)" : ""));
            return 0;
        }));
        return command;
    }

    /// <summary>A store file as it is; a folder's *.db files below it (the target excluded), in path order.</summary>
    static IEnumerable<string> StoresIn(string source, string target)
    {
        string full = Path.GetFullPath(source);
        if (File.Exists(full)) return [full];
        if (!Directory.Exists(full)) throw new FileNotFoundException($"{source}: no such run store or folder", source);
        return Directory.EnumerateFiles(full, "*.db", SearchOption.AllDirectories).Where(f => f != target).Order(StringComparer.Ordinal);
    }

    static Command List(Option<string> store)
    {
        var f = Filters();
        var command = new Command("list", "One line per run") { store, f.Method, f.Dataset, f.Status };
        command.SetAction(parse => CliErrors.Run(parse, () =>
        {
            var runs = OpenExisting(parse, store).ListRuns(Filter(parse, f));
            Console.WriteLine($"{"id",5}  {"method",-8} {"dataset",-10} {"seed",5}  {"status",-10} {"started (UTC)",-20} pixel_auroc");
            foreach (var r in runs)
            {
                var auroc = r.Metrics.FirstOrDefault(m => m.Name == "pixel_auroc")?.Value;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Id,5}  {r.Info.Method,-8} {r.Info.Dataset,-10} {r.Info.Seed,5}  {r.Status.ToString().ToLowerInvariant(),-10} {r.StartedUtc:yyyy-MM-dd HH:mm:ss}  {(auroc is double a ? a.ToString("F4", CultureInfo.InvariantCulture) : "–")}"));
            }
            return 0;
        }));
        return command;
    }

    static Command Show(Option<string> store)
    {
        var id = new Argument<long>("ID") { Description = "the run id" };
        var command = new Command("show", "Everything about one run, with the command that recreates it") { id, store };
        command.SetAction(parse => CliErrors.Run(parse, () =>
        {
            var r = OpenExisting(parse, store).GetRun(parse.GetValue(id));
            Console.WriteLine($"run {r.Id}: {r.Info.Method} on {r.Info.Dataset}, seed {r.Info.Seed}, {r.Status.ToString().ToLowerInvariant()}");
            Console.WriteLine($"started {r.StartedUtc:u}, ended {(r.EndedUtc is { } e ? e.ToString("u") : "–")}; uuid {r.Uuid}");
            if (r.Error is not null) Console.WriteLine($"error: {r.Error}");
            Console.WriteLine($"git {r.Info.GitRevision ?? "–"}; {r.Info.Machine}; libtorch {r.Info.LibtorchVersion}, TorchSharp {r.Info.TorchSharpVersion}");
            Console.WriteLine($"recreate: {r.Info.Command}");
            Console.WriteLine($"config: {r.Info.ConfigJson}");
            foreach (var m in r.Metrics) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {m.Split,-6} {m.Name,-18} {m.Value:R}   {m.Definition}"));
            foreach (var a in r.Artifacts) Console.WriteLine($"  artifact {a.Kind}: {a.Path} (sha256 {a.Sha256[..16]}…)");
            return 0;
        }));
        return command;
    }

    static Command Table(Option<string> store)
    {
        var f = Filters();
        var format = new Option<string>("--format") { Description = "md, latex, html or csv", DefaultValueFactory = _ => "md" };
        var split = new Option<string>("--split") { Description = "the metrics' split", DefaultValueFactory = _ => MetricRows.Split };
        var command = new Command("table", "Method × metric, mean ± std over seeds, of the completed runs") { store, f.Method, f.Dataset, f.Status, format, split };
        command.SetAction(parse => CliErrors.Run(parse, () =>
        {
            string extension = parse.GetValue(format) switch
            {
                "md" => "md", "latex" or "tex" => "tex", "html" => "html", "csv" => "csv",
                var other => throw new ArgumentException($"--format {other}: expected md, latex, html or csv"),
            };
            var results = OpenExisting(parse, store).ReadResults(Filter(parse, f, RunStatus.Completed));
            Console.WriteLine(Tables.Format(extension, SeedStatistics.Summarize(results, parse.GetValue(split)!, parse.GetValue(f.Dataset)), Comparison.TableOptions));
            return 0;
        }));
        return command;
    }
}
