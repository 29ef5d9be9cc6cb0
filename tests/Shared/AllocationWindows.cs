namespace TrustRegion.TestShared;

/// <summary>
/// Allocation checks over repeated measurement windows. A real allocation in the code under test shows in every window. The
/// runtime now and then charges a thread once for its own work (seen only in full-suite runs: one allocation-context quantum of
/// about 8 KB, or a few KB), which lands in one window and not the next. So a check takes the smallest charge over up to
/// <c>maxWindows</c> windows, stopping at the first clean one, and demands zero.
/// </summary>
internal static class AllocationWindows
{
    /// <summary>The smallest increase of <paramref name="counter"/> over one call of <paramref name="window"/>.</summary>
    public static long Smallest(Func<long> counter, Action window, int maxWindows = 20)
    {
        long best = long.MaxValue;
        for (int i = 0; i < maxWindows && best != 0; i++)
        {
            long before = counter();
            window();
            best = Math.Min(best, counter() - before);
        }
        return best;
    }

    /// <summary><see cref="Smallest"/> with the calling thread's allocation counter.</summary>
    public static long SmallestOnThisThread(Action window, int maxWindows = 20) =>
        Smallest(GC.GetAllocatedBytesForCurrentThread, window, maxWindows);
}
