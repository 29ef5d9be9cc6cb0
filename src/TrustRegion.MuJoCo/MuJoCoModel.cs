using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using TrustRegion.MuJoCo.Native;

namespace TrustRegion.MuJoCo;

/// <summary>
/// A compiled MuJoCo 2.2.2 model (<c>mjModel</c>), shared read-only by any number of <see cref="MuJoCoData"/> instances.
/// </summary>
/// <remarks>
/// <para>Thread safety: <c>mj_step</c>/<c>mj_forward</c> take <c>const mjModel*</c>, so one model may be used by many
/// threads at once, each stepping its own <see cref="MuJoCoData"/>. Nothing in this type mutates the model.</para>
/// <para>The span properties view native memory owned by the model: they are valid until the model is disposed and its
/// data instances are gone. Lengths follow MuJoCo: per-body arrays have <see cref="NBody"/> rows including the world
/// body 0; matrices are row-major.</para>
/// <para>Disposing the model while data instances are alive is safe: the native model is freed with the last of them.</para>
/// </remarks>
public sealed unsafe class MuJoCoModel : IDisposable
{
    private readonly MjModelHandle _handle;
    private readonly byte* _m;

    private MuJoCoModel(MjModelHandle handle, string name, string sourceSha256)
    {
        _handle = handle;
        _m = (byte*)handle.DangerousGetHandle();
        Name = name;
        SourceSha256 = sourceSha256;
    }

    /// <summary>Compiles an MJCF document held in memory, through MuJoCo's virtual file system (no temporary file).</summary>
    /// <param name="mjcf">The MJCF text.</param>
    /// <param name="name">A file name for the document, used in MuJoCo's messages; must end in <c>.xml</c>.</param>
    /// <exception cref="ArgumentException">The text is empty or the name is not an .xml file name.</exception>
    /// <exception cref="MuJoCoException">MuJoCo's compiler rejected the model; the message is MuJoCo's error text.</exception>
    /// <exception cref="DllNotFoundException">libmujoco 2.2.2 is not installed; the message names the package.</exception>
    public static MuJoCoModel FromXml(string mjcf, string name = "model.xml")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mjcf);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!name.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) || name.Length >= 1000 || name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Model name '{name}' must be a plain file name ending in .xml (shorter than 1000 characters, no '/').", nameof(name));
        }
        MuJoCoRuntime.EnsureInitialized();
        return FromXmlUnverified(mjcf, name);
    }

    /// <summary>Compiles without the start-up layout probe; only the probe itself uses this.</summary>
    internal static MuJoCoModel FromXmlUnverified(string mjcf, string name) => new(MjModelHandle.LoadXml(mjcf, name), name, Sha256Hex(Encoding.UTF8.GetBytes(mjcf)));

    /// <summary>Compiles an MJCF file (relative includes and assets resolve against its folder).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="MuJoCoException">MuJoCo's compiler rejected the model.</exception>
    public static MuJoCoModel FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return FromFile(path, Sha256Hex(File.Exists(path) ? File.ReadAllBytes(path) : []));
    }

    /// <summary><see cref="FromFile(string)"/> for a caller that has already read and hashed the file (<see cref="MuJoCoModels.Resolve"/>).</summary>
    internal static MuJoCoModel FromFile(string path, string sourceSha256)
    {
        MuJoCoRuntime.EnsureInitialized();
        return new MuJoCoModel(MjModelHandle.LoadFile(path), Path.GetFileName(path), sourceSha256);
    }

    /// <summary>SHA-256 of <paramref name="bytes"/> in lowercase hex, the form of <see cref="SourceSha256"/>.</summary>
    internal static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The file name the model was loaded under.</summary>
    public string Name { get; }

    /// <summary>
    /// SHA-256 (lowercase hex) of the MJCF document the model was compiled from: the UTF-8 bytes of the text given to
    /// <see cref="FromXml"/>, or the file's bytes as <see cref="FromFile(string)"/> read them. Files the document includes and mesh or
    /// texture assets are not part of it.
    /// </summary>
    public string SourceSha256 { get; }

    /// <summary>MuJoCo's compiler warning text for this model; empty when it compiled cleanly.</summary>
    public string LoadWarning => _handle.LoadWarning;

    /// <summary>Number of generalized coordinates (<c>nq</c>).</summary>
    public int Nq => Int(MjLayout.Nq);

    /// <summary>Number of degrees of freedom (<c>nv</c>).</summary>
    public int Nv => Int(MjLayout.Nv);

    /// <summary>Number of actuators (<c>nu</c>).</summary>
    public int Nu => Int(MjLayout.Nu);

    /// <summary>Number of activation states (<c>na</c>).</summary>
    public int Na => Int(MjLayout.Na);

    /// <summary>Number of bodies including the world body (<c>nbody</c>).</summary>
    public int NBody => Int(MjLayout.NBody);

    /// <summary>Number of joints (<c>njnt</c>).</summary>
    public int NJoint => Int(MjLayout.NJnt);

    /// <summary>Number of geoms (<c>ngeom</c>).</summary>
    public int NGeom => Int(MjLayout.NGeom);

    /// <summary>Number of sites (<c>nsite</c>).</summary>
    public int NSite => Int(MjLayout.NSite);

    /// <summary>Number of tendons (<c>ntendon</c>).</summary>
    public int NTendon => Int(MjLayout.NTendon);

    /// <summary>Physics time step in seconds (<c>opt.timestep</c>).</summary>
    public double Timestep => Double(MjLayout.OptTimestep);

    /// <summary>Integrator (<c>opt.integrator</c>).</summary>
    public MjIntegrator Integrator => (MjIntegrator)Int(MjLayout.OptIntegrator);

    /// <summary>Gravity vector (<c>opt.gravity</c>), 3 values.</summary>
    public ReadOnlySpan<double> Gravity => new(_m + MjLayout.OptGravity, 3);

    /// <summary>Medium density (<c>opt.density</c>).</summary>
    public double Density => Double(MjLayout.OptDensity);

    /// <summary>Medium viscosity (<c>opt.viscosity</c>).</summary>
    public double Viscosity => Double(MjLayout.OptViscosity);

    /// <summary>Constraint solver code (<c>opt.solver</c>: 0 PGS, 1 CG, 2 Newton).</summary>
    public int Solver => Int(MjLayout.OptSolver);

    /// <summary>Maximum solver iterations (<c>opt.iterations</c>).</summary>
    public int Iterations => Int(MjLayout.OptIterations);

    /// <summary>Constraint solver tolerance (<c>opt.tolerance</c>).</summary>
    public double Tolerance => Double(MjLayout.OptTolerance);

    /// <summary>Reference configuration (<c>qpos0</c>), [nq].</summary>
    public ReadOnlySpan<double> Qpos0 => Doubles(MjLayout.Qpos0, Nq);

    /// <summary>Spring reference configuration (<c>qpos_spring</c>), [nq].</summary>
    public ReadOnlySpan<double> QposSpring => Doubles(MjLayout.QposSpring, Nq);

    /// <summary>Parent body of each body (<c>body_parentid</c>), [nbody].</summary>
    public ReadOnlySpan<int> BodyParentId => Ints(MjLayout.BodyParentId, NBody);

    /// <summary>Body masses (<c>body_mass</c>), [nbody].</summary>
    public ReadOnlySpan<double> BodyMass => Doubles(MjLayout.BodyMass, NBody);

    /// <summary>Mass of each body's subtree (<c>body_subtreemass</c>), [nbody].</summary>
    public ReadOnlySpan<double> BodySubtreeMass => Doubles(MjLayout.BodySubtreeMass, NBody);

    /// <summary>Principal inertias in the body's inertial frame (<c>body_inertia</c>), [nbody, 3].</summary>
    public ReadOnlySpan<double> BodyInertia => Doubles(MjLayout.BodyInertia, 3 * NBody);

    /// <summary>Joint types (<c>jnt_type</c>: 0 free, 1 ball, 2 slide, 3 hinge), [njnt].</summary>
    public ReadOnlySpan<int> JointType => Ints(MjLayout.JntType, NJoint);

    /// <summary>First qpos address of each joint (<c>jnt_qposadr</c>), [njnt].</summary>
    public ReadOnlySpan<int> JointQposAddress => Ints(MjLayout.JntQposAdr, NJoint);

    /// <summary>First dof address of each joint (<c>jnt_dofadr</c>), [njnt].</summary>
    public ReadOnlySpan<int> JointDofAddress => Ints(MjLayout.JntDofAdr, NJoint);

    /// <summary>Body of each joint (<c>jnt_bodyid</c>), [njnt].</summary>
    public ReadOnlySpan<int> JointBodyId => Ints(MjLayout.JntBodyId, NJoint);

    /// <summary>1 where the joint has limits (<c>jnt_limited</c>), [njnt].</summary>
    public ReadOnlySpan<byte> JointLimited => new(*(byte**)(_m + MjLayout.JntLimited), NJoint);

    /// <summary>Joint limits in radians or metres (<c>jnt_range</c>), [njnt, 2].</summary>
    public ReadOnlySpan<double> JointRange => Doubles(MjLayout.JntRange, 2 * NJoint);

    /// <summary>Joint limit margins (<c>jnt_margin</c>), [njnt].</summary>
    public ReadOnlySpan<double> JointMargin => Doubles(MjLayout.JntMargin, NJoint);

    /// <summary>Joint stiffness (<c>jnt_stiffness</c>), [njnt].</summary>
    public ReadOnlySpan<double> JointStiffness => Doubles(MjLayout.JntStiffness, NJoint);

    /// <summary>Joint limit solver reference (<c>jnt_solref</c>), [njnt, 2].</summary>
    public ReadOnlySpan<double> JointSolref => Doubles(MjLayout.JntSolref, 2 * NJoint);

    /// <summary>Joint limit solver impedance (<c>jnt_solimp</c>), [njnt, 5].</summary>
    public ReadOnlySpan<double> JointSolimp => Doubles(MjLayout.JntSolimp, 5 * NJoint);

    /// <summary>Dof damping (<c>dof_damping</c>), [nv].</summary>
    public ReadOnlySpan<double> DofDamping => Doubles(MjLayout.DofDamping, Nv);

    /// <summary>Dof armature (<c>dof_armature</c>), [nv].</summary>
    public ReadOnlySpan<double> DofArmature => Doubles(MjLayout.DofArmature, Nv);

    /// <summary>Dof friction loss (<c>dof_frictionloss</c>), [nv].</summary>
    public ReadOnlySpan<double> DofFrictionLoss => Doubles(MjLayout.DofFrictionLoss, Nv);

    /// <summary>Geom types (<c>geom_type</c>: 0 plane, 2 sphere, 3 capsule, 5 cylinder, 6 box, ...), [ngeom].</summary>
    public ReadOnlySpan<int> GeomType => Ints(MjLayout.GeomType, NGeom);

    /// <summary>Geom contact type bits (<c>geom_contype</c>), [ngeom].</summary>
    public ReadOnlySpan<int> GeomContype => Ints(MjLayout.GeomContype, NGeom);

    /// <summary>Geom contact affinity bits (<c>geom_conaffinity</c>), [ngeom].</summary>
    public ReadOnlySpan<int> GeomConaffinity => Ints(MjLayout.GeomConaffinity, NGeom);

    /// <summary>Geom contact dimensionality (<c>geom_condim</c>), [ngeom].</summary>
    public ReadOnlySpan<int> GeomCondim => Ints(MjLayout.GeomCondim, NGeom);

    /// <summary>Body of each geom (<c>geom_bodyid</c>), [ngeom].</summary>
    public ReadOnlySpan<int> GeomBodyId => Ints(MjLayout.GeomBodyId, NGeom);

    /// <summary>Geom sizes (<c>geom_size</c>; capsule: radius, half-length), [ngeom, 3].</summary>
    public ReadOnlySpan<double> GeomSize => Doubles(MjLayout.GeomSize, 3 * NGeom);

    /// <summary>Geom friction (slide, torsion, roll) (<c>geom_friction</c>), [ngeom, 3].</summary>
    public ReadOnlySpan<double> GeomFriction => Doubles(MjLayout.GeomFriction, 3 * NGeom);

    /// <summary>Geom contact margins (<c>geom_margin</c>), [ngeom].</summary>
    public ReadOnlySpan<double> GeomMargin => Doubles(MjLayout.GeomMargin, NGeom);

    /// <summary>Geom contact gaps (<c>geom_gap</c>), [ngeom].</summary>
    public ReadOnlySpan<double> GeomGap => Doubles(MjLayout.GeomGap, NGeom);

    /// <summary>Geom contact solver reference (<c>geom_solref</c>), [ngeom, 2].</summary>
    public ReadOnlySpan<double> GeomSolref => Doubles(MjLayout.GeomSolref, 2 * NGeom);

    /// <summary>Geom contact solver impedance (<c>geom_solimp</c>), [ngeom, 5].</summary>
    public ReadOnlySpan<double> GeomSolimp => Doubles(MjLayout.GeomSolimp, 5 * NGeom);

    /// <summary>Transmission target ids of each actuator (<c>actuator_trnid</c>), [nu, 2].</summary>
    public ReadOnlySpan<int> ActuatorTransmissionId => Ints(MjLayout.ActuatorTrnId, 2 * Nu);

    /// <summary>1 where the actuator's control is clamped to its range (<c>actuator_ctrllimited</c>), [nu].</summary>
    public ReadOnlySpan<byte> ActuatorCtrlLimited => new(*(byte**)(_m + MjLayout.ActuatorCtrlLimited), Nu);

    /// <summary>Control ranges (<c>actuator_ctrlrange</c>), [nu, 2].</summary>
    public ReadOnlySpan<double> ActuatorCtrlRange => Doubles(MjLayout.ActuatorCtrlRange, 2 * Nu);

    /// <summary>Actuator gears (<c>actuator_gear</c>; entry 0 is the scalar gear of a joint motor), [nu, 6].</summary>
    public ReadOnlySpan<double> ActuatorGear => Doubles(MjLayout.ActuatorGear, 6 * Nu);

    /// <summary>Looks up the id of a named object (<c>mj_name2id</c>).</summary>
    /// <returns>The id, or −1 when no object of that type has the name.</returns>
    public int NameToId(MjObjectType type, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return LibMuJoCo.mj_name2id((IntPtr)_m, (int)type, name);
    }

    /// <summary>The name of object <paramref name="id"/> of the given type; empty for unnamed objects.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is outside the model's objects of that type.</exception>
    public string IdToName(MjObjectType type, int id)
    {
        (int adrOffset, int count) = type switch
        {
            MjObjectType.Body => (MjLayout.NameBodyAdr, NBody),
            MjObjectType.Joint => (MjLayout.NameJntAdr, NJoint),
            MjObjectType.Geom => (MjLayout.NameGeomAdr, NGeom),
            MjObjectType.Site => (MjLayout.NameSiteAdr, NSite),
            MjObjectType.Actuator => (MjLayout.NameActuatorAdr, Nu),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Names are available for bodies, joints, geoms, sites and actuators."),
        };
        if ((uint)id >= (uint)count)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"The model has {count} objects of type {type}; valid ids are 0..{count - 1}.");
        }
        int adr = (*(int**)(_m + adrOffset))[id];
        return Marshal.PtrToStringUTF8((IntPtr)(*(byte**)(_m + MjLayout.Names) + adr)) ?? string.Empty;
    }

    /// <summary>Creates a new simulation state for this model (<c>mj_makeData</c>), reset to qpos0.</summary>
    public MuJoCoData CreateData()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return new MuJoCoData(this, MjDataHandle.Create(_handle));
    }

    /// <summary>Raw <c>mjModel*</c>.</summary>
    internal IntPtr Pointer => (IntPtr)_m;

    /// <summary>Releases this reference to the native model; it is freed once no data instance uses it.</summary>
    public void Dispose() => _handle.Dispose();

    private int Int(int offset) => *(int*)(_m + offset);

    private double Double(int offset) => *(double*)(_m + offset);

    private ReadOnlySpan<double> Doubles(int offset, int length) => new(*(double**)(_m + offset), length);

    private ReadOnlySpan<int> Ints(int offset, int length) => new(*(int**)(_m + offset), length);
}
