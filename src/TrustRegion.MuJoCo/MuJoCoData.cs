using TrustRegion.MuJoCo.Native;

namespace TrustRegion.MuJoCo;

/// <summary>
/// One simulation state (<c>mjData</c>) of a <see cref="MuJoCoModel"/>, with views of its arrays.
/// </summary>
/// <remarks>
/// <para>Thread safety: one instance must be used by one thread at a time; distinct instances (of the same model) may be
/// stepped on different threads in parallel, since each has its own stack and the model is only read.</para>
/// <para>The span properties view native memory that never moves for the lifetime of the instance (2.2.2 allocates
/// every array in one buffer at creation), so taking a span allocates nothing. Position-derived arrays
/// (<see cref="Xpos"/>, <see cref="SiteXpos"/>, <see cref="QfrcConstraint"/>, <see cref="CfrcExt"/>, ...) hold whatever
/// the last MuJoCo call computed: after <see cref="Step"/> they belong to the last intermediate stage, not to the final
/// <see cref="Qpos"/> (spec section 1.3).</para>
/// </remarks>
public sealed unsafe class MuJoCoData : IDisposable
{
    // Checked in this order: divergence first, since MuJoCo resets the state after it; then dropped contacts/constraints.
    private static readonly MjWarning[] s_simulationWarnings =
        [MjWarning.BadQacc, MjWarning.BadQvel, MjWarning.BadQpos, MjWarning.BadCtrl, MjWarning.ContactFull, MjWarning.ConstraintFull];

    private readonly MjDataHandle _handle;
    private readonly IntPtr _m;
    private readonly byte* _d;
    private readonly int _nq, _nv, _nu, _nbody, _nsite;
    private readonly byte* _blockStart, _blockEnd; // contact … efc_AR, left untouched by Reset; null: Reset calls mj_resetData

    internal MuJoCoData(MuJoCoModel model, MjDataHandle handle)
    {
        Model = model;
        _handle = handle;
        _m = model.Pointer;
        _d = (byte*)handle.DangerousGetHandle();
        (_nq, _nv, _nu, _nbody, _nsite) = (model.Nq, model.Nv, model.Nu, model.NBody, model.NSite);
        byte* start = *(byte**)(_d + MjLayout.Contact), end = *(byte**)(_d + MjLayout.TenVelocity);
        (long measured, long expected) = ConstraintBlockSizes();
        if (((int*)_m)[MjLayout.NMocap / 4] == 0 && start >= Buffer && end <= Buffer + BufferBytes && measured == expected)
        {
            _blockStart = start;
            _blockEnd = end;
        }
    }

    /// <summary>The model this state belongs to.</summary>
    public MuJoCoModel Model { get; }

    /// <summary>Generalized positions (<c>qpos</c>), [nq]; writable.</summary>
    public Span<double> Qpos => new(*(double**)(_d + MjLayout.Qpos), _nq);

    /// <summary>Generalized velocities (<c>qvel</c>), [nv]; writable.</summary>
    public Span<double> Qvel => new(*(double**)(_d + MjLayout.Qvel), _nv);

    /// <summary>Controls (<c>ctrl</c>), [nu]; writable. MuJoCo clamps to ctrlrange internally without changing these values.</summary>
    public Span<double> Ctrl => new(*(double**)(_d + MjLayout.Ctrl), _nu);

    /// <summary>Generalized accelerations (<c>qacc</c>), [nv].</summary>
    public ReadOnlySpan<double> Qacc => new(*(double**)(_d + MjLayout.Qacc), _nv);

    /// <summary>Body frame positions in world coordinates (<c>xpos</c>), [nbody, 3].</summary>
    public ReadOnlySpan<double> Xpos => new(*(double**)(_d + MjLayout.Xpos), 3 * _nbody);

    /// <summary>Body centre-of-mass positions (<c>xipos</c>), [nbody, 3].</summary>
    public ReadOnlySpan<double> Xipos => new(*(double**)(_d + MjLayout.Xipos), 3 * _nbody);

    /// <summary>Site positions (<c>site_xpos</c>), [nsite, 3].</summary>
    public ReadOnlySpan<double> SiteXpos => new(*(double**)(_d + MjLayout.SiteXpos), 3 * _nsite);

    /// <summary>Composite rigid-body inertias in the centre-of-mass frame (<c>cinert</c>), [nbody, 10].</summary>
    public ReadOnlySpan<double> Cinert => new(*(double**)(_d + MjLayout.Cinert), 10 * _nbody);

    /// <summary>Body velocities in the centre-of-mass frame, rotation first (<c>cvel</c>), [nbody, 6].</summary>
    public ReadOnlySpan<double> Cvel => new(*(double**)(_d + MjLayout.Cvel), 6 * _nbody);

    /// <summary>Actuator forces in joint space (<c>qfrc_actuator</c>), [nv].</summary>
    public ReadOnlySpan<double> QfrcActuator => new(*(double**)(_d + MjLayout.QfrcActuator), _nv);

    /// <summary>Constraint forces in joint space (<c>qfrc_constraint</c>), [nv].</summary>
    public ReadOnlySpan<double> QfrcConstraint => new(*(double**)(_d + MjLayout.QfrcConstraint), _nv);

    /// <summary>External (contact) forces per body, rotation first (<c>cfrc_ext</c>), [nbody, 6]; filled by <see cref="RnePostConstraint"/>.</summary>
    public ReadOnlySpan<double> CfrcExt => new(*(double**)(_d + MjLayout.CfrcExt), 6 * _nbody);

    /// <summary>Simulation time in seconds.</summary>
    public double Time => *(double*)(_d + MjLayout.Time);

    /// <summary>Number of active contacts (<c>ncon</c>).</summary>
    public int ContactCount => *(int*)(_d + MjLayout.NCon);

    /// <summary>Most stack (mjtNums) this state has used (<c>maxuse_stack</c>).</summary>
    public int MaxStackUse => *(int*)(_d + MjLayout.DataMaxUseStack);

    /// <summary>How many times MuJoCo raised warning <paramref name="warning"/> since the last reset.</summary>
    public int WarningCount(MjWarning warning)
    {
        if ((uint)warning > (uint)MjWarning.BadCtrl)
        {
            throw new ArgumentOutOfRangeException(nameof(warning), warning, "Valid warnings are Inertia (0) … BadCtrl (7).");
        }
        return *(int*)(_d + MjLayout.Warning + (8 * (int)warning) + 4);
    }

    /// <summary>
    /// The first simulation warning (contact or constraint list full, bad qpos/qvel/qacc/ctrl) raised since the last
    /// reset, or null. These are the warnings after which MuJoCo's results can no longer be trusted.
    /// </summary>
    public MjWarning? FirstSimulationWarning()
    {
        foreach (MjWarning w in s_simulationWarnings)
        {
            if (*(int*)(_d + MjLayout.Warning + (8 * (int)w) + 4) != 0)
            {
                return w;
            }
        }
        return null;
    }

    /// <summary>
    /// Resets to the model's reference state, as <c>mj_resetData</c>: qpos = qpos0, zero velocities, controls, warm start,
    /// warnings and time, every other array zeroed, no contacts or constraint rows.
    /// </summary>
    /// <remarks>
    /// <c>mj_resetData</c> zeroes the whole buffer, most of which (about 3 MB with the default <c>njmax</c> of 500) is the
    /// block of contacts and constraint rows, <c>contact</c> through <c>efc_AR</c>; that made a reset cost 120–210 µs against
    /// 5–12 µs for the <c>mj_forward</c> after it. With <c>ncon = nefc = 0</c> MuJoCo reads no entry of that block before
    /// rewriting it (rows are filled up to <c>ncon</c>/<c>nefc</c> on every <c>mj_forward</c>), so this reset zeroes the
    /// header and the rest of the buffer exactly as <c>mj_resetData</c> does and leaves the block as it was. It is used only
    /// when the block measured in this data's buffer has exactly the size its 2.2.2 layout gives (see
    /// <see cref="ConstraintBlockBytes"/>) and the model has no mocap bodies; otherwise <c>mj_resetData</c> runs. Tests check
    /// that every byte outside the block equals <c>mj_resetData</c>'s, and that trajectories after either reset agree bit for bit.
    /// </remarks>
    public void Reset()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (_blockStart == null)
        {
            LibMuJoCo.mj_resetData(_m, (IntPtr)_d);
            return;
        }
        Header.Clear();
        BeforeBlock.Clear();
        AfterBlock.Clear();
        Model.Qpos0.CopyTo(Qpos);
    }

    /// <summary>Whether <see cref="Reset"/> skips the contact and constraint-row block (see its remarks); false means it calls <c>mj_resetData</c>.</summary>
    internal bool SkipsConstraintBlockOnReset => _blockStart != null;

    /// <summary>Byte offset of <c>contact</c> (the start of the block <see cref="Reset"/> skips) from the start of the buffer.</summary>
    internal long ConstraintBlockOffset => *(byte**)(_d + MjLayout.Contact) - Buffer;

    /// <summary>The buffer that holds every array (its pointer never moves in 2.2.2).</summary>
    private byte* Buffer => *(byte**)(_d + MjLayout.DataBuffer);

    /// <summary>
    /// The scalar header after nstack/nbuffer: stack pointer, memory statistics, warnings, timers, solver statistics,
    /// ne/nf/nefc/ncon, time, energy (all of which <c>mj_resetData</c> zeroes).
    /// </summary>
    private Span<byte> Header => new(_d + MjLayout.DataPStack, RawHeaderBytes);

    /// <summary>The buffer before the contact and constraint-row block (only when the block is known).</summary>
    private Span<byte> BeforeBlock => new(Buffer, (int)(_blockStart - Buffer));

    /// <summary>The buffer after the contact and constraint-row block (only when the block is known).</summary>
    private Span<byte> AfterBlock => new(_blockEnd, (int)(Buffer + BufferBytes - _blockEnd));

    /// <summary>Bytes of the scalar header that <see cref="WriteRaw"/> writes before the buffer.</summary>
    internal const int RawHeaderBytes = MjLayout.DataBuffer - MjLayout.DataPStack;

    /// <summary>The byte distance from <c>contact</c> to <c>ten_velocity</c> in this buffer and the one <see cref="ConstraintBlockBytes"/> expects.</summary>
    internal (long Measured, long Expected) ConstraintBlockSizes()
    {
        int* m = (int*)_m;
        return (*(byte**)(_d + MjLayout.TenVelocity) - *(byte**)(_d + MjLayout.Contact),
            ConstraintBlockBytes(_nv, m[MjLayout.NJMax / 4], m[MjLayout.NConMax / 4]));
    }

    /// <summary>Resets with <c>mj_resetData</c> itself (the reference <see cref="Reset"/> is tested against).</summary>
    internal void ResetWithLibrary()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        LibMuJoCo.mj_resetData(_m, (IntPtr)_d);
    }

    /// <summary>
    /// Bytes from <c>contact</c> to <c>ten_velocity</c> in a 2.2.2 buffer: <c>contact</c> (nconmax × 528 bytes), then
    /// <c>efc_type</c>, <c>efc_id</c>, <c>efc_J_rownnz</c>, <c>efc_J_rowadr</c>, <c>efc_J_rowsuper</c> (njmax ints each),
    /// <c>efc_J_colind</c> (njmax × nv ints), <c>efc_JT_rownnz</c>, <c>efc_JT_rowadr</c>, <c>efc_JT_rowsuper</c> (nv ints each),
    /// <c>efc_JT_colind</c> (nv × njmax ints), <c>efc_J</c> and <c>efc_JT</c> (njmax × nv doubles each), <c>efc_pos</c>,
    /// <c>efc_margin</c>, <c>efc_frictionloss</c>, <c>efc_diagApprox</c> (njmax doubles each), <c>efc_KBIP</c> (njmax × 4
    /// doubles), <c>efc_D</c>, <c>efc_R</c> (njmax doubles each), <c>efc_AR_rownnz</c>, <c>efc_AR_rowadr</c> (njmax ints each),
    /// <c>efc_AR_colind</c> (njmax² ints) and <c>efc_AR</c> (njmax² doubles); every array starts on a 64-byte boundary.
    /// </summary>
    internal static long ConstraintBlockBytes(int nv, int njmax, int nconmax)
    {
        static long A(long bytes) => (bytes + 63) & ~63L;
        long j = njmax, v = nv;
        return A(nconmax * (long)MjLayout.SizeOfContact)
            + (5 * A(j * 4)) + A(j * v * 4)
            + (3 * A(v * 4)) + A(v * j * 4)
            + A(j * v * 8) + A(v * j * 8)
            + (4 * A(j * 8)) + A(j * 4 * 8) + (2 * A(j * 8))
            + (2 * A(j * 4)) + A(j * j * 4) + A(j * j * 8);
    }

    /// <summary>
    /// Sets a state as Gymnasium's <c>set_state</c> after a reset (spec 5.4): <c>mj_resetData</c> (clears the solver warm
    /// start), writes qpos and qvel, then <c>mj_forward</c>, which also normalises free-joint quaternions.
    /// </summary>
    /// <exception cref="ArgumentException">A length differs from nq/nv or a value is not finite.</exception>
    public void ResetTo(ReadOnlySpan<double> qpos, ReadOnlySpan<double> qvel)
    {
        CheckState(qpos, _nq, nameof(qpos));
        CheckState(qvel, _nv, nameof(qvel));
        Reset();
        qpos.CopyTo(Qpos);
        qvel.CopyTo(Qvel);
        Forward();
    }

    /// <summary>Computes all derived quantities without integrating (<c>mj_forward</c>).</summary>
    public void Forward()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        LibMuJoCo.mj_forward(_m, (IntPtr)_d);
    }

    /// <summary>Advances the simulation by one model time step (<c>mj_step</c>).</summary>
    public void Step()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        LibMuJoCo.mj_step(_m, (IntPtr)_d);
    }

    /// <summary>Computes <c>cacc</c>, <c>cfrc_int</c> and <c>cfrc_ext</c> after a step (<c>mj_rnePostConstraint</c>).</summary>
    public void RnePostConstraint()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        LibMuJoCo.mj_rnePostConstraint(_m, (IntPtr)_d);
    }

    /// <summary>Size in bytes of the buffer that holds every array of this state (<c>nbuffer</c>).</summary>
    internal int BufferBytes => *(int*)(_d + MjLayout.DataNBuffer);

    /// <summary>
    /// Writes the dynamic content: the scalar header after the two size fields (stack pointer, memory statistics, warnings,
    /// timers, solver statistics, ne/nf/nefc/ncon, time, energy), then the <c>nbuffer</c> bytes of the buffer that holds every
    /// array (qpos, qvel, act, qacc_warmstart, ctrl, the position-dependent arrays left by the last call, contacts, constraint
    /// rows, ...). With <paramref name="skipConstraintBlock"/> (allowed when <see cref="SkipsConstraintBlockOnReset"/>), the
    /// block of contacts and constraint rows that <see cref="Reset"/> leaves alone is not written: the next <c>mj_step</c> or
    /// <c>mj_forward</c> rewrites every row of it before reading one, so a resumed simulation does not depend on it. That
    /// shrinks a snapshot from about 3.2 MB to the tens of kilobytes of the rest. The buffer and stack pointers are never
    /// written. The stack holds no state between calls.
    /// </summary>
    internal void WriteRaw(BinaryWriter writer, bool skipConstraintBlock = false)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        writer.Write(Header);
        if (!skipConstraintBlock)
        {
            writer.Write(new ReadOnlySpan<byte>(Buffer, BufferBytes));
            return;
        }
        CheckBlockKnown();
        writer.Write(BeforeBlock);
        writer.Write(AfterBlock);
    }

    /// <summary>
    /// Reads what <see cref="WriteRaw"/> wrote into this state, which must have the same model and <c>nbuffer</c>, with the
    /// same <paramref name="skipConstraintBlock"/>; a skipped block is zeroed, as after <c>mj_resetData</c>.
    /// </summary>
    /// <exception cref="EndOfStreamException">The stream ended early; the state is then partly overwritten.</exception>
    internal void ReadRaw(BinaryReader reader, bool skipConstraintBlock = false)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        ReadExactly(reader, Header);
        if (!skipConstraintBlock)
        {
            ReadExactly(reader, new Span<byte>(Buffer, BufferBytes));
            return;
        }
        CheckBlockKnown();
        ReadExactly(reader, BeforeBlock);
        ReadExactly(reader, AfterBlock);
        new Span<byte>(_blockStart, (int)(_blockEnd - _blockStart)).Clear();
    }

    private void CheckBlockKnown()
    {
        if (_blockStart == null)
        {
            throw new InvalidOperationException($"Model '{Model.Name}': the contact and constraint-row block of this mjData does not have the size of the 2.2.2 layout, so it cannot be skipped.");
        }
    }

    private static void ReadExactly(BinaryReader reader, Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            int n = reader.Read(destination);
            if (n <= 0)
            {
                throw new EndOfStreamException($"The stream ended with {destination.Length} bytes of MuJoCo state still to read.");
            }
            destination = destination[n..];
        }
    }

    /// <summary>Frees the native state.</summary>
    public void Dispose() => _handle.Dispose();

    private static void CheckState(ReadOnlySpan<double> values, int expected, string name)
    {
        if (values.Length != expected)
        {
            throw new ArgumentException($"{name} has length {values.Length}; expected {expected}.", name);
        }
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException($"{name}[{i}] is {values[i]}; every entry must be finite.", name);
            }
        }
    }
}
