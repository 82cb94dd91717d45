namespace MedAnomaly.Benchmarks;

/// <summary>One timed unit of work: its milliseconds and a value to report beside them (a loss, a score).</summary>
public readonly record struct Timed(double Ms, double Value);

/// <summary>Every unit of both sides in the order they ran, the first <paramref name="Warmup"/> untimed.</summary>
public sealed record TurnResult(IReadOnlyList<Timed> Ours, IReadOnlyList<Timed> Theirs, int Warmup)
{
    public double OurMedian => Statistics.Median(Ours.Skip(Warmup).Select(t => t.Ms).ToList());
    public double TheirMedian => Statistics.Median(Theirs.Skip(Warmup).Select(t => t.Ms).ToList());
    /// <summary>C# ÷ peer, of the medians.</summary>
    public double Ratio => OurMedian / TheirMedian;
}

/// <summary>
/// C# and a peer take turns unit by unit (a training step, a scoring call), whoever goes first alternating, each turn
/// followed by <see cref="Peer.LetThreadsPark"/>, so that a burst of load on a shared machine slows both sides alike.
/// </summary>
public static class Turns
{
    public static TurnResult Take(int warmup, int timed, Func<Timed> ours, Func<Timed> theirs)
    {
        var (a, b) = (new List<Timed>(), new List<Timed>());
        for (int turn = 1; turn <= warmup + timed; turn++)
        {
            bool peerFirst = turn % 2 == 1;
            Timed p = default;
            if (peerFirst) { p = theirs(); Peer.LetThreadsPark(); }
            var o = ours();
            Peer.LetThreadsPark();
            if (!peerFirst) { p = theirs(); Peer.LetThreadsPark(); }
            a.Add(o);
            b.Add(p);
        }
        return new TurnResult(a, b, warmup);
    }
}
