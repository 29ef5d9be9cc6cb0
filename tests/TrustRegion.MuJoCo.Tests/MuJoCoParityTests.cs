using System.Globalization;
using System.Text.Json;
using TrustRegion.MuJoCo.Envs;
using Xunit.Abstractions;

namespace TrustRegion.MuJoCo.Tests;

/// <summary>
/// Replays every reference trajectory in tests/data/mujoco (libmujoco 2.2.2 on the original Gymnasium models) on the
/// project's own models: compiled-model facts, then qpos/qvel at every step, then Gymnasium's observation, reward and
/// termination where the file has them.
/// </summary>
public sealed class MuJoCoParityTests(ITestOutputHelper output)
{
    private const double StateTolerance = 1e-6;
    private const double FactTolerance = 1e-9;

    public static TheoryData<string> Files() => [.. ReferenceTrajectory.FileNames()];

    [Theory]
    [MemberData(nameof(Files))]
    public void Replay(string file)
    {
        ReferenceTrajectory r = ReferenceTrajectory.Load(file);
        string modelFile = r.Root.GetProperty("model_file").GetString()!;
        using MuJoCoModel model = MuJoCoModels.Load(modelFile);

        var problems = new List<string>();
        CompareModelFacts(r.Model, model, problems);
        Assert.True(problems.Count == 0, $"{file}: compiled model differs from the reference:\n  " + string.Join("\n  ", problems));

        if (r.Root.TryGetProperty("gym", out JsonElement gym) && gym.TryGetProperty("env_id", out JsonElement envId))
        {
            ReplayThroughEnv(r, gym, envId.GetString()!, model);
        }
        else
        {
            ReplayRawData(r, model);
        }
    }

    private void ReplayRawData(ReferenceTrajectory r, MuJoCoModel model)
    {
        using MuJoCoData data = model.CreateData();
        int frameSkip = r.Root.GetProperty("frame_skip").GetInt32();
        double[][] ctrl = ReferenceTrajectory.Matrix(r.Root.GetProperty("ctrl"));
        double[][] qpos = ReferenceTrajectory.Matrix(r.Root.GetProperty("qpos"));
        double[][] qvel = ReferenceTrajectory.Matrix(r.Root.GetProperty("qvel"));
        data.ResetTo(ReferenceTrajectory.Vector(r.Root.GetProperty("qpos_init")), ReferenceTrajectory.Vector(r.Root.GetProperty("qvel_init")));
        var err = new ErrorTracker(r.FileName);
        err.Compare("qpos", 0, qpos[0], data.Qpos, StateTolerance);
        err.Compare("qvel", 0, qvel[0], data.Qvel, StateTolerance);
        for (int k = 0; k < ctrl.Length; k++)
        {
            ctrl[k].CopyTo(data.Ctrl);
            for (int s = 0; s < frameSkip; s++)
            {
                data.Step();
            }
            data.RnePostConstraint();
            err.Compare("qpos", k + 1, qpos[k + 1], data.Qpos, StateTolerance);
            err.Compare("qvel", k + 1, qvel[k + 1], data.Qvel, StateTolerance);
            CompareNamedArrays(r, model, data, k + 1, err);
        }
        Assert.Equal(0, data.FirstSimulationWarning() is null ? 0 : 1);
        output.WriteLine(err.Summary());
        err.AssertClean();
    }

    private void ReplayThroughEnv(ReferenceTrajectory r, JsonElement gym, string envId, MuJoCoModel model)
    {
        using MuJoCoEnv env = MuJoCoEnvironments.Get(envId).Create();
        Assert.Equal(r.Root.GetProperty("frame_skip").GetInt32(), env.FrameSkip);
        Assert.Equal(r.Root.GetProperty("dt").GetDouble(), env.Dt, 15);
        double[][] ctrl = ReferenceTrajectory.Matrix(r.Root.GetProperty("ctrl"));
        double[][] qpos = ReferenceTrajectory.Matrix(r.Root.GetProperty("qpos"));
        double[][] qvel = ReferenceTrajectory.Matrix(r.Root.GetProperty("qvel"));
        double[][] obs = ReferenceTrajectory.Matrix(gym.GetProperty("obs"));
        double[] reward = ReferenceTrajectory.Vector(gym.GetProperty("reward"));
        bool[] terminated = [.. gym.GetProperty("terminated").EnumerateArray().Select(e => e.GetBoolean())];

        var o = new double[env.ObservationSpace.FlatSize];
        Assert.Equal(obs[0].Length, o.Length);
        env.ResetTo(ReferenceTrajectory.Vector(r.Root.GetProperty("qpos_init")), ReferenceTrajectory.Vector(r.Root.GetProperty("qvel_init")), o);
        var err = new ErrorTracker(r.FileName);
        err.Compare("qpos", 0, qpos[0], env.Data.Qpos, StateTolerance);
        err.Compare("qvel", 0, qvel[0], env.Data.Qvel, StateTolerance);
        err.Compare("obs", 0, obs[0], o, StateTolerance);
        for (int k = 0; k < ctrl.Length; k++)
        {
            var result = env.StepCore(ctrl[k], o);
            err.Compare("qpos", k + 1, qpos[k + 1], env.Data.Qpos, StateTolerance);
            err.Compare("qvel", k + 1, qvel[k + 1], env.Data.Qvel, StateTolerance);
            err.Compare("obs", k + 1, obs[k + 1], o, StateTolerance);
            err.Compare("reward", k + 1, [reward[k]], [result.Reward], StateTolerance);
            err.Flag("terminated", k + 1, terminated[k], result.Terminated);
            Assert.False(result.Truncated);
            Assert.False(env.LastStepDiverged, env.LastDivergence?.ToString());
            CompareNamedArrays(r, model, env.Data, k + 1, err);
        }
        output.WriteLine(err.Summary());
        err.AssertClean();
    }

    // time and contact count, then body_xpos / site_xpos / qfrc_constraint / cfrc_ext as left by the last mj_step (spec 1.3 step 5).
    private static void CompareNamedArrays(ReferenceTrajectory r, MuJoCoModel model, MuJoCoData data, int row, ErrorTracker err)
    {
        if (r.Root.TryGetProperty("time", out JsonElement time))
        {
            err.Compare("time", row, [time[row].GetDouble()], [data.Time], 1e-12);
        }
        if (r.Root.TryGetProperty("ncon", out JsonElement ncon))
        {
            err.Compare("ncon", row, [ncon[row].GetDouble()], [data.ContactCount], 0);
        }
        if (r.Root.TryGetProperty("body_xpos", out JsonElement bodies) && bodies.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty body in bodies.EnumerateObject())
            {
                int id = model.NameToId(MjObjectType.Body, body.Name);
                Assert.True(id >= 0, $"{r.FileName}: the model has no body '{body.Name}'.");
                err.Compare($"xpos[{body.Name}]", row, ReferenceTrajectory.Vector(body.Value[row]), data.Xpos.Slice(3 * id, 3), StateTolerance);
            }
        }
        if (r.Root.TryGetProperty("site_xpos", out JsonElement sites) && sites.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty site in sites.EnumerateObject())
            {
                int id = model.NameToId(MjObjectType.Site, site.Name);
                Assert.True(id >= 0, $"{r.FileName}: the model has no site '{site.Name}'.");
                err.Compare($"site_xpos[{site.Name}]", row, ReferenceTrajectory.Vector(site.Value[row]), data.SiteXpos.Slice(3 * id, 3), StateTolerance);
            }
        }
        if (r.Root.TryGetProperty("qfrc_constraint", out JsonElement qfrc) && qfrc.ValueKind == JsonValueKind.Array)
        {
            err.Compare("qfrc_constraint", row, ReferenceTrajectory.Vector(qfrc[row]), data.QfrcConstraint, 1e-5);
        }
        if (r.Root.TryGetProperty("cfrc_ext", out JsonElement cfrc) && cfrc.ValueKind == JsonValueKind.Array)
        {
            err.Compare("cfrc_ext", row, ReferenceTrajectory.Flat(cfrc[row]), data.CfrcExt, 1e-5);
        }
    }

    private static void CompareModelFacts(JsonElement m, MuJoCoModel model, List<string> problems)
    {
        void Int(string key, int actual)
        {
            if (m.TryGetProperty(key, out JsonElement e) && e.GetInt32() != actual)
            {
                problems.Add($"{key}: expected {e.GetInt32()}, found {actual}");
            }
        }
        void Arr(string key, ReadOnlySpan<double> actual, double tol = FactTolerance, int stride = 0, int take = 0)
        {
            if (!m.TryGetProperty(key, out JsonElement e))
            {
                return;
            }
            double[] expected = ReferenceTrajectory.Flat(e);
            double[] found = actual.ToArray();
            if (stride > 0)
            {
                found = [.. Enumerable.Range(0, found.Length / stride).SelectMany(i => found.Skip(i * stride).Take(take))];
            }
            if (expected.Length != found.Length)
            {
                problems.Add($"{key}: expected {expected.Length} values, found {found.Length}");
                return;
            }
            for (int i = 0; i < expected.Length; i++)
            {
                if (!(Math.Abs(expected[i] - found[i]) <= tol * Math.Max(1.0, Math.Abs(expected[i]))))
                {
                    problems.Add($"{key}[{i}]: expected {expected[i].ToString("R", CultureInfo.InvariantCulture)}, found {found[i].ToString("R", CultureInfo.InvariantCulture)}");
                }
            }
        }
        static double[] Ints(ReadOnlySpan<int> v) => [.. v.ToArray().Select(x => (double)x)];
        static double[] Bytes(ReadOnlySpan<byte> v) => [.. v.ToArray().Select(x => (double)x)];
        void Names(string key, MjObjectType type, int count)
        {
            if (!m.TryGetProperty(key, out JsonElement e))
            {
                return;
            }
            string[] expected = [.. e.EnumerateArray().Select(x => x.GetString()!)];
            string[] found = [.. Enumerable.Range(0, count).Select(i => model.IdToName(type, i))];
            if (!expected.SequenceEqual(found))
            {
                problems.Add($"{key}: expected [{string.Join(", ", expected)}], found [{string.Join(", ", found)}]");
            }
        }

        Int("nq", model.Nq);
        Int("nv", model.Nv);
        Int("nu", model.Nu);
        Int("na", model.Na);
        Int("nbody", model.NBody);
        Int("njnt", model.NJoint);
        Int("ngeom", model.NGeom);
        Int("nsite", model.NSite);

        JsonElement opt = m.GetProperty("opt");
        void Opt(string key, double actual)
        {
            double expected = ReferenceTrajectory.ToDouble(opt.GetProperty(key));
            if (expected != actual)
            {
                problems.Add($"opt.{key}: expected {expected}, found {actual}");
            }
        }
        Opt("timestep", model.Timestep);
        Opt("density", model.Density);
        Opt("viscosity", model.Viscosity);
        Opt("solver", model.Solver);
        Opt("iterations", model.Iterations);
        Opt("tolerance", model.Tolerance);
        if (opt.GetProperty("integrator").GetString() != model.Integrator.ToString())
        {
            problems.Add($"opt.integrator: expected {opt.GetProperty("integrator").GetString()}, found {model.Integrator}");
        }
        double[] gravity = ReferenceTrajectory.Vector(opt.GetProperty("gravity"));
        if (!gravity.SequenceEqual(model.Gravity.ToArray()))
        {
            problems.Add($"opt.gravity: expected [{string.Join(", ", gravity)}], found [{string.Join(", ", model.Gravity.ToArray())}]");
        }

        Names("body_name", MjObjectType.Body, model.NBody);
        Names("jnt_name", MjObjectType.Joint, model.NJoint);
        Names("geom_name", MjObjectType.Geom, model.NGeom);
        Names("site_name", MjObjectType.Site, model.NSite);

        Arr("qpos0", model.Qpos0);
        Arr("qpos_spring", model.QposSpring);
        Arr("body_parentid", Ints(model.BodyParentId));
        Arr("body_mass", model.BodyMass);
        Arr("body_subtreemass", model.BodySubtreeMass);
        double[] inertia = model.BodyInertia.ToArray();
        for (int b = 0; b < model.NBody; b++)
        {
            Array.Sort(inertia, 3 * b, 3);
        }
        Arr("body_inertia_sorted", inertia);
        Arr("jnt_type", Ints(model.JointType));
        Arr("jnt_bodyid", Ints(model.JointBodyId));
        Arr("jnt_qposadr", Ints(model.JointQposAddress));
        Arr("jnt_dofadr", Ints(model.JointDofAddress));
        Arr("jnt_limited", Bytes(model.JointLimited));
        Arr("jnt_range", model.JointRange);
        Arr("jnt_stiffness", model.JointStiffness);
        Arr("jnt_margin", model.JointMargin);
        Arr("jnt_solref", model.JointSolref);
        Arr("jnt_solimp", model.JointSolimp);
        Arr("dof_damping", model.DofDamping);
        Arr("dof_armature", model.DofArmature);
        Arr("dof_frictionloss", model.DofFrictionLoss);
        Arr("geom_type", Ints(model.GeomType));
        Arr("geom_bodyid", Ints(model.GeomBodyId));
        Arr("geom_contype", Ints(model.GeomContype));
        Arr("geom_conaffinity", Ints(model.GeomConaffinity));
        Arr("geom_condim", Ints(model.GeomCondim));
        Arr("geom_friction", model.GeomFriction);
        Arr("geom_margin", model.GeomMargin);
        Arr("geom_gap", model.GeomGap);
        Arr("geom_solref", model.GeomSolref);
        Arr("geom_solimp", model.GeomSolimp);
        // Plane sizes are visual only (planes are infinite for collision): compare the other geoms' sizes.
        if (m.TryGetProperty("geom_size", out JsonElement sizes))
        {
            double[][] expected = ReferenceTrajectory.Matrix(sizes);
            ReadOnlySpan<double> found = model.GeomSize;
            for (int g = 0; g < Math.Min(expected.Length, model.NGeom); g++)
            {
                if (model.GeomType[g] == 0)
                {
                    continue;
                }
                for (int j = 0; j < 3; j++)
                {
                    if (!(Math.Abs(expected[g][j] - found[(3 * g) + j]) <= 1e-7))
                    {
                        problems.Add($"geom_size[{g}][{j}]: expected {expected[g][j]}, found {found[(3 * g) + j]}");
                    }
                }
            }
        }
        Arr("actuator_trnid", Ints(model.ActuatorTransmissionId), stride: 2, take: 1);
        Arr("actuator_gear0", model.ActuatorGear, stride: 6, take: 1);
        Arr("actuator_ctrllimited", Bytes(model.ActuatorCtrlLimited));
        Arr("actuator_ctrlrange", model.ActuatorCtrlRange);

        using MuJoCoData data = model.CreateData();
        data.Forward();
        Arr("body_xpos_at_qpos0", data.Xpos, 1e-9);
        Arr("body_xipos_at_qpos0", data.Xipos, 1e-9);
        Arr("site_xpos_at_qpos0", data.SiteXpos, 1e-9);
    }

    /// <summary>Collects the largest deviation per quantity and the first few out-of-tolerance entries.</summary>
    private sealed class ErrorTracker(string file)
    {
        private readonly Dictionary<string, double> _max = [];
        private readonly List<string> _failures = [];

        internal void Compare(string what, int row, ReadOnlySpan<double> expected, ReadOnlySpan<double> found, double tol)
        {
            if (expected.Length != found.Length)
            {
                _failures.Add($"{what} row {row}: expected {expected.Length} values, found {found.Length}");
                return;
            }
            for (int i = 0; i < expected.Length; i++)
            {
                double d = Math.Abs(expected[i] - found[i]);
                if (double.IsNaN(d) && !(double.IsNaN(expected[i]) && double.IsNaN(found[i])))
                {
                    d = double.PositiveInfinity;
                }
                else if (double.IsNaN(d))
                {
                    d = 0;
                }
                _max[what] = Math.Max(_max.GetValueOrDefault(what), d);
                if (d > tol && _failures.Count < 20)
                {
                    _failures.Add($"{what} row {row} [{i}]: expected {expected[i].ToString("R", CultureInfo.InvariantCulture)}, found {found[i].ToString("R", CultureInfo.InvariantCulture)} (|diff| {d:E2} > {tol:E0})");
                }
            }
        }

        internal void Flag(string what, int row, bool expected, bool found)
        {
            if (expected != found && _failures.Count < 20)
            {
                _failures.Add($"{what} row {row}: expected {expected}, found {found}");
            }
        }

        internal string Summary() =>
            $"{file}: max |diff| " + string.Join(", ", _max.Select(kv => $"{kv.Key} {kv.Value:E2}"));

        internal void AssertClean() =>
            Assert.True(_failures.Count == 0, $"{Summary()}\n  " + string.Join("\n  ", _failures));
    }
}
