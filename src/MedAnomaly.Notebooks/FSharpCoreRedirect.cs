using System.Reflection;
using System.Runtime.Loader;

namespace MedAnomaly.Notebooks;

/// <summary>Plotly.NET 6.0.0 and Deedle 8.1.0 are built against FSharp.Core 10.1.0.0, while the .NET Interactive
/// kernel (dotnet-repl 0.3.259, VS Code's dotnet-interactive) has already loaded its own FSharp.Core 10.0.0.0, so
/// the first chart fails with FileNotFoundException for FSharp.Core 10.1.0.0. A <c>#r</c> of FSharp.Core 10.1 does not
/// help (the loaded one wins). Answering the default load context's <c>Resolving</c> event with the loaded FSharp.Core
/// does: 10.1 is backwards compatible with what these libraries call (measured: every chart type tried rendered).</summary>
public static class FSharpCoreRedirect
{
    static int installed;

    public static void Install()
    {
        if (Interlocked.Exchange(ref installed, 1) == 1) return;
        AssemblyLoadContext.Default.Resolving += Resolve;
    }

    static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name) =>
        name.Name == "FSharp.Core"
            ? AppDomain.CurrentDomain.GetAssemblies()
                .Where(a => a.GetName().Name == "FSharp.Core")
                .OrderByDescending(a => a.GetName().Version)
                .FirstOrDefault()
            : null;
}
