namespace LstmText.Training;

/// <summary>The training loss became NaN or infinite; training stopped and the last good checkpoint was kept.</summary>
public sealed class TrainingDivergedException : TrainingException
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(string message, int step, string? lastGoodCheckpoint) : base(message)
    {
        Step = step;
        LastGoodCheckpoint = lastGoodCheckpoint;
    }

    /// <summary>The step whose loss was not finite (1-based).</summary>
    public int Step { get; }

    /// <summary>The last checkpoint written before the failure, or null when none was.</summary>
    public string? LastGoodCheckpoint { get; }
}
