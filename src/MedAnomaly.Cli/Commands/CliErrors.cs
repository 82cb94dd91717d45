using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using MedAnomaly.Runtime;

namespace MedAnomaly.Cli.Commands;

/// <summary>
/// How every command fails: one line on stderr, <c>error: what was wrong (which file, key or run) and what was
/// expected</c>, sometimes a second <c>hint:</c> line, and exit code 1 (130 when cancelled). The stack trace is
/// printed only with <c>--verbose</c>.
/// </summary>
public static partial class CliErrors
{
    /// <summary>The global <c>--verbose</c> option (every sub-command accepts it).</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "on failure, also print the exception's full text with its stack trace",
        Recursive = true,
    };

    /// <summary>Runs a command's body and turns any exception into the one-line error.</summary>
    public static int Run(ParseResult parse, Func<int> body)
    {
        try { return body(); }
        catch (Exception e) { return Report(e, IsVerbose(parse)); }
    }

    /// <summary>Whether --verbose was given (false for a command tree without the option, e.g. a sub-command parsed alone).</summary>
    static bool IsVerbose(ParseResult parse) => parse.GetResult(Verbose) is System.CommandLine.Parsing.OptionResult r && r.GetValueOrDefault<bool>();

    /// <summary>The same for a command that works on tensors: libtorch is loaded first (<see cref="TorchNative"/>);
    /// the other commands never load it.</summary>
    public static int RunWithTorch(ParseResult parse, Func<int> body) => Run(parse, () =>
    {
        TorchNative.EnsureLoaded();
        return body();
    });

    /// <summary>Prints the error (and with <paramref name="verbose"/> the full exception) and returns the exit code.</summary>
    public static int Report(Exception exception, bool verbose, TextWriter? error = null)
    {
        error ??= Console.Error;
        var e = Unwrap(exception);
        if (e is OperationCanceledException)
        {
            error.WriteLine($"cancelled: {OneLine(e.Message)}");
            return 130;
        }
        error.WriteLine($"error: {Describe(e)}");
        if (verbose) error.WriteLine(exception.ToString());
        else if (!IsExpected(e)) error.WriteLine("hint: this looks like a bug in MedAnomaly; rerun with --verbose for the stack trace and report it");
        return 1;
    }

    /// <summary>A command line that does not parse (unknown command, missing or repeated option): the parser's messages on
    /// one line and where to find the options, instead of the whole help text.</summary>
    public static int ReportParseErrors(ParseResult parse, TextWriter? error = null)
    {
        error ??= Console.Error;
        error.WriteLine($"error: {OneLine(string.Join("; ", parse.Errors.Select(e => e.Message.TrimEnd('.'))))}");
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = parse.CommandResult; r is not null; r = r.Parent)
            if (r is System.CommandLine.Parsing.CommandResult c) names.Insert(0, c.Command.Name);
        string command = string.Join(" ", names);
        error.WriteLine($"hint: `{command} --help` lists the options");
        return 1;
    }

    /// <summary>The exception that says what went wrong: aggregates (Parallel.For), reflection and type-initializer
    /// wrappers are taken apart.</summary>
    public static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case AggregateException aggregate when aggregate.Flatten().InnerExceptions.Count > 0:
                    e = aggregate.Flatten().InnerExceptions[0];
                    break;
                case TargetInvocationException or TypeInitializationException when e.InnerException is not null:
                    e = e.InnerException;
                    break;
                default:
                    return e;
            }
        }
    }

    /// <summary>The message on one line. libtorch's errors (ExternalException) carry the C++ frames after their first
    /// line; argument errors carry the parameter and its value.</summary>
    public static string Describe(Exception e)
    {
        string message = e switch
        {
            ExternalException => "libtorch: " + FirstLine(e.Message),
            ArgumentOutOfRangeException range when range.ParamName is { } name =>
                $"{name} = {range.ActualValue}: {FirstLine(range.Message.Replace($" (Parameter '{name}')", ""))}",
            ArgumentException argument when argument.ParamName is { } name => argument.Message.Replace($" (Parameter '{name}')", ""),
            OutOfMemoryException => $"out of memory ({e.Message})",
            _ when IsExpected(e) => e.Message,
            _ => $"{e.GetType().Name}: {e.Message}",
        };
        return OneLine(message);
    }

    /// <summary>Exceptions the library throws on purpose for bad input, with a message written for the user.</summary>
    static bool IsExpected(Exception e) => e is IOException or InvalidDataException or ArgumentException or InvalidOperationException
        or FormatException or UnauthorizedAccessException or NotSupportedException or KeyNotFoundException or JsonException
        or System.Data.Common.DbException or ExternalException or OutOfMemoryException or OverflowException or TorchNativeException;

    static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd('\r', ' ');

    static string OneLine(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"\s*[\r\n]+\s*")]
    private static partial Regex Whitespace();
}
