namespace TrustRegion.Trpo;

/// <summary>A quantity of the update (loss, KL, gradient) became NaN or infinite; training cannot continue meaningfully.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for <paramref name="quantity"/> with its offending <paramref name="value"/>.</summary>
    public TrainingDivergedException(string quantity, double value)
        : base($"Training diverged: {quantity} is {value}.")
    {
        Quantity = quantity;
        Value = value;
    }

    /// <summary>Creates the exception with a message.</summary>
    public TrainingDivergedException(string message)
        : base(message)
    {
        Quantity = "";
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public TrainingDivergedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Quantity = "";
    }

    /// <summary>Creates the exception with no detail.</summary>
    public TrainingDivergedException()
    {
        Quantity = "";
    }

    /// <summary>Name of the non-finite quantity, e.g. <c>surrogate</c>, <c>gradient norm</c>, <c>KL</c>.</summary>
    public string Quantity { get; }

    /// <summary>The non-finite value.</summary>
    public double Value { get; }
}
