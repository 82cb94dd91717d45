using System.Diagnostics;
using System.Security.Cryptography;
using MedAnomaly.Runtime;
using MedAnomaly.Tests.TestSupport;

namespace MedAnomaly.Tests.Runtime;

/// <summary>
/// The TorchSharp bootstrap (src/MedAnomaly/Runtime/TorchNative.cs): a fresh process loads TorchSharp and trains,
/// the patch applies to the one file it knows and refuses any other, and the package's own file is never changed.
/// </summary>
public class TorchNativeTests
{
    static string PackageLibrary() =>
        Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
            "torchsharp", TorchNative.TorchSharpVersion, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void FreshProcessLoadsTorchSharpAndTrains()
    {
        using var cache = new TemporaryFolder();
        var cli = Path.Combine(AppContext.BaseDirectory, "MedAnomaly.Cli.dll");
        var start = new ProcessStartInfo("dotnet", [cli, "doctor", "--steps", "3"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["MEDANOMALY_CACHE"] = cache.Path; // an empty cache: the patched copy is made anew
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "medanomaly doctor did not finish in 2 minutes");
        Assert.True(process.ExitCode == 0, output);
        Assert.Contains("libtorch 2.10.0", output);
        Assert.Contains("step 3  loss", output);
        bool patchNeeded = !TorchNative.SystemLibStdCxxHasMarkerVersion();
        Assert.Equal(patchNeeded, output.Contains("patched copy"));
        Assert.Equal(patchNeeded, Directory.EnumerateFiles(cache.Path, "libLibTorchSharp.so", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public void NnpackIsSwitchedOffOnLinux()
    {
        if (!OperatingSystem.IsLinux()) return;
        TorchNative.EnsureLoaded();
        Assert.False(LibTorchContext.NnpackEnabled());
    }

    [Fact]
    public void PatchRefusesAFileWhoseHashItDoesNotKnow()
    {
        using var folder = new TemporaryFolder();
        var unknown = Path.Combine(folder.Path, "libLibTorchSharp.so");
        var bytes = File.ReadAllBytes(PackageLibrary());
        bytes[^1] ^= 0xFF; // one byte off: a build this routine has never seen
        File.WriteAllBytes(unknown, bytes);
        var cache = Path.Combine(folder.Path, "cache");
        var e = Assert.Throws<TorchNativeException>(() => TorchNative.PatchedCopy(unknown, cache));
        Assert.Contains("sha256", e.Message);
        Assert.Contains("GLIBCXX_3.4.32", e.Message);
        Assert.False(Directory.Exists(cache), "nothing may be written for an unknown file");
    }

    [Fact]
    public void PatchOfTheKnownFileRelaxesExactlyOneSymbolAndOneVersion()
    {
        var original = PackageLibrary();
        string before = Sha256(original);
        Assert.True(TorchNative.KnownBuilds.ContainsKey(before), $"the package file's sha256 {before} is not a known build");
        var bytes = File.ReadAllBytes(original);
        Assert.Equal((1, 1), ElfSymbolVersionPatch.Apply(bytes, TorchNative.MarkerSymbol, TorchNative.MarkerVersion));
        Assert.Equal(TorchNative.KnownBuilds[before], Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal(before, Sha256(original)); // the package's own file is never modified
    }

    [Fact]
    public void PatchedCopyIsWrittenOnceAndReused()
    {
        using var cache = new TemporaryFolder();
        string first = TorchNative.PatchedCopy(PackageLibrary(), cache.Path);
        var written = File.GetLastWriteTimeUtc(first);
        string second = TorchNative.PatchedCopy(PackageLibrary(), cache.Path);
        Assert.Equal(first, second);
        Assert.Equal(written, File.GetLastWriteTimeUtc(second));
        Assert.Empty(Directory.EnumerateFiles(cache.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void ElfPatchRejectsFilesThatAreNotElf()
    {
        var e = Assert.Throws<InvalidDataException>(() => ElfSymbolVersionPatch.Apply(new byte[128], "x", "y"));
        Assert.Contains("not an ELF file", e.Message);
        var truncated = File.ReadAllBytes(PackageLibrary())[..4096];
        Assert.Throws<InvalidDataException>(() => ElfSymbolVersionPatch.Apply(truncated, TorchNative.MarkerSymbol, TorchNative.MarkerVersion));
    }
}
