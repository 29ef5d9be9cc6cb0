using System.Globalization;

namespace TrustRegion.MuJoCo.Native;

/// <summary>
/// Start-up check of <see cref="MjLayout"/>: compiles a one-body probe model whose compiled values are known and reads
/// them back through the offsets. Any mismatch (a different libmujoco build) stops before a wrong offset can corrupt
/// a simulation.
/// </summary>
internal static class LayoutProbe
{
    internal const string Mjcf = """
        <mujoco model="layout-probe">
          <compiler angle="radian"/>
          <option timestep="0.005" gravity="0.25 0 -9.5" integrator="RK4"/>
          <worldbody>
            <site name="origin" pos="0 0 0"/>
            <body name="ball" pos="0 0 1">
              <joint name="slide" type="slide" axis="1 0 0" ref="0.25" limited="true" range="-1 2" damping="0.5" armature="0.125"/>
              <geom name="sphere" type="sphere" size="0.1" mass="2" friction="0.7 0.01 0.001"/>
            </body>
          </worldbody>
          <actuator>
            <motor name="push" joint="slide" gear="7" ctrllimited="true" ctrlrange="-3 4"/>
          </actuator>
        </mujoco>
        """;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first field that reads back wrong.</summary>
    internal static void Verify()
    {
        using var model = MuJoCoModel.FromXmlUnverified(Mjcf, "layout-probe.xml");
        Expect("nq", model.Nq, 1);
        Expect("nv", model.Nv, 1);
        Expect("nu", model.Nu, 1);
        Expect("na", model.Na, 0);
        Expect("nbody", model.NBody, 2);
        Expect("njnt", model.NJoint, 1);
        Expect("ngeom", model.NGeom, 1);
        Expect("nsite", model.NSite, 1);
        Expect("opt.timestep", model.Timestep, 0.005);
        Expect("opt.gravity[0]", model.Gravity[0], 0.25);
        Expect("opt.gravity[2]", model.Gravity[2], -9.5);
        Expect("opt.integrator", (int)model.Integrator, (int)MjIntegrator.RK4);
        Expect("opt.iterations", model.Iterations, 100);
        Expect("qpos0[0]", model.Qpos0[0], 0.25);
        Expect("body_parentid[1]", model.BodyParentId[1], 0);
        Expect("body_mass[1]", model.BodyMass[1], 2.0);
        Expect("jnt_type[0]", model.JointType[0], 2);
        Expect("jnt_limited[0]", model.JointLimited[0], 1);
        Expect("jnt_range[1]", model.JointRange[1], 2.0);
        Expect("dof_damping[0]", model.DofDamping[0], 0.5);
        Expect("dof_armature[0]", model.DofArmature[0], 0.125);
        Expect("geom_type[0]", model.GeomType[0], 2);
        Expect("geom_size[0]", model.GeomSize[0], 0.1);
        Expect("geom_friction[0]", model.GeomFriction[0], 0.7);
        Expect("actuator_trnid[0]", model.ActuatorTransmissionId[0], 0);
        Expect("actuator_ctrllimited[0]", model.ActuatorCtrlLimited[0], 1);
        Expect("actuator_ctrlrange[1]", model.ActuatorCtrlRange[1], 4.0);
        Expect("actuator_gear[0]", model.ActuatorGear[0], 7.0);
        Expect("name of body 1", model.IdToName(MjObjectType.Body, 1), "ball");
        Expect("name2id(body, ball)", model.NameToId(MjObjectType.Body, "ball"), 1);
        Expect("name of actuator 0", model.IdToName(MjObjectType.Actuator, 0), "push");

        using MuJoCoData data = model.CreateData();
        Expect("qpos after reset", data.Qpos[0], 0.25);
        data.Forward();
        Expect("xpos[ball].z", data.Xpos[5], 1.0);
        Expect("xpos[ball].x at qpos = ref", data.Xpos[3], 0.0);
        data.Qpos[0] = 0.75; // slide displacement = qpos − ref
        data.Forward();
        Expect("xpos[ball].x at qpos = ref + 0.5", data.Xpos[3], 0.5);
        Expect("site_xpos[origin].z", data.SiteXpos[2], 0.0);
        data.Ctrl[0] = 1.0;
        data.Step();
        Expect("time after one step", data.Time, 0.005);
        if (!(data.Qvel[0] > 0))
        {
            throw Mismatch("qvel after one pushed step", "> 0", data.Qvel[0].ToString("R", CultureInfo.InvariantCulture));
        }
    }

    private static void Expect<T>(string field, T found, T expected)
        where T : IEquatable<T>
    {
        if (!found.Equals(expected))
        {
            throw Mismatch(field, expected.ToString()!, found.ToString()!);
        }
    }

    private static InvalidOperationException Mismatch(string field, string expected, string found) =>
        new($"libmujoco memory layout check failed: {field} reads {found}, expected {expected}. " +
            $"TrustRegion.MuJoCo needs libmujoco 2.2.2 on x86-64 (`sudo {MuJoCoRuntime.InstallCommand}`).");
}
