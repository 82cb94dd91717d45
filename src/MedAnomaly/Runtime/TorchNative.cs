using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace MedAnomaly.Runtime;

/// <summary>What <see cref="TorchNative.EnsureLoaded"/> found and did.</summary>
/// <param name="LibTorchFolder">The folder whose libtorch_cpu.so / libtorch.so were loaded (null off Linux).</param>
/// <param name="TorchSharpLibrary">The libLibTorchSharp.so that was loaded: the package's file or a patched copy.</param>
/// <param name="Patched">Whether the patched copy was needed (the system libstdc++ lacks GLIBCXX_3.4.32).</param>
public sealed record TorchNativeReport(string? LibTorchFolder, string? TorchSharpLibrary, bool Patched);

/// <summary>
/// Loads TorchSharp's native libraries on Linux before TorchSharp does (call <see cref="EnsureLoaded"/> before the first
/// use of <c>torch</c>): libtorch 2.10 by absolute path (not another libtorch on the system), a copy of
/// libLibTorchSharp.so with its GLIBCXX_3.4.32 requirement relaxed where the system lacks it (only builds listed in
/// <see cref="KnownBuilds"/>), NNPACK off, and <c>OMP_WAIT_POLICY=PASSIVE</c> unless set. Why each: docs/stack.md.
/// Environment: <c>MEDANOMALY_LIBTORCH</c>, <c>MEDANOMALY_CACHE</c>, <c>NUGET_PACKAGES</c>, <c>MEDANOMALY_NUM_THREADS</c>.
/// </summary>
public static class TorchNative
{
    public const string TorchSharpVersion = "0.107.0";
    public const string LibTorchVersion = "2.10.0";
    public const string MarkerSymbol = "_ZSt21ios_base_library_initv";
    public const string MarkerVersion = "GLIBCXX_3.4.32";
    const string TorchSharpFile = "libLibTorchSharp.so";

    /// <summary>sha256 of each libLibTorchSharp.so this routine may patch → sha256 of the patched copy.</summary>
    public static readonly IReadOnlyDictionary<string, string> KnownBuilds = new Dictionary<string, string>
    {
        // TorchSharp 0.107.0, runtimes/linux-x64/native/libLibTorchSharp.so
        ["cf33b1b0bb6bbb9754a768fb5c5d04d9f498603be50e73f55621a0b40ee608b8"] = PatchedSha256_0_107_0,
    };
    const string PatchedSha256_0_107_0 = "9723f27dc061e98d24149187be83367b57a4f3403b59252387805c8795d92749";

    static readonly Lock gate = new();
    static TorchNativeReport? loaded;

    /// <summary>Loads the native libraries once per process; later calls return the first report.</summary>
    /// <exception cref="TorchNativeException">The files are missing, or TorchSharp's library needs a patch this
    /// routine does not know; the message says what to do.</exception>
    public static TorchNativeReport EnsureLoaded()
    {
        lock (gate)
        {
            if (loaded is not null) return loaded;
            if (!OperatingSystem.IsLinux()) return loaded = new TorchNativeReport(null, null, false);
            OpenMpWaitPolicy.ApplyDefault();   // before libgomp loads with libtorch_cpu.so: it reads the variable once
            HostMemory.ApplyPolicy();
            string libtorch = FindFolder("libtorch_cpu.so", LibTorchCandidates(), "libtorch " + LibTorchVersion);
            var torchCpu = NativeLibrary.Load(Path.Combine(libtorch, "libtorch_cpu.so"));
            foreach (var file in new[] { "libtorch_cuda.so", "libtorch.so" })
                if (File.Exists(Path.Combine(libtorch, file))) NativeLibrary.Load(Path.Combine(libtorch, file));
            LibTorchContext.DisableNnpack(torchCpu);
            string original = Path.Combine(FindFolder(TorchSharpFile, TorchSharpCandidates(libtorch), "TorchSharp " + TorchSharpVersion), TorchSharpFile);
            bool patch = !SystemLibStdCxxHasMarkerVersion();
            string library = patch ? PatchedCopy(original) : original;
            NativeLibrary.Load(library);
            TorchSharp.torch.set_num_threads(Threads());
            return loaded = new TorchNativeReport(libtorch, library, patch);
        }
    }

    /// <summary>libtorch's intra-op threads: <c>MEDANOMALY_NUM_THREADS</c>, else every core (libtorch's own
    /// default can be 1 in containers).</summary>
    static int Threads() =>
        int.TryParse(Environment.GetEnvironmentVariable("MEDANOMALY_NUM_THREADS"), out int n) && n > 0 ? n : Environment.ProcessorCount;

    /// <summary>Writes (or reuses) the patched copy of <paramref name="original"/> in the cache folder.</summary>
    /// <exception cref="TorchNativeException">The file's sha256 is not one of <see cref="KnownBuilds"/>.</exception>
    public static string PatchedCopy(string original, string? cacheFolder = null)
    {
        byte[] bytes = File.ReadAllBytes(original);
        string sha = Sha256(bytes);
        if (!KnownBuilds.TryGetValue(sha, out var patchedSha))
            throw new TorchNativeException(
                $"{original} (sha256 {sha}) needs {MarkerVersion}, which this system's libstdc++ lacks, and MedAnomaly only " +
                $"patches the libLibTorchSharp.so of TorchSharp {TorchSharpVersion} it knows. Use TorchSharp {TorchSharpVersion}, " +
                "or install a libstdc++ from GCC 13 or newer (Debian 13, Ubuntu 24.04).");
        string folder = Path.Combine(cacheFolder ?? CacheFolder(), "native", sha[..16]);
        string target = Path.Combine(folder, TorchSharpFile);
        if (File.Exists(target) && Sha256(File.ReadAllBytes(target)) == patchedSha) return target;

        var (symbols, versions) = ElfSymbolVersionPatch.Apply(bytes, MarkerSymbol, MarkerVersion);
        string result = Sha256(bytes);
        if (symbols != 1 || versions != 1 || result != patchedSha)
            throw new TorchNativeException($"patching {original} changed {symbols} symbol(s) and {versions} version entr(ies) " +
                                           $"and gave sha256 {result}, expected 1, 1 and {patchedSha}; nothing was written");
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $".{TorchSharpFile}.{Environment.ProcessId}.tmp");
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, target, overwrite: true);
        return target;
    }

    /// <summary>Whether the libstdc++ that libtorch loaded defines the marker symbol at GLIBCXX_3.4.32.</summary>
    public static bool SystemLibStdCxxHasMarkerVersion()
    {
        var handle = NativeLibrary.Load("libstdc++.so.6");
        return dlvsym(handle, MarkerSymbol, MarkerVersion) != IntPtr.Zero;
    }

    [DllImport("libc.so.6", CharSet = CharSet.Ansi, BestFitMapping = false)]
    static extern IntPtr dlvsym(IntPtr handle, string symbol, string version);

    static string FindFolder(string file, IEnumerable<string> candidates, string what)
    {
        var tried = new List<string>();
        foreach (var folder in candidates.Distinct())
        {
            if (File.Exists(Path.Combine(folder, file))) return folder;
            tried.Add(folder);
        }
        throw new TorchNativeException(
            $"{file} of {what} was not found. Reference the TorchSharp-cpu {TorchSharpVersion} package (or a CUDA one) " +
            $"in the application, or point MEDANOMALY_LIBTORCH at a folder with libtorch {LibTorchVersion}. Looked in: {string.Join(", ", tried)}");
    }

    /// <summary>The application's own folders first (where TorchSharp itself looks), then the NuGet cache.</summary>
    static IEnumerable<string> LibTorchCandidates()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("MEDANOMALY_LIBTORCH");
        if (!string.IsNullOrEmpty(fromEnvironment)) return [Path.GetFullPath(fromEnvironment)];
        return ApplicationFolders().Concat(
        [
            PackageNativeFolder("libtorch-cpu-linux-x64", LibTorchVersion),
            PackageNativeFolder("libtorch-cuda-12.8-linux-x64", LibTorchVersion),
        ]);
    }

    static IEnumerable<string> TorchSharpCandidates(string libtorch) =>
        new[] { libtorch }.Concat(ApplicationFolders()).Append(PackageNativeFolder("torchsharp", TorchSharpVersion));

    static IEnumerable<string> ApplicationFolders()
    {
        foreach (var root in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location) })
        {
            if (string.IsNullOrEmpty(root)) continue;
            yield return root;
            yield return Path.Combine(root, "runtimes", "linux-x64", "native");
        }
    }

    static string PackageNativeFolder(string package, string version) =>
        Path.Combine(NuGetPackagesFolder(), package, version, "runtimes", "linux-x64", "native");

    static string NuGetPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    static string CacheFolder()
    {
        if (Environment.GetEnvironmentVariable("MEDANOMALY_CACHE") is { Length: > 0 } explicitFolder) return explicitFolder;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg;
        return Path.Combine(root, "medanomaly");
    }

    static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}

/// <summary>TorchSharp's native libraries could not be prepared; the message says what to do.</summary>
public sealed class TorchNativeException(string message) : Exception(message);
