using System.Runtime.ExceptionServices;

namespace MedAnomaly.Runtime;

/// <summary><see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> and <see cref="Parallel.Invoke(Action[])"/> for work that throws typed errors
/// on bad input (a truncated volume among many): the first error is rethrown as itself, with its own stack, instead of
/// inside an <see cref="AggregateException"/>, so callers catch <c>InvalidDataException</c> as they would in a plain loop.</summary>
public static class ParallelLoop
{
    public static void For(int fromInclusive, int toExclusive, Action<int> body, int maxDegreeOfParallelism = -1) =>
        Unwrapped(() => Parallel.For(fromInclusive, toExclusive, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, body));

    /// <summary><see cref="Parallel.Invoke(Action[])"/>, rethrowing the first error as itself.</summary>
    public static void Invoke(params Action[] actions) => Unwrapped(() => Parallel.Invoke(actions));

    static void Unwrapped(Action parallel)
    {
        try { parallel(); }
        catch (AggregateException e) when (e.Flatten().InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
            throw;   // not reached
        }
    }
}
