namespace MedAnomaly.Tests.TestSupport;

/// <summary>A new empty folder under the system's temporary folder, deleted with everything in it on Dispose.</summary>
public sealed class TemporaryFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("medanomaly-test-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
