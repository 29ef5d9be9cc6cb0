using TrustRegion.MuJoCo.Native;

namespace TrustRegion.MuJoCo.Tests;

public sealed class MuJoCoBindingTests
{
    [Fact]
    public void EnsureInitialized_InstallsOurErrorAndWarningHooks()
    {
        MuJoCoRuntime.EnsureInitialized(); // also runs the layout probe
        Assert.Equal(MuJoCoRuntime.ErrorHookAddress, MuJoCoRuntime.ReadHook("mju_user_error"));
        Assert.Equal(MuJoCoRuntime.WarningHookAddress, MuJoCoRuntime.ReadHook("mju_user_warning"));
    }

    [Fact]
    public void LayoutProbe_ReadsBackTheProbeModel()
    {
        MuJoCoRuntime.EnsureInitialized();
        LayoutProbe.Verify(); // throws naming the first field that reads back wrong
    }

    [Fact]
    public void LoadLibrary_MissingLibrary_NamesThePackageToInstall()
    {
        var ex = Assert.Throws<DllNotFoundException>(() => MuJoCoRuntime.LoadLibrary(["libmujoco-not-installed.so.0.0.1"]));
        Assert.Contains("apt-get install libmujoco2.2.2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("libmujoco-not-installed.so.0.0.1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromXml_RangeWithoutLimited_ThrowsWithMuJoCosCompilerText()
    {
        const string mjcf = """
            <mujoco>
              <worldbody>
                <body name="b">
                  <joint name="j" type="hinge" range="0 1"/>
                  <geom type="sphere" size="0.1"/>
                </body>
              </worldbody>
            </mujoco>
            """;
        var ex = Assert.Throws<MuJoCoException>(() => MuJoCoModel.FromXml(mjcf, "bad-joint.xml"));
        Assert.Contains("bad-joint.xml", ex.Message, StringComparison.Ordinal);
        Assert.Contains("limited", ex.Message, StringComparison.Ordinal); // 2.2.2 refuses range without limited
    }

    [Fact]
    public void FromXml_MalformedXml_ThrowsWithMuJoCosParserText()
    {
        var ex = Assert.Throws<MuJoCoException>(() => MuJoCoModel.FromXml("<mujoco><worldbody><body></worldbody></mujoco>", "broken.xml"));
        Assert.Contains("could not compile MJCF 'broken.xml'", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Message.Length > "MuJoCo could not compile MJCF 'broken.xml': ".Length + 5, ex.Message);
    }

    [Fact]
    public void FromXml_UnknownElement_ThrowsWithMuJoCosSchemaText()
    {
        var ex = Assert.Throws<MuJoCoException>(() => MuJoCoModel.FromXml("<mujoco><size memory=\"1M\"/></mujoco>", "schema.xml"));
        Assert.Contains("memory", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("model.txt")]
    [InlineData("dir/model.xml")]
    public void FromXml_BadName_Throws(string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => MuJoCoModel.FromXml("<mujoco/>", name));
        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFile_MissingFile_ThrowsFileNotFound()
    {
        string path = Path.Combine(Path.GetTempPath(), "trustregion-no-such-model.xml");
        var ex = Assert.Throws<FileNotFoundException>(() => MuJoCoModel.FromFile(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFile_LoadsTheSameModelAsFromXml()
    {
        string path = Path.Combine(Path.GetTempPath(), $"trustregion-hopper-{Environment.ProcessId}.xml");
        File.WriteAllText(path, MuJoCoModels.GetMjcf("hopper.xml"));
        try
        {
            using MuJoCoModel fromFile = MuJoCoModel.FromFile(path);
            using MuJoCoModel fromXml = MuJoCoModels.Load("hopper.xml");
            Assert.Equal(fromXml.BodyMass.ToArray(), fromFile.BodyMass.ToArray());
            Assert.Equal(fromXml.Nq, fromFile.Nq);
            Assert.Equal(string.Empty, fromFile.LoadWarning);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void NameToId_And_IdToName_RoundTrip()
    {
        using MuJoCoModel model = MuJoCoModels.Load("hopper.xml");
        Assert.Equal(1, model.NameToId(MjObjectType.Body, "torso"));
        Assert.Equal(-1, model.NameToId(MjObjectType.Body, "no_such_body"));
        Assert.Equal("foot_joint", model.IdToName(MjObjectType.Joint, 5));
        Assert.Equal(5, model.NameToId(MjObjectType.Joint, "foot_joint"));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => model.IdToName(MjObjectType.Body, 5));
        Assert.Contains("valid ids are 0..4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_OutlivesADisposedModel()
    {
        MuJoCoModel model = MuJoCoModels.Load("inverted_pendulum.xml");
        using MuJoCoData data = model.CreateData();
        model.Dispose(); // the native model stays alive while data holds a reference
        data.Ctrl[0] = 1;
        data.Step();
        Assert.Equal(0.02, data.Time, 15);
        Assert.True(data.Qvel[0] > 0);
    }

    [Fact]
    public void ResetTo_WrongLength_Throws()
    {
        using MuJoCoModel model = MuJoCoModels.Load("hopper.xml");
        using MuJoCoData data = model.CreateData();
        var ex = Assert.Throws<ArgumentException>(() => data.ResetTo(new double[5], new double[6]));
        Assert.Contains("qpos has length 5; expected 6", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => data.ResetTo(new double[6], [0, 0, double.NaN, 0, 0, 0]));
        Assert.Contains("qvel[2] is NaN", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneModel_ManyData_StepInParallelExactlyAsSequentially()
    {
        MuJoCoModel model = MuJoCoModels.Shared("ant.xml");
        const int copies = 4, steps = 100;
        double[][] Run(bool parallel)
        {
            var results = new double[copies][];
            void One(int c)
            {
                using MuJoCoData data = model.CreateData();
                data.Qpos[2] += 0.01 * c;
                data.Forward();
                for (int s = 0; s < steps; s++)
                {
                    for (int u = 0; u < data.Ctrl.Length; u++)
                    {
                        data.Ctrl[u] = Math.Sin((0.1 * s) + u + c);
                    }
                    data.Step();
                }
                results[c] = [.. data.Qpos.ToArray(), .. data.Qvel.ToArray()];
            }
            if (parallel)
            {
                Parallel.For(0, copies, new ParallelOptions { MaxDegreeOfParallelism = copies }, One);
            }
            else
            {
                for (int c = 0; c < copies; c++)
                {
                    One(c);
                }
            }
            return results;
        }
        double[][] sequential = Run(false);
        double[][] parallel = Run(true);
        for (int c = 0; c < copies; c++)
        {
            Assert.Equal(sequential[c], parallel[c]);
        }
        Assert.NotEqual(sequential[0], sequential[1]);
    }
}
