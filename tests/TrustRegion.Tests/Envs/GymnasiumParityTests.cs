using System.Globalization;
using System.Text.Json;
using TrustRegion.Envs;

namespace TrustRegion.Tests.Envs;

/// <summary>
/// Replays Gymnasium 1.0.0 trajectories (format: shared/specs/classic-control.md, section 8) and compares every
/// observation, reward, flag and internal state by bit pattern. One test case per JSON file under
/// data/gymnasium/classic-control in the test output; the csproj copies that folder with a glob, so a new file is a new case.
/// </summary>
public class GymnasiumParityTests
{
    private static string VectorDirectory => Path.Combine(AppContext.BaseDirectory, "data", "gymnasium", "classic-control");

    public static TheoryData<string> VectorFiles()
    {
        var data = new TheoryData<string>();
        if (Directory.Exists(VectorDirectory))
        {
            foreach (string path in Directory.EnumerateFiles(VectorDirectory, "*.json").Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(path));
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(VectorFiles))]
    public void Replay_MatchesGymnasiumBitForBit(string file)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(VectorDirectory, file)));
        JsonElement root = doc.RootElement;
        Assert.Equal("gymnasium-classic-control-vectors", root.GetProperty("format").GetString());
        string envId = root.GetProperty("env_id").GetString()!;
        bool discrete = root.GetProperty("action_kind").GetString() == "discrete";
        EnvSpec spec = EnvRegistry.Default.GetSpec(envId);
        Assert.Equal(root.GetProperty("max_episode_steps").GetInt32(), spec.MaxEpisodeSteps);
        JsonElement threshold = root.GetProperty("reward_threshold");
        Assert.Equal(threshold.ValueKind == JsonValueKind.Null ? null : threshold.GetDouble(), spec.RewardThreshold);

        int episodes = 0, steps = 0;
        foreach (JsonElement episode in root.GetProperty("episodes").EnumerateArray())
        {
            steps += ReplayEpisode(file, envId, discrete, episode);
            episodes++;
        }
        Assert.True(episodes > 0, $"{file} holds no episodes.");
        Assert.True(steps > 0, $"{file} holds no steps.");
    }

    private static int ReplayEpisode(string file, string envId, bool discrete, JsonElement episode)
    {
        string name = episode.GetProperty("name").GetString()!;
        int limit = episode.GetProperty("max_episode_steps").GetInt32();
        using IEnv env = EnvRegistry.Default.Make(envId, limit);
        IEnvState state = env.Find<IEnvState>() ?? throw new InvalidOperationException($"{envId} exposes no state.");
        int obsSize = env.ObservationSpace.FlatSize;
        var obs = new double[obsSize];
        var stateBuffer = new double[state.StateNames.Count];
        env.Reset(ulong.Parse(episode.GetProperty("reset_seed").GetRawText(), CultureInfo.InvariantCulture), obs);

        double[] initial = Doubles(episode.GetProperty("initial_state_bits"));
        state.SetState(initial);
        state.GetObservation(obs);
        string where = $"{file} / {name} / initial";
        AssertFloatBits(episode.GetProperty("initial_obs_bits"), obs, where, "obs");

        var action = new double[1];
        int count = 0;
        foreach (JsonElement step in episode.GetProperty("steps").EnumerateArray())
        {
            int t = step.GetProperty("t").GetInt32();
            where = $"{file} / {name} / t={t}";
            if (discrete)
            {
                action[0] = step.GetProperty("action").GetInt32();
            }
            else
            {
                action[0] = BitConverter.Int32BitsToSingle((int)Hex(step.GetProperty("action_bits")[0]));
            }
            StepResult r = env.Step(action, obs);
            AssertFloatBits(step.GetProperty("obs_bits"), obs, where, "obs");
            long rewardBits = (long)Hex(step.GetProperty("reward_bits"));
            if (BitConverter.DoubleToInt64Bits(r.Reward) != rewardBits)
            {
                Assert.Fail($"{where}: reward {r.Reward:R} (0x{BitConverter.DoubleToInt64Bits(r.Reward):x16}) != expected {BitConverter.Int64BitsToDouble(rewardBits):R} (0x{rewardBits:x16}).");
            }
            Assert.True(step.GetProperty("terminated").GetBoolean() == r.Terminated, $"{where}: terminated {r.Terminated}, expected {!r.Terminated}.");
            Assert.True(step.GetProperty("truncated").GetBoolean() == r.Truncated, $"{where}: truncated {r.Truncated}, expected {!r.Truncated}.");
            state.GetState(stateBuffer);
            double[] expected = Doubles(step.GetProperty("state_bits"));
            for (int i = 0; i < expected.Length; i++)
            {
                if (BitConverter.DoubleToInt64Bits(stateBuffer[i]) != BitConverter.DoubleToInt64Bits(expected[i]))
                {
                    Assert.Fail($"{where}: state {state.StateNames[i]} = {stateBuffer[i]:R} (0x{BitConverter.DoubleToInt64Bits(stateBuffer[i]):x16}) != expected {expected[i]:R} (0x{BitConverter.DoubleToInt64Bits(expected[i]):x16}).");
                }
            }
            count++;
        }
        Assert.Equal(episode.GetProperty("num_steps").GetInt32(), count);
        return count;
    }

    private static void AssertFloatBits(JsonElement bits, double[] actual, string where, string what)
    {
        Assert.True(bits.GetArrayLength() == actual.Length, $"{where}: {what} has {actual.Length} elements, expected {bits.GetArrayLength()}.");
        for (int i = 0; i < actual.Length; i++)
        {
            int expected = (int)Hex(bits[i]);
            float f = (float)actual[i];
            Assert.True((double)f == actual[i] || double.IsNaN(actual[i]), $"{where}: {what}[{i}] = {actual[i]:R} is not a float32 value.");
            int got = BitConverter.SingleToInt32Bits(f);
            if (got != expected)
            {
                Assert.Fail($"{where}: {what}[{i}] = {f:R} (0x{got:x8}) != expected {BitConverter.Int32BitsToSingle(expected):R} (0x{expected:x8}).");
            }
        }
    }

    private static double[] Doubles(JsonElement bits) =>
        [.. bits.EnumerateArray().Select(b => BitConverter.Int64BitsToDouble((long)Hex(b)))];

    private static ulong Hex(JsonElement e) =>
        ulong.Parse(e.GetString()!.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
