namespace TrustRegion.Envs;

/// <summary>The findings of <see cref="EnvChecker.Check"/>: an empty <see cref="Problems"/> list means the environment conforms.</summary>
public sealed class EnvCheckReport
{
    internal EnvCheckReport(string name, IReadOnlyList<string> problems, int stepsRun, int episodesEnded)
    {
        Name = name;
        Problems = problems;
        StepsRun = stepsRun;
        EpisodesEnded = episodesEnded;
    }

    /// <summary>The environment's name as used in the messages.</summary>
    public string Name { get; }

    /// <summary>One sentence per problem found.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>True when no problem was found.</summary>
    public bool Passed => Problems.Count == 0;

    /// <summary>Steps taken by the check (one pass).</summary>
    public int StepsRun { get; }

    /// <summary>Episodes that ended during the check (one pass).</summary>
    public int EpisodesEnded { get; }

    /// <summary>Throws when a problem was found.</summary>
    /// <exception cref="InvalidOperationException">The message lists every problem.</exception>
    public void ThrowIfFailed()
    {
        if (!Passed)
        {
            throw new InvalidOperationException(ToString());
        }
    }

    /// <summary>A readable summary.</summary>
    public override string ToString() => Passed
        ? $"{Name}: conforms ({StepsRun} steps, {EpisodesEnded} episodes checked)."
        : $"{Name}: {Problems.Count} problem(s):{Environment.NewLine}- {string.Join(Environment.NewLine + "- ", Problems)}";
}
