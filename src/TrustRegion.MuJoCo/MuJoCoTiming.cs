using System.Diagnostics;
using System.Globalization;

namespace TrustRegion.MuJoCo;

/// <summary>
/// Process-wide clock of the time spent inside MuJoCo's native physics by every <see cref="Envs.MuJoCoEnv"/>: the
/// <c>frame_skip</c> calls of <c>mj_step</c> plus <c>mj_rnePostConstraint</c> of each environment step, and the
/// <c>mj_forward</c> of each reset. Use it to find the share of a run's wall time spent simulating.
/// </summary>
/// <remarks>
/// <para>Each environment reads <see cref="Stopwatch.GetTimestamp"/> before and after its native calls and adds the
/// difference to its own counter (<see cref="Envs.MuJoCoEnv.PhysicsTime"/>) and to this process-wide counter
/// (<see cref="PhysicsTicks"/>). Environments stepped on parallel threads add up their own times, so that total can
/// exceed the wall time that passed; <see cref="PhysicsWallTicks"/> counts instead the wall-clock time during which at
/// least one environment was inside MuJoCo. The bookkeeping takes two short uncontended locks per step and allocates
/// nothing.</para>
/// <para>The counters only grow; measure an interval by taking the difference of two readings
/// (<see cref="PhysicsTicks"/> before and after).</para>
/// <para>Setting the environment variable <c>TRUSTREGION_MUJOCO_TIMING</c> to a file path makes the process append one
/// line to that file when it exits (for programs such as <c>trpo train</c> that do not read the clock themselves):
/// <c>mujoco_physics_seconds=S mujoco_wall_seconds=W env_steps=N resets=R process_seconds=P</c>, with <c>S</c> from
/// <see cref="PhysicsTime"/>, <c>W</c> from <see cref="PhysicsWallTime"/> and <c>P</c> the time since the process
/// started.</para>
/// </remarks>
public static class MuJoCoTiming
{
    /// <summary>Name of the environment variable that asks for the exit report (a file path to append to).</summary>
    public const string ReportVariable = "TRUSTREGION_MUJOCO_TIMING";

    private static readonly Lock s_wallLock = new();
    private static long s_physicsTicks;
    private static long s_wallTicks;
    private static long s_wallStart;
    private static int s_active;
    private static long s_steps;
    private static long s_resets;
    private static int s_reportHooked;

    /// <summary>Sum over all environments and threads of the time spent in native physics, in <see cref="Stopwatch"/> ticks (<see cref="Stopwatch.Frequency"/> per second).</summary>
    public static long PhysicsTicks => Interlocked.Read(ref s_physicsTicks);

    /// <summary><see cref="PhysicsTicks"/> as a time span.</summary>
    public static TimeSpan PhysicsTime => Stopwatch.GetElapsedTime(0, PhysicsTicks);

    /// <summary>
    /// Wall-clock time during which at least one environment of the process was inside its native physics, in
    /// <see cref="Stopwatch"/> ticks: equal to <see cref="PhysicsTicks"/> when environments are stepped one at a time,
    /// smaller when copies overlap on parallel threads. This is the numerator of "share of a run's wall time spent in
    /// MuJoCo".
    /// </summary>
    public static long PhysicsWallTicks
    {
        get
        {
            lock (s_wallLock)
            {
                return s_wallTicks;
            }
        }
    }

    /// <summary><see cref="PhysicsWallTicks"/> as a time span.</summary>
    public static TimeSpan PhysicsWallTime => Stopwatch.GetElapsedTime(0, PhysicsWallTicks);

    /// <summary>Environment steps taken by all MuJoCo environments of the process (diverged steps included).</summary>
    public static long EnvSteps => Interlocked.Read(ref s_steps);

    /// <summary>Resets (<see cref="Envs.MuJoCoEnv.Reset"/> and <see cref="Envs.MuJoCoEnv.ResetTo"/>) of all MuJoCo environments of the process.</summary>
    public static long Resets => Interlocked.Read(ref s_resets);

    /// <summary>Marks the start of a native physics section; returns the timestamp to pass to <see cref="Leave"/>.</summary>
    internal static long Enter()
    {
        lock (s_wallLock)
        {
            long now = Stopwatch.GetTimestamp();
            if (s_active++ == 0)
            {
                s_wallStart = now;
            }
            return now;
        }
    }

    /// <summary>Marks the end of a native physics section begun at <paramref name="start"/>; returns its length in ticks.</summary>
    internal static long Leave(long start)
    {
        lock (s_wallLock)
        {
            long now = Stopwatch.GetTimestamp();
            if (--s_active == 0)
            {
                s_wallTicks += now - s_wallStart;
            }
            return now - start;
        }
    }

    internal static void AddStep(long ticks)
    {
        Interlocked.Add(ref s_physicsTicks, ticks);
        Interlocked.Increment(ref s_steps);
    }

    internal static void AddReset(long ticks)
    {
        Interlocked.Add(ref s_physicsTicks, ticks);
        Interlocked.Increment(ref s_resets);
    }

    /// <summary>Hooks the exit report once per process when <see cref="ReportVariable"/> is set (called by the first environment made).</summary>
    internal static void HookExitReport()
    {
        if (Volatile.Read(ref s_reportHooked) != 0 || Interlocked.Exchange(ref s_reportHooked, 1) != 0)
        {
            return;
        }
        string? path = Environment.GetEnvironmentVariable(ReportVariable);
        if (string.IsNullOrWhiteSpace(path))
        {
            return;
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => WriteReport(path);
    }

    /// <summary>The exit report's line (without line end) for the counters as they are now.</summary>
    internal static string FormatReport()
    {
        double processSeconds = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"mujoco_physics_seconds={PhysicsTime.TotalSeconds:R} mujoco_wall_seconds={PhysicsWallTime.TotalSeconds:R} env_steps={EnvSteps} resets={Resets} process_seconds={processSeconds:R}");
    }

    private static void WriteReport(string path)
    {
        string line = FormatReport() + Environment.NewLine;
        try
        {
            File.AppendAllText(path, line);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"{ReportVariable}: could not append the MuJoCo timing report to '{path}': {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            Console.Error.WriteLine($"{ReportVariable}: could not append the MuJoCo timing report to '{path}': {ex.Message}");
        }
    }
}
