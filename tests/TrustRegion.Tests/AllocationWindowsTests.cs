namespace TrustRegion.Tests;

/// <summary>The allocation checks can fail: an allocation in every window is reported, a clean window is zero.</summary>
public class AllocationWindowsTests
{
    private static object? s_sink;

    [Fact]
    public void AnAllocationInEveryWindow_IsReported_AndACleanWindowIsZero()
    {
        Assert.True(AllocationWindows.SmallestOnThisThread(() => s_sink = new byte[1000]) >= 1000);
        int calls = 0;
        Action count = () => calls++;
        count(); // compiled before it is measured
        calls = 0;
        Assert.Equal(0, AllocationWindows.SmallestOnThisThread(count));
        Assert.InRange(calls, 1, 20); // stops at the first clean window (normally the first)
        GC.KeepAlive(s_sink);
    }
}
