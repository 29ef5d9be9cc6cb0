using System.Runtime.InteropServices;

namespace TrustRegion.MuJoCo.Native;

/// <summary>
/// The subset of the libmujoco 2.2.2 C API (<c>mujoco.h</c>) that TrustRegion uses, as source-generated P/Invoke.
/// </summary>
/// <remarks>
/// All functions are plain cdecl on x86-64 Linux. The library name <see cref="LibraryName"/> is resolved by
/// <see cref="MuJoCoRuntime"/> (libmujoco.so.2.2.2, then libmujoco.so); call <see cref="MuJoCoRuntime.EnsureInitialized"/>
/// before the first call so the version check and the error/warning hooks are in place. Model and data pointers are
/// passed as raw <see cref="IntPtr"/>s: their lifetime is owned by <see cref="MjModelHandle"/>/<see cref="MjDataHandle"/>,
/// and the hot path (<c>mj_step</c>) then pays no SafeHandle reference counting.
/// </remarks>
internal static unsafe partial class LibMuJoCo
{
    /// <summary>The logical library name the resolver maps to the installed shared object.</summary>
    internal const string LibraryName = "mujoco";

    // Runs before any stub binds its entry point, so the resolver is in place for the first call.
    static LibMuJoCo() => MuJoCoRuntime.RegisterResolver();

    /// <summary><c>int mj_version(void)</c>: 222 for 2.2.2.</summary>
    [LibraryImport(LibraryName, EntryPoint = "mj_version")]
    internal static partial int mj_version();

    /// <summary><c>void mj_defaultVFS(mjVFS* vfs)</c>.</summary>
    [LibraryImport(LibraryName, EntryPoint = "mj_defaultVFS")]
    internal static partial void mj_defaultVFS(IntPtr vfs);

    /// <summary><c>int mj_makeEmptyFileVFS(mjVFS*, const char* filename, int filesize)</c>: 0 ok, 1 full, 2 duplicate name.</summary>
    [LibraryImport(LibraryName, EntryPoint = "mj_makeEmptyFileVFS", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mj_makeEmptyFileVFS(IntPtr vfs, string filename, int filesize);

    /// <summary><c>int mj_findFileVFS(const mjVFS*, const char* filename)</c>: index or −1.</summary>
    [LibraryImport(LibraryName, EntryPoint = "mj_findFileVFS", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mj_findFileVFS(IntPtr vfs, string filename);

    /// <summary><c>void mj_deleteVFS(mjVFS*)</c>: frees the file buffers (not the struct).</summary>
    [LibraryImport(LibraryName, EntryPoint = "mj_deleteVFS")]
    internal static partial void mj_deleteVFS(IntPtr vfs);

    /// <summary><c>mjModel* mj_loadXML(const char* filename, const mjVFS* vfs, char* error, int error_sz)</c>; NULL on failure.</summary>
    [LibraryImport(LibraryName, EntryPoint = "mj_loadXML", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr mj_loadXML(string filename, IntPtr vfs, byte* error, int errorSize);

    /// <summary><c>void mj_deleteModel(mjModel*)</c>.</summary>
    [LibraryImport(LibraryName, EntryPoint = "mj_deleteModel")]
    internal static partial void mj_deleteModel(IntPtr m);

    /// <summary><c>mjData* mj_makeData(const mjModel*)</c>.</summary>
    [LibraryImport(LibraryName, EntryPoint = "mj_makeData")]
    internal static partial IntPtr mj_makeData(IntPtr m);

    /// <summary><c>void mj_deleteData(mjData*)</c>.</summary>
    [LibraryImport(LibraryName, EntryPoint = "mj_deleteData")]
    internal static partial void mj_deleteData(IntPtr d);

    /// <summary><c>void mj_resetData(const mjModel*, mjData*)</c>: qpos := qpos0, zero velocities, controls, warm start, warnings, time.</summary>
    [LibraryImport(LibraryName, EntryPoint = "mj_resetData")]
    internal static partial void mj_resetData(IntPtr m, IntPtr d);

    /// <summary><c>void mj_forward(const mjModel*, mjData*)</c>.</summary>
    [LibraryImport(LibraryName, EntryPoint = "mj_forward")]
    internal static partial void mj_forward(IntPtr m, IntPtr d);

    /// <summary><c>void mj_step(const mjModel*, mjData*)</c>: one physics step (no step-count argument in C).</summary>
    [LibraryImport(LibraryName, EntryPoint = "mj_step")]
    internal static partial void mj_step(IntPtr m, IntPtr d);

    /// <summary><c>void mj_rnePostConstraint(const mjModel*, mjData*)</c>: fills cacc, cfrc_int, cfrc_ext.</summary>
    [LibraryImport(LibraryName, EntryPoint = "mj_rnePostConstraint")]
    internal static partial void mj_rnePostConstraint(IntPtr m, IntPtr d);

    /// <summary><c>int mj_name2id(const mjModel*, int type, const char* name)</c>: id or −1.</summary>
    [LibraryImport(LibraryName, EntryPoint = "mj_name2id", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mj_name2id(IntPtr m, int type, string name);
}
