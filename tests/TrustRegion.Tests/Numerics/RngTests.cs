using TrustRegion.Numerics;

namespace TrustRegion.Tests.Numerics;

public class RngTests
{
    [Fact]
    public void SameSeed_GivesSameStream()
    {
        var a = new Rng(42);
        var b = new Rng(42);
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(a.NextUInt64(), b.NextUInt64());
        }
    }

    [Fact]
    public void DifferentSeeds_GiveDifferentStreams()
    {
        Assert.NotEqual(new Rng(1).NextUInt64(), new Rng(2).NextUInt64());
    }

    [Fact]
    public void Split_DoesNotDependOnDrawsMadeBefore()
    {
        var a = new Rng(7);
        var b = new Rng(7);
        for (int i = 0; i < 17; i++)
        {
            b.NextUInt64();
        }
        Assert.Equal(a.Split(3).NextUInt64(), b.Split(3).NextUInt64());
        Assert.NotEqual(a.Split(3).NextUInt64(), a.Split(4).NextUInt64());
        Assert.NotEqual(a.Split(3).Split(1).NextUInt64(), a.Split(1).Split(3).NextUInt64());
    }

    [Fact]
    public void State_RoundTripsExactly()
    {
        var a = new Rng(99);
        a.NextGaussian();
        var saved = a.GetState();
        var expected = new double[10];
        for (int i = 0; i < 10; i++)
        {
            expected[i] = a.NextDouble();
        }
        var b = Rng.FromState(saved);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(expected[i], b.NextDouble());
        }
        Assert.Equal(a.Split(5).NextUInt64(), b.Split(5).NextUInt64());
    }

    [Fact]
    public void NextInt_IsInRangeAndRoughlyUniform()
    {
        var rng = new Rng(3);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++)
        {
            counts[rng.NextInt(7)]++;
        }
        foreach (int c in counts)
        {
            Assert.InRange(c, 9_400, 10_600);
        }
    }

    [Fact]
    public void NextGaussian_HasUnitMomentsApproximately()
    {
        var rng = new Rng(11);
        double sum = 0, sumSq = 0;
        const int n = 200_000;
        for (int i = 0; i < n; i++)
        {
            double x = rng.NextGaussian();
            sum += x;
            sumSq += x * x;
        }
        double mean = sum / n;
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange((sumSq / n) - (mean * mean), 0.98, 1.02);
    }

    [Fact]
    public void NextDouble_IsInUnitInterval()
    {
        var rng = new Rng(5);
        for (int i = 0; i < 10_000; i++)
        {
            double u = rng.NextDouble();
            Assert.True(u >= 0.0 && u < 1.0);
        }
    }
}
