using TrustRegion.Envs;
using TrustRegion.Numerics;

namespace TrustRegion.Tests.Envs;

public class SpaceTests
{
    [Fact]
    public void Samples_AreMembers()
    {
        var rng = new Rng(1);
        Space[] spaces =
        [
            new Box([-1.0, 0.0, double.NegativeInfinity, double.NegativeInfinity], [1.0, double.PositiveInfinity, 2.0, double.PositiveInfinity]),
            Box.Uniform(-2, 2, 3, ElementType.Float64),
            new Discrete(3, start: -1),
            new MultiDiscrete([2, 5, 1]),
            new MultiBinary(4),
        ];
        foreach (Space space in spaces)
        {
            var v = new double[space.FlatSize];
            for (int i = 0; i < 500; i++)
            {
                space.Sample(rng, v);
                Assert.True(space.Contains(v), $"{space} sampled {string.Join(", ", v)}");
            }
        }
    }

    [Fact]
    public void Contains_RejectsNonMembers()
    {
        Assert.False(new Discrete(2).Contains([2]));
        Assert.False(new Discrete(2).Contains([double.NaN]));
        Assert.False(new Discrete(2).Contains([0.5]));
        Assert.False(Box.Uniform(-1, 1, 1).Contains([0.1])); // 0.1 is not a float32 value
        Assert.True(Box.Uniform(-1, 1, 1).Contains([(float)0.1]));
        Assert.False(Box.Uniform(-1, 1, 2).Contains([0]));
        Assert.False(new MultiBinary(2).Contains([0, 2]));
        Assert.False(new MultiDiscrete([2, 2]).Contains([0, 2]));
    }

    [Fact]
    public void Box_RejectsBadBounds()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Box([1.0], [0.0]));
        Assert.Contains("low 1", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Box([0.0, 0.0], [1.0]));
        Assert.Throws<ArgumentException>(() => new Box([double.NaN], [1.0]));
    }
}
