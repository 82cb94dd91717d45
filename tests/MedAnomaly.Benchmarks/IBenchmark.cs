namespace MedAnomaly.Benchmarks;

/// <summary>One benchmark: measures MedAnomaly and a peer in the same run and prints their ratio.</summary>
public interface IBenchmark
{
    string Name { get; }
    string Description { get; }
    /// <param name="quick">A short run (smaller sizes / fewer steps) for smoke-checking.</param>
    void Run(bool quick);
}
