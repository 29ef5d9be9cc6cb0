using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace TrustRegion.MuJoCo.Native;

/// <summary>Owns an <c>mjModel*</c>; frees it with <c>mj_deleteModel</c> once the last user (model or data) lets go.</summary>
internal sealed unsafe class MjModelHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private const int ErrorBufferSize = 1000;

    private MjModelHandle(IntPtr model, string loadWarning)
        : base(ownsHandle: true)
    {
        SetHandle(model);
        LoadWarning = loadWarning;
    }

    /// <summary>MuJoCo's compiler message on a successful load (empty when clean).</summary>
    internal string LoadWarning { get; }

    /// <summary>Compiles MJCF text held in memory through MuJoCo's virtual file system (no temporary file).</summary>
    /// <param name="mjcf">The MJCF document.</param>
    /// <param name="fileName">Name the document has inside the VFS; appears in MuJoCo's messages.</param>
    /// <exception cref="MuJoCoException">MuJoCo rejected the model; the message carries the compiler's text.</exception>
    internal static MjModelHandle LoadXml(string mjcf, string fileName)
    {
        MuJoCoRuntime.EnsureLoaded();
        byte[] bytes = Encoding.UTF8.GetBytes(mjcf);
        // mjVFS is a 2 MB struct (spec 5.1): allocate it zeroed on the native heap rather than on the stack.
        IntPtr vfs = (IntPtr)NativeMemory.AllocZeroed(MjLayout.VfsSize);
        try
        {
            LibMuJoCo.mj_defaultVFS(vfs);
            int rc = LibMuJoCo.mj_makeEmptyFileVFS(vfs, fileName, bytes.Length);
            if (rc != 0)
            {
                throw new MuJoCoException($"MuJoCo could not create the virtual file '{fileName}' ({bytes.Length} bytes): mj_makeEmptyFileVFS returned {rc}.");
            }
            try
            {
                int index = LibMuJoCo.mj_findFileVFS(vfs, fileName);
                if (index < 0)
                {
                    throw new MuJoCoException($"MuJoCo lost the virtual file '{fileName}' right after creating it (mj_findFileVFS returned {index}).");
                }
                byte* buffer = *(byte**)((byte*)vfs + MjLayout.VfsFileData + (8 * index));
                bytes.CopyTo(new Span<byte>(buffer, bytes.Length));
                return Compile(fileName, vfs, $"MJCF '{fileName}'");
            }
            finally
            {
                LibMuJoCo.mj_deleteVFS(vfs);
            }
        }
        finally
        {
            NativeMemory.Free((void*)vfs);
        }
    }

    /// <summary>Compiles an MJCF file from disk.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="MuJoCoException">MuJoCo rejected the model.</exception>
    internal static MjModelHandle LoadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"MJCF model file '{path}' does not exist.", path);
        }
        MuJoCoRuntime.EnsureLoaded();
        return Compile(Path.GetFullPath(path), IntPtr.Zero, $"MJCF file '{path}'");
    }

    private static MjModelHandle Compile(string fileName, IntPtr vfs, string what)
    {
        byte* error = stackalloc byte[ErrorBufferSize];
        error[0] = 0;
        IntPtr m = LibMuJoCo.mj_loadXML(fileName, vfs, error, ErrorBufferSize);
        string message = Marshal.PtrToStringUTF8((IntPtr)error) ?? string.Empty;
        if (m == IntPtr.Zero)
        {
            throw new MuJoCoException($"MuJoCo could not compile {what}: {(message.Length > 0 ? message : "(no message)")}");
        }
        var handle = new MjModelHandle(m, message);
        // Layout self-check (spec 5.2): in 2.2.2 the first array (qpos0) starts the model's buffer.
        if (*(IntPtr*)((byte*)m + MjLayout.ModelBuffer) != *(IntPtr*)((byte*)m + MjLayout.Qpos0))
        {
            handle.Dispose();
            throw new InvalidOperationException("mjModel layout mismatch: the buffer pointer does not equal qpos0; this build expects libmujoco 2.2.2.");
        }
        return handle;
    }

    protected override bool ReleaseHandle()
    {
        LibMuJoCo.mj_deleteModel(handle);
        return true;
    }
}

/// <summary>Owns an <c>mjData*</c> and holds a reference on its model's handle so the model outlives it.</summary>
internal sealed unsafe class MjDataHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private readonly MjModelHandle _model;

    private MjDataHandle(MjModelHandle model)
        : base(ownsHandle: true) => _model = model;

    /// <summary>Creates data for <paramref name="model"/> with <c>mj_makeData</c> and checks its layout.</summary>
    internal static MjDataHandle Create(MjModelHandle model)
    {
        bool added = false;
        model.DangerousAddRef(ref added);
        IntPtr m = model.DangerousGetHandle();
        IntPtr d = LibMuJoCo.mj_makeData(m);
        if (d == IntPtr.Zero)
        {
            model.DangerousRelease();
            throw new MuJoCoException("mj_makeData returned NULL (out of memory?).");
        }
        var data = new MjDataHandle(model);
        data.SetHandle(d);
        if (*(IntPtr*)((byte*)d + MjLayout.DataBuffer) != *(IntPtr*)((byte*)d + MjLayout.Qpos)
            || *(int*)((byte*)d + MjLayout.DataNStack) != *(int*)((byte*)m + MjLayout.NStack))
        {
            data.Dispose();
            throw new InvalidOperationException("mjData layout mismatch: buffer/qpos pointers or nstack disagree; this build expects libmujoco 2.2.2.");
        }
        return data;
    }

    protected override bool ReleaseHandle()
    {
        LibMuJoCo.mj_deleteData(handle);
        _model.DangerousRelease();
        return true;
    }
}
