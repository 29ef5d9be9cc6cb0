namespace TrustRegion.Trpo;

/// <summary>How the backtracking line search ended.</summary>
public enum LineSearchOutcome
{
    /// <summary>A step satisfied both conditions and was kept.</summary>
    Accepted,

    /// <summary>No step was kept; the smallest step tried exceeded the KL limit.</summary>
    KlExceeded,

    /// <summary>No step was kept; the smallest step tried kept the KL within the limit but did not improve the surrogate.</summary>
    NoImprovement,

    /// <summary>No step was kept; the smallest step tried both exceeded the KL limit and did not improve the surrogate.</summary>
    KlExceededAndNoImprovement,

    /// <summary>No step was tried: the surrogate's gradient is exactly zero (e.g. all advantages equal).</summary>
    ZeroGradient,
}

/// <summary>What one TRPO policy step did (all means are over the batch).</summary>
/// <param name="SurrogateBefore">Surrogate <c>L(θ_old) = mean(A)</c> (+ entropy bonus).</param>
/// <param name="SurrogateAfter">Surrogate at the final parameters (equal to before when rejected).</param>
/// <param name="ExpectedImprovement">Linear prediction <c>gᵀΔθ</c> for the step kept, or for the full step when none was.</param>
/// <param name="ActualImprovement">SurrogateAfter − SurrogateBefore (0 when rejected).</param>
/// <param name="Kl">Mean KL(old ‖ new) of the step kept, or of the last step tried.</param>
/// <param name="LineSearchSteps">Step sizes evaluated.</param>
/// <param name="StepFraction">Fraction of the maximal step kept (0 when rejected).</param>
/// <param name="Outcome">Whether a step was kept, and otherwise which condition failed.</param>
/// <param name="CgIterations">Conjugate-gradient iterations run.</param>
/// <param name="CgResidual">Final CG residual norm.</param>
/// <param name="GradientNorm">‖g‖, the surrogate gradient's Euclidean norm.</param>
/// <param name="Entropy">Mean policy entropy at θ_old.</param>
/// <param name="MeanStd">Mean standard deviation after the step (Gaussian heads; NaN otherwise).</param>
public readonly record struct TrpoDiagnostics(
    double SurrogateBefore,
    double SurrogateAfter,
    double ExpectedImprovement,
    double ActualImprovement,
    double Kl,
    int LineSearchSteps,
    double StepFraction,
    LineSearchOutcome Outcome,
    int CgIterations,
    double CgResidual,
    double GradientNorm,
    double Entropy,
    double MeanStd);
