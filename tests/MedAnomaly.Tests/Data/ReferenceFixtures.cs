using System.Text.Json;

namespace MedAnomaly.Tests.Data;

/// <summary>
/// A folder of reference files under Fixtures/ with an expected.json that maps each file name to the values a
/// reference tool (nibabel, numpy, Pillow) read from it — written by the scripts in tests/golden/.
/// </summary>
internal sealed class ReferenceFixtures(string kind)
{
    public string Dir { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", kind);

    public string PathOf(string name) => Path.Combine(Dir, name);

    JsonElement? expected;

    /// <summary>expected.json, read once.</summary>
    JsonElement All => expected ??= ReadExpected();

    JsonElement ReadExpected()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf("expected.json")));
        return doc.RootElement.Clone();
    }

    /// <summary>The expected values recorded for <paramref name="name"/>.</summary>
    public JsonElement Expected(string name) => All.GetProperty(name);

    /// <summary>Every fixture listed in expected.json, for [MemberData].</summary>
    public TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var p in All.EnumerateObject()) data.Add(p.Name);
        return data;
    }
}
