namespace TrustRegion.MuJoCo.Native;

/// <summary>
/// Byte offsets into <c>mjModel</c>, <c>mjData</c> and <c>mjVFS</c> of libmujoco 2.2.2 on x86-64 (mjtNum = double).
/// </summary>
/// <remarks>
/// Obtained with <c>offsetof</c> from the 2.2.2 headers (spec section 5.2) and checked at start-up by
/// <see cref="MuJoCoRuntime"/> against a probe model whose compiled values are known, and for every loaded model by
/// <see cref="MjModelHandle"/>/<see cref="MjDataHandle"/> (the first array pointer equals the buffer pointer).
/// Scalars are read at fixed offsets; each array is a pointer stored at the given offset.
/// </remarks>
internal static class MjLayout
{
    // ---- mjModel: sizes (int) ----
    internal const int Nq = 0, Nv = 4, Nu = 8, Na = 12, NBody = 16, NJnt = 20, NGeom = 24, NSite = 28;
    internal const int NTendon = 116, NMocap = 156, NNames = 192, NJMax = 208, NConMax = 212, NStack = 216;

    // ---- mjModel: mjOption opt at 232 ----
    internal const int Opt = 232;
    internal const int OptTimestep = Opt + 0, OptImpratio = Opt + 16, OptTolerance = Opt + 24, OptGravity = Opt + 48;
    internal const int OptDensity = Opt + 120, OptViscosity = Opt + 128, OptIntegrator = Opt + 200, OptCollision = Opt + 204;
    internal const int OptCone = Opt + 208, OptJacobian = Opt + 212, OptSolver = Opt + 216, OptIterations = Opt + 220;

    // ---- mjModel: array pointers ----
    internal const int ModelBuffer = 1088;
    internal const int Qpos0 = 1096, QposSpring = 1104, BodyParentId = 1112, BodyIpos = 1224, BodyMass = 1240;
    internal const int BodySubtreeMass = 1248, BodyInertia = 1256;
    internal const int JntType = 1280, JntQposAdr = 1288, JntDofAdr = 1296, JntBodyId = 1304, JntLimited = 1320;
    internal const int JntSolref = 1328, JntSolimp = 1336, JntStiffness = 1360, JntRange = 1368, JntMargin = 1376;
    internal const int DofFrictionLoss = 1448, DofArmature = 1456, DofDamping = 1464;
    internal const int GeomType = 1488, GeomContype = 1496, GeomConaffinity = 1504, GeomCondim = 1512, GeomBodyId = 1520;
    internal const int GeomSolref = 1576, GeomSolimp = 1584, GeomSize = 1592, GeomFriction = 1624, GeomMargin = 1632, GeomGap = 1640;
    internal const int ActuatorTrnId = 2728, ActuatorCtrlLimited = 2744, ActuatorCtrlRange = 2792, ActuatorGear = 2816;
    internal const int NameBodyAdr = 3104, NameJntAdr = 3112, NameGeomAdr = 3120, NameSiteAdr = 3128, NameActuatorAdr = 3224;
    internal const int Names = 3272;
    internal const int SizeOfModel = 3280;

    // ---- mjData: scalars ----
    internal const int DataNStack = 0, DataNBuffer = 4, DataPStack = 8, DataMaxUseStack = 12;
    internal const int Warning = 24; // mjWarningStat[8] of {int lastinfo; int number}
    internal const int NCon = 40332, Time = 40336;

    // ---- mjData: array pointers ----
    internal const int DataBuffer = 40360;
    internal const int Qpos = 40376, Qvel = 40384, Act = 40392, QaccWarmstart = 40400, Ctrl = 40408, Qacc = 40448;
    internal const int Xpos = 40480, Xipos = 40504, SiteXpos = 40552, Cinert = 40616, Cvel = 40960;
    internal const int QfrcActuator = 41088, QfrcConstraint = 41136, CfrcExt = 41168;

    // The contact and constraint-row block of the buffer: pointer 47 (contact) up to, not including, pointer 71
    // (ten_velocity), i.e. contact, efc_type … efc_AR in MJDATA_POINTERS order (see MuJoCoData.Reset).
    internal const int Contact = 40752, TenVelocity = 40944;

    /// <summary>Size in bytes of one <c>mjContact</c> in 2.2.2.</summary>
    internal const int SizeOfContact = 528;
    internal const int SizeOfData = 41176;

    // ---- mjVFS ----
    internal const int VfsSize = 2_024_008, VfsFileData = 2_008_008;
}
