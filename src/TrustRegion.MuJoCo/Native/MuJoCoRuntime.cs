using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TrustRegion.MuJoCo.Native;

/// <summary>
/// Process-wide set-up of libmujoco: resolves the shared library, checks its version, installs the error and
/// warning hooks, and verifies the memory layout of <see cref="MjLayout"/> on a probe model, once.
/// </summary>
/// <remarks>
/// The hooks are global variables of the C library (<c>mju_user_error</c>, <c>mju_user_warning</c>): they are written
/// once here, before any model exists, so no thread can be stepping while they change (spec 5.3). MuJoCo's default
/// error handler prints "Press Enter to exit", reads stdin and calls <c>exit(1)</c>; ours fails fast with MuJoCo's
/// message instead, because returning would let MuJoCo continue in a corrupt state and a managed exception cannot
/// cross the native frames. Fatal errors are programming errors here (bad arguments, stack too small); the
/// recoverable conditions arrive as warnings, which are recorded per thread and read back after each call.
/// </remarks>
internal static unsafe class MuJoCoRuntime
{
    /// <summary>Version number <c>mj_version()</c> must report.</summary>
    internal const int RequiredVersion = 222;

    /// <summary>The shell command that installs the runtime library on Debian/Ubuntu.</summary>
    internal const string InstallCommand = "apt-get install libmujoco2.2.2";

    /// <summary>Shared-object names tried in order: the runtime package's versioned file, then the -dev symlink.</summary>
    internal static readonly string[] LibraryCandidates = ["libmujoco.so.2.2.2", "libmujoco.so"];

    private static readonly Lazy<IntPtr> s_library = new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<bool> s_verified = new(Verify, LazyThreadSafetyMode.ExecutionAndPublication);

    // Last warning text MuJoCo reported on this thread. mj_step calls the hook synchronously on the calling thread,
    // so each environment (stepped by one thread at a time) reads back exactly its own warnings.
    [ThreadStatic]
    private static string? t_lastWarning;

    /// <summary>Maps <see cref="LibMuJoCo.LibraryName"/> to the library loaded here; called once, from LibMuJoCo's type initializer.</summary>
    internal static void RegisterResolver() =>
        NativeLibrary.SetDllImportResolver(typeof(MuJoCoRuntime).Assembly, Resolve);

    /// <summary>Loads the library and installs the hooks, without the layout probe (which itself needs this).</summary>
    internal static void EnsureLoaded() => _ = s_library.Value;

    /// <summary>Loads and verifies libmujoco once; throws with the install command when it is missing.</summary>
    /// <exception cref="DllNotFoundException">No candidate library could be loaded.</exception>
    /// <exception cref="InvalidOperationException">Wrong version, or the layout check failed.</exception>
    internal static void EnsureInitialized() => _ = s_verified.Value;

    /// <summary>The library handle (initialising on first use).</summary>
    internal static IntPtr LibraryHandle => s_library.Value;

    /// <summary>Takes (and clears) the last MuJoCo warning text reported on the calling thread.</summary>
    internal static string? TakeLastWarning()
    {
        string? w = t_lastWarning;
        t_lastWarning = null;
        return w;
    }

    /// <summary>Clears the calling thread's recorded warning.</summary>
    internal static void ClearLastWarning() => t_lastWarning = null;

    /// <summary>Address of our warning hook, for tests that check it is installed.</summary>
    internal static IntPtr WarningHookAddress => (IntPtr)(delegate* unmanaged[Cdecl]<byte*, void>)&OnWarning;

    /// <summary>Address of our error hook, for tests that check it is installed.</summary>
    internal static IntPtr ErrorHookAddress => (IntPtr)(delegate* unmanaged[Cdecl]<byte*, void>)&OnError;

    /// <summary>Reads the current value of a C function-pointer global such as <c>mju_user_error</c>.</summary>
    internal static IntPtr ReadHook(string name) => *(IntPtr*)NativeLibrary.GetExport(LibraryHandle, name);

    /// <summary>Tries each candidate in order; the message of the failure names the package to install.</summary>
    internal static IntPtr LoadLibrary(IReadOnlyList<string> candidates)
    {
        foreach (string name in candidates)
        {
            if (NativeLibrary.TryLoad(name, out IntPtr handle))
            {
                return handle;
            }
        }
        throw new DllNotFoundException(
            $"libmujoco 2.2.2 is not installed (tried {string.Join(", ", candidates)}). " +
            $"The MuJoCo environments need it: install it with `sudo {InstallCommand}` (Debian/Ubuntu).");
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == LibMuJoCo.LibraryName ? s_library.Value : IntPtr.Zero;

    private static bool Verify()
    {
        _ = s_library.Value;
        LayoutProbe.Verify();
        return true;
    }

    private static IntPtr Initialize()
    {
        IntPtr handle = LoadLibrary(LibraryCandidates);
        // Bind the version symbol by hand: the source-generated stubs would re-enter this Lazy through Resolve.
        var version = (delegate* unmanaged[Cdecl]<int>)NativeLibrary.GetExport(handle, "mj_version");
        int v = version();
        if (v != RequiredVersion)
        {
            throw new InvalidOperationException(
                $"libmujoco reports version {v}; TrustRegion.MuJoCo is written against the 2.2.2 memory layout ({RequiredVersion}). " +
                $"Install the matching library with `sudo {InstallCommand}`.");
        }
        *(delegate* unmanaged[Cdecl]<byte*, void>*)NativeLibrary.GetExport(handle, "mju_user_error") = &OnError;
        *(delegate* unmanaged[Cdecl]<byte*, void>*)NativeLibrary.GetExport(handle, "mju_user_warning") = &OnWarning;
        return handle;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnError(byte* message)
    {
        string text = Marshal.PtrToStringUTF8((IntPtr)message) ?? "(no message)";
        Environment.FailFast($"MuJoCo fatal error: {text}");
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnWarning(byte* message) => t_lastWarning = Marshal.PtrToStringUTF8((IntPtr)message);
}
