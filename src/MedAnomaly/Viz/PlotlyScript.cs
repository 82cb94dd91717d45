namespace MedAnomaly.Viz;

/// <summary>The plotly.js that ships inside the Plotly.NET assembly as a manifest resource, so a report can inline it
/// and open without a network.</summary>
public static class PlotlyScript
{
    const string ResourcePrefix = "Plotly.NET.plotly-", ResourceSuffix = ".min.js";

    static readonly Lazy<(string Version, string Source)> Bundled = new(Load);

    /// <summary>The bundled plotly.js version (2.28.0 in Plotly.NET 6.0.0).</summary>
    public static string Version => Bundled.Value.Version;

    /// <summary>The minified library (about 3.5 MB).</summary>
    public static string Source => Bundled.Value.Source;

    /// <summary>Finds the resource by pattern rather than by full name, so a Plotly.NET update that bumps plotly.js
    /// keeps working (the name carries the version).</summary>
    static (string, string) Load()
    {
        var assembly = typeof(Plotly.NET.GenericChart).Assembly;
        string name = assembly.GetManifestResourceNames()
            .SingleOrDefault(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(ResourceSuffix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{assembly.GetName().Name} {assembly.GetName().Version} has no embedded '{ResourcePrefix}VERSION{ResourceSuffix}'; expected the plotly.js bundle Plotly.NET 6 ships");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return (name[ResourcePrefix.Length..^ResourceSuffix.Length], reader.ReadToEnd());
    }
}
