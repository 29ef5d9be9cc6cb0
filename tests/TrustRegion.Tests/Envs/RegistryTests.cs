using TrustRegion.Envs;
using TrustRegion.Envs.ClassicControl;
using TrustRegion.Envs.Wrappers;

namespace TrustRegion.Tests.Envs;

public class RegistryTests
{
    [Theory]
    [InlineData("CartPole-v1", 500, 475.0)]
    [InlineData("Acrobot-v1", 500, -100.0)]
    [InlineData("MountainCar-v0", 200, -110.0)]
    [InlineData("MountainCarContinuous-v0", 999, 90.0)]
    [InlineData("Pendulum-v1", 200, null)]
    public void Default_HoldsGymnasiumMetadata(string id, int steps, double? threshold)
    {
        EnvSpec spec = EnvRegistry.Default.GetSpec(id);
        Assert.Equal(steps, spec.MaxEpisodeSteps);
        Assert.Equal(threshold, spec.RewardThreshold);
        Assert.False(string.IsNullOrWhiteSpace(spec.Description));
        using IEnv env = EnvRegistry.Default.Make(id);
        Assert.Equal(steps, Assert.IsType<TimeLimit>(env).MaxEpisodeSteps);
        Assert.IsType<OrderEnforcing>(((TimeLimit)env).Inner);
    }

    [Fact]
    public void List_IsSortedAndComplete()
    {
        string[] ids = [.. EnvRegistry.CreateWithBuiltIns().List().Select(s => s.Id)];
        Assert.Equal(["Acrobot-v1", "CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1"], ids);
    }

    [Theory]
    [InlineData("CartPole-v0", "CartPole-v1")]
    [InlineData("cartpole-v1", "CartPole-v1")]
    [InlineData("Pendulum", "Pendulum-v1")]
    [InlineData("MountainCar-v1", "MountainCar-v0")]
    public void UnknownId_ListsCloseMatches(string id, string suggestion)
    {
        var ex = Assert.Throws<ArgumentException>(() => EnvRegistry.Default.Make(id));
        Assert.Contains($"'{id}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean: " + suggestion, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownId_FarFromEverything_HasNoSuggestion()
    {
        var ex = Assert.Throws<ArgumentException>(() => EnvRegistry.Default.GetSpec("Humanoid-v4"));
        Assert.DoesNotContain("Did you mean", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Registered ids:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Register_UserIds_MakeAndValidate()
    {
        var registry = new EnvRegistry();
        registry.Register(new EnvSpec("LineWalk-v0", () => new LineWalkEnv(episodeLength: 1000), 7, 3.0, "Walk on a line."));
        registry.Register(new EnvSpec("LineWalkNoLimit-v0", () => new LineWalkEnv(episodeLength: 1000), null, null, "No limit."));
        Assert.True(registry.Contains("LineWalk-v0"));
        Assert.Throws<ArgumentException>(() => registry.Register(new EnvSpec("LineWalk-v0", () => new LineWalkEnv(), null, null, "dup")));
        Assert.Throws<ArgumentException>(() => registry.Register(new EnvSpec("Bad Id", () => new LineWalkEnv(), null, null, "")));
        Assert.Throws<ArgumentException>(() => registry.Register(new EnvSpec("Neg-v0", () => new LineWalkEnv(), 0, null, "")));
        using IEnv env = registry.Make("LineWalk-v0");
        Assert.Equal(7, env.Find<TimeLimit>()!.MaxEpisodeSteps);
        using IEnv shorter = registry.Make("LineWalk-v0", maxEpisodeSteps: 2);
        Assert.Equal(2, shorter.Find<TimeLimit>()!.MaxEpisodeSteps);
        using IEnv noLimit = registry.Make("LineWalkNoLimit-v0");
        Assert.Null(noLimit.Find<TimeLimit>());
        Assert.Throws<ArgumentOutOfRangeException>(() => registry.Make("LineWalk-v0", maxEpisodeSteps: 0));
        Assert.False(EnvRegistry.Default.Contains("LineWalk-v0"));
    }

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "abc", 0)]
    [InlineData("cartpole-v0", "cartpole-v1", 1)]
    public void EditDistance_IsLevenshtein(string a, string b, int expected) =>
        Assert.Equal(expected, EnvRegistry.EditDistance(a, b));
}
