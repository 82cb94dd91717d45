namespace MedAnomaly.Networks;

/// <summary>The checks the network configs' <c>Validate()</c> share: one message shape, "Type.Field = value: expected …".</summary>
static class NetworkChecks
{
    public static void Require(bool ok, string type, string field, object? value, string expected)
    {
        if (!ok) throw new ArgumentException($"{type}.{field} = {Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "null"}: expected {expected}");
    }

    /// <summary>"1, 2, 4 or 8": the numbers that divide every count (for GroupNorm groups and attention heads).</summary>
    public static string CommonDivisors(IReadOnlyCollection<int> counts)
    {
        int gcd = counts.Aggregate(0, (a, b) => Gcd(a, Math.Abs(b)));
        var divisors = Enumerable.Range(1, Math.Max(1, gcd)).Where(d => gcd % d == 0).Select(d => d.ToString()).ToList();
        return divisors.Count == 1 ? divisors[0] : $"{string.Join(", ", divisors[..^1])} or {divisors[^1]}";
    }

    static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
