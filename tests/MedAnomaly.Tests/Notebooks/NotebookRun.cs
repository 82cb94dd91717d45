using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MedAnomaly.Tests.Notebooks;

/// <summary>Runs a notebook written on the fly with the pinned dotnet-repl (a fresh .NET Interactive kernel), from a
/// folder whose NuGet.Config names the repository's artifacts/feed — as a notebook in notebooks/ is run.</summary>
public static class NotebookRun
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The notebooks' package line (their second code cell): the newest MedAnomaly.Notebooks of the local feed,
    /// whose version `make build` makes unique to each build (docs/notebooks.md).</summary>
    public const string PackageReference = "#r \"nuget: MedAnomaly.Notebooks, *-*\"";

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MedAnomaly.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no MedAnomaly.sln above {AppContext.BaseDirectory}");
    }

    public static JsonObject Notebook(params string[] codeCells) => new()
    {
        ["cells"] = new JsonArray(codeCells.Select((source, i) => (JsonNode)new JsonObject
        {
            ["cell_type"] = "code", ["id"] = $"c{i}", ["execution_count"] = null, ["outputs"] = new JsonArray(),
            ["metadata"] = new JsonObject
            {
                ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" },
                ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" },
            },
            ["source"] = source,
        }).ToArray()),
        ["metadata"] = new JsonObject
        {
            ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
            ["polyglot_notebook"] = JsonNode.Parse("""{"kernelInfo":{"defaultKernelName":"csharp","items":[{"name":"csharp","aliases":[]}]}}"""),
        },
        ["nbformat"] = 4, ["nbformat_minor"] = 5,
    };

    /// <summary>Executes the notebook; returns dotnet-repl's exit code and the executed notebook (null when none was written).</summary>
    public static (int ExitCode, JsonObject? Executed, string Log) Execute(string folder, JsonObject notebook,
        IReadOnlyDictionary<string, string>? environment = null, int timeoutSeconds = 240)
    {
        WriteFeedConfig(folder);
        string input = Path.Combine(folder, "test.ipynb"), output = Path.Combine(folder, "test.out.ipynb");
        File.WriteAllText(input, notebook.ToJsonString());
        // `dotnet tool run` finds .config/dotnet-tools.json from the working directory upwards: keep folder inside the repository.
        var start = new ProcessStartInfo("dotnet", ["tool", "run", "dotnet-repl", "--", "--run", input, "--exit-after-run", "--output-path", output])
        {
            WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000)) { process.Kill(entireProcessTree: true); throw new TimeoutException($"dotnet repl ran over {timeoutSeconds} s"); }
        string log = stdout.Result + stderr.Result;
        return (process.ExitCode, File.Exists(output) ? JsonNode.Parse(File.ReadAllText(output))!.AsObject() : null, log);
    }

    /// <summary>Writes a NuGet.Config into <paramref name="folder"/> that names the repository's artifacts/feed (what
    /// notebooks/NuGet.Config does for the committed notebooks).</summary>
    public static void WriteFeedConfig(string folder)
    {
        string feed = Path.Combine(RepositoryRoot, "artifacts", "feed");
        if (!Directory.Exists(feed)) throw new InvalidOperationException($"{feed} is missing: run 'make build' (it packs MedAnomaly.Notebooks)");
        File.WriteAllText(Path.Combine(folder, "NuGet.Config"),
            $"""<?xml version="1.0" encoding="utf-8"?><configuration><packageSources><add key="medanomaly-local" value="{feed}" /></packageSources></configuration>""");
    }

    /// <summary>Every output of cell <paramref name="index"/> as (output_type, mime type or "", text).</summary>
    public static List<(string Type, string Mime, string Text)> Outputs(JsonObject executed, int index)
    {
        var list = new List<(string, string, string)>();
        foreach (var output in executed["cells"]![index]!["outputs"]!.AsArray())
        {
            string type = (string)output!["output_type"]!;
            if (output["data"] is JsonObject data)
                foreach (var (mime, value) in data) list.Add((type, mime, Text(value)));
            else list.Add((type, "", Text(output["text"]) + Text(output["evalue"])));
        }
        return list;
    }

    static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonArray a => string.Concat(a.Select(x => (string?)x)),
        _ => node.GetValueKind() == JsonValueKind.String ? (string)node! : node.ToJsonString(),
    };
}
