namespace MedAnomaly.Benchmarks;

public static class Statistics
{
    /// <summary>The middle value (the upper one of the two middles for an even count), as the peers compute it.</summary>
    public static double Median(IReadOnlyCollection<double> values) => values.Order().ElementAt(values.Count / 2);
}
