namespace TrustRegion.MuJoCo;

/// <summary>MuJoCo 2.2.2 object types (<c>mjtObj</c>) used to look names up; the numbers differ in MuJoCo 3.x.</summary>
public enum MjObjectType
{
    /// <summary>A body (<c>mjOBJ_BODY</c>).</summary>
    Body = 1,

    /// <summary>A joint (<c>mjOBJ_JOINT</c>).</summary>
    Joint = 3,

    /// <summary>A geom (<c>mjOBJ_GEOM</c>).</summary>
    Geom = 5,

    /// <summary>A site (<c>mjOBJ_SITE</c>).</summary>
    Site = 6,

    /// <summary>An actuator (<c>mjOBJ_ACTUATOR</c>).</summary>
    Actuator = 18,
}
