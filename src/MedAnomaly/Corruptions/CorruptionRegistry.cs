using System.Text;

namespace MedAnomaly.Corruptions;

/// <summary>One registered corruption: its name, one line of help and a factory with the paper's defaults.</summary>
public sealed record CorruptionEntry(string Name, string Help, Func<ICorruption> Create);

/// <summary>
/// The corruptions of the workbench, printable (MONAI Generative's registry style). Adding a corruption =
/// one file in Corruptions/ and one line here; registry-wide tests then run it on the phantom.
/// </summary>
public static class CorruptionRegistry
{
    static readonly Registration<CorruptionEntry> Entries = new(
    [
        new("coarse-noise", "low-resolution Gaussian noise upsampled to the image (DAE, Kascenas et al. MIDL 2022)", () => new CoarseNoise()),
        new("simplex-noise", "fractal simplex noise, 6 octaves × 0.8 from 64 px, added to the image (AnoDDPM, Wyatt et al. CVPR-W 2022)", () => new SimplexNoise()),
        new("fpi", "foreign patch interpolation x(1−αm) + p·αm in a random shape (Tan et al. 2020; DISYRE ISBI 2024)", () => new Fpi()),
        new("dag", "FPI with a min–max rescaled patch + intensity bias on quantised levels (DISYRE v2 default, MICCAI 2024)", () => new Dag()),
    ], e => e.Name);

    /// <summary>The registered corruptions, built-in first.</summary>
    public static IReadOnlyList<CorruptionEntry> All => Entries.Snapshot();

    /// <summary>Registers a corruption from another assembly; disposing the handle removes it.</summary>
    public static IDisposable Register(CorruptionEntry entry) => Entries.Add(entry);

    /// <summary>A new corruption with its default settings; unknown names list the known ones.</summary>
    public static ICorruption Create(string name) =>
        All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))?.Create()
        ?? throw new ArgumentException($"unknown corruption '{name}'; known: {string.Join(", ", All.Select(e => e.Name))}", nameof(name));

    /// <summary>One line per corruption: name, then its help.</summary>
    public static string Describe()
    {
        int width = All.Max(e => e.Name.Length);
        var text = new StringBuilder();
        foreach (var entry in All) text.Append(entry.Name.PadRight(width + 2)).AppendLine(entry.Help);
        return text.ToString();
    }
}
