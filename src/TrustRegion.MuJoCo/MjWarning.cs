namespace TrustRegion.MuJoCo;

/// <summary>MuJoCo's runtime warning kinds (<c>mjtWarning</c>), counted per <see cref="MuJoCoData"/> until reset.</summary>
public enum MjWarning
{
    /// <summary>A body has (near) zero inertia.</summary>
    Inertia = 0,

    /// <summary>The contact list is full (<c>nconmax</c>); contacts were dropped.</summary>
    ContactFull = 1,

    /// <summary>The constraint rows are full (<c>njmax</c>); constraints were dropped.</summary>
    ConstraintFull = 2,

    /// <summary>The visual geom buffer is full (rendering only).</summary>
    VisualGeomFull = 3,

    /// <summary>NaN, Inf or a value above 1e10 in qpos; MuJoCo reset the data to qpos0.</summary>
    BadQpos = 4,

    /// <summary>NaN, Inf or a value above 1e10 in qvel; MuJoCo reset the data to qpos0.</summary>
    BadQvel = 5,

    /// <summary>NaN, Inf or a value above 1e10 in qacc; MuJoCo reset the data to qpos0.</summary>
    BadQacc = 6,

    /// <summary>NaN, Inf or a value above 1e10 in ctrl; MuJoCo zeroed the controls.</summary>
    BadCtrl = 7,
}
