namespace LstmText.Training;

/// <summary>
/// The options in which a resumed run differs from the checkpoint it continues, collected one by one and refused
/// together, each named with both values.
/// </summary>
internal sealed class ResumeDifferences
{
    private readonly List<string> _differences = [];

    /// <summary>Notes <paramref name="what"/> when the checkpoint's value and the asked one differ.</summary>
    public ResumeDifferences Compare<T>(string what, T inCheckpoint, T asked)
    {
        if (!EqualityComparer<T>.Default.Equals(inCheckpoint, asked)) _differences.Add($"{what} {inCheckpoint} in the checkpoint, {asked} asked");
        return this;
    }

    /// <summary>Throws when any option differed.</summary>
    /// <exception cref="TrainingException">Some options differ; the message names each.</exception>
    public void RefuseAny(string checkpointPath)
    {
        if (_differences.Count == 0) return;
        throw new TrainingException($"checkpoint {checkpointPath} was trained with another architecture: {string.Join("; ", _differences)}; " +
            "resume with the same options, or start a new run without resuming");
    }
}
