namespace MedAnomaly.Cli.Commands;

/// <summary>Shared handling for command failures: a clear message on stderr and a non-zero exit code.</summary>
public static class CliErrors
{
    /// <summary>Runs <paramref name="body"/>; expected failures (bad input files, invalid arguments) print
    /// "error: message" and return 1 instead of a stack trace.</summary>
    public static int Run(Func<int> body)
    {
        try { return body(); }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException
                                   or FormatException or UnauthorizedAccessException or NotSupportedException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
