using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MedAnomaly.Tests.Notebooks;

/// <summary>
/// The kernel VS Code's Polyglot Notebooks runs: the pinned <c>dotnet-interactive stdio</c> (1.0.712001), driven the way
/// the extension drives it — one JSON command envelope per line on stdin (<c>{"commandType": "SubmitCode", "command":
/// {...}, "token": ...}</c>), one JSON event envelope per line on stdout. Run from a folder whose NuGet.Config names the
/// repository's artifacts/feed (as <see cref="NotebookRun"/> does), so that <c>#r "nuget: MedAnomaly.Notebooks, …"</c>
/// restores the local build.
/// </summary>
public sealed class StdioKernel : IDisposable
{
    readonly Process process;
    int submissions;

    /// <summary>One event of a submission: its type and its JSON body.</summary>
    public sealed record KernelEvent(string Type, JsonObject Body);

    StdioKernel(Process process) => this.process = process;

    /// <summary>Starts the kernel in <paramref name="folder"/> (inside the repository: `dotnet tool run` looks for
    /// .config/dotnet-tools.json from there upwards).</summary>
    public static StdioKernel Start(string folder)
    {
        NotebookRun.WriteFeedConfig(folder);
        var start = new ProcessStartInfo("dotnet", ["tool", "run", "dotnet-interactive", "--", "stdio", "--working-dir", folder])
        {
            WorkingDirectory = folder, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet-interactive stdio did not start");
        process.ErrorDataReceived += (_, _) => { };   // drained so that a chatty stderr cannot block the kernel
        process.BeginErrorReadLine();
        return new StdioKernel(process);
    }

    /// <summary>Submits C# code and returns the events of that submission, up to its CommandSucceeded or CommandFailed.</summary>
    /// <exception cref="TimeoutException">No completion within <paramref name="timeoutSeconds"/>.</exception>
    public List<KernelEvent> Submit(string code, int timeoutSeconds = 240)
    {
        string token = $"medanomaly-test-{++submissions}";
        var envelope = new JsonObject
        {
            ["commandType"] = "SubmitCode",
            ["command"] = new JsonObject { ["code"] = code, ["targetKernelName"] = "csharp" },
            ["token"] = token,
            ["routingSlip"] = new JsonArray(),
        };
        process.StandardInput.WriteLine(envelope.ToJsonString());
        process.StandardInput.Flush();

        var events = new List<KernelEvent>();
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var line = process.StandardOutput.ReadLineAsync();
            if (!line.Wait(Remaining(deadline)))
                throw new TimeoutException($"dotnet-interactive stdio: no completion of {token} within {timeoutSeconds} s; events so far: {string.Join(", ", events.Select(e => e.Type))}");
            if (line.Result is null)
                throw new InvalidOperationException($"dotnet-interactive stdio exited (code {(process.HasExited ? process.ExitCode : -1)}) before completing {token}");
            if (Parse(line.Result) is not { } e || OwnToken(e.Body) is not { } owner || !owner.StartsWith(token, StringComparison.Ordinal)) continue;
            events.Add(e);
            if (owner == token && e.Type is "CommandSucceeded" or "CommandFailed") return events;
        }
    }

    static TimeSpan Remaining(DateTime deadline) => deadline > DateTime.UtcNow ? deadline - DateTime.UtcNow : TimeSpan.Zero;

    /// <summary>An event envelope, or null for anything else on stdout (the kernel's welcome text).</summary>
    static KernelEvent? Parse(string line)
    {
        if (!line.StartsWith('{')) return null;
        try
        {
            return JsonNode.Parse(line) is JsonObject body && body["eventType"]?.GetValue<string>() is { } type ? new KernelEvent(type, body) : null;
        }
        catch (JsonException) { return null; }
    }

    /// <summary>The token of the command an event belongs to (child commands extend their parent's token).</summary>
    static string? OwnToken(JsonObject body) => body["command"]?["token"]?.GetValue<string>();

    /// <summary>The text of every formatted value of an event (display, update, return value, output).</summary>
    public static IEnumerable<string> FormattedTexts(KernelEvent e) =>
        (e.Body["event"]?["formattedValues"] as JsonArray ?? []).Select(v => v?["value"]?.GetValue<string>() ?? "");

    /// <summary>The display id of a displayed or updated value.</summary>
    public static string? ValueId(KernelEvent e) => e.Body["event"]?["valueId"]?.GetValue<string>();

    public void Dispose()
    {
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }   // exited in between
        process.Dispose();
    }
}
