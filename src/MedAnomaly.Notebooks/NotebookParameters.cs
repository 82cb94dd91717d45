using System.Globalization;

namespace MedAnomaly.Notebooks;

/// <summary>A notebook's parameters cell: <c>var steps = NotebookParameters.Get("steps", 200);</c>. The default is what
/// runs in VS Code; a headless run overrides it with an environment variable <c>MEDANOMALY_NB_STEPS=5000</c> (the name
/// upper-cased, '-' and ' ' as '_'), so the notebook is never edited and never prompts. Values parse with the invariant
/// culture; a value that does not parse is an error naming the variable and the type expected.</summary>
public static class NotebookParameters
{
    public const string Prefix = "MEDANOMALY_NB_";
    static readonly List<(string Name, string Value, bool Overridden)> seen = [];

    /// <summary>The environment variable that overrides <paramref name="name"/>.</summary>
    public static string VariableFor(string name) =>
        Prefix + name.Trim().ToUpperInvariant().Replace('-', '_').Replace(' ', '_');

    /// <summary>The parameter's value: the environment variable when set (and non-empty), else <paramref name="defaultValue"/>.
    /// Supports string, bool, int, long, double, float, ulong and enums.</summary>
    public static T Get<T>(string name, T defaultValue)
    {
        string variable = VariableFor(name);
        string? text = Environment.GetEnvironmentVariable(variable);
        T value = string.IsNullOrEmpty(text) ? defaultValue : Parse<T>(text, variable);
        lock (seen)
        {
            seen.RemoveAll(p => p.Name == name);
            seen.Add((name, Convert.ToString(value, CultureInfo.InvariantCulture) ?? "", !string.IsNullOrEmpty(text)));
        }
        return value;
    }

    /// <summary>The parameters read so far, "name = value" with "(from VARIABLE)" where overridden.</summary>
    public static string Summary()
    {
        lock (seen)
            return string.Join("\n", seen.Select(p => $"{p.Name} = {p.Value}{(p.Overridden ? $"   (from {VariableFor(p.Name)})" : "")}"));
    }

    static T Parse<T>(string text, string variable)
    {
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        try
        {
            object value = type == typeof(string) ? text
                : type == typeof(bool) ? ParseBool(text)
                : type.IsEnum ? Enum.Parse(type, text, ignoreCase: true)
                : Convert.ChangeType(text, type, CultureInfo.InvariantCulture);
            return (T)value;
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException or ArgumentException)
        {
            throw new ArgumentException($"notebook parameter {variable}='{text}' is not a valid {type.Name}" +
                (type.IsEnum ? $" (expected one of {string.Join(", ", Enum.GetNames(type))})" : ""), e);
        }
    }

    static bool ParseBool(string text) => text.Trim().ToLowerInvariant() switch
    {
        "1" or "true" or "yes" or "on" => true,
        "0" or "false" or "no" or "off" => false,
        _ => throw new FormatException("expected true/false, 1/0, yes/no or on/off"),
    };
}
