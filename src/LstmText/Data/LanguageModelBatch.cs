using LstmText.Layers;

namespace LstmText.Data;

/// <summary>
/// A language model's training batch: <see cref="Rows"/> streams of <see cref="Steps"/> ids laid out time-major
/// (step t of row b at t·Rows + b), the next id of each as its target, and the LSTM state to start from (null: zeros).
/// Its buffers are sized once for the largest batch and reused.
/// </summary>
internal sealed class LanguageModelBatch(int rows, int maxSteps) : IClassTargets
{
    private readonly int[] _inputs = new int[rows * maxSteps];
    private readonly int[] _targets = new int[rows * maxSteps];

    /// <summary>The streams (batch size B).</summary>
    public int Rows { get; } = rows;

    /// <summary>The time steps of this batch (at most the window).</summary>
    public int Steps { get; set; }

    /// <summary>The state the LSTM starts from, or null for zeros.</summary>
    public LstmState? State { get; set; }

    /// <summary>The input ids, time-major: writable for the batch source.</summary>
    public Span<int> InputBuffer => _inputs.AsSpan(0, Steps * Rows);

    /// <summary>The target ids, time-major: writable for the batch source.</summary>
    public Span<int> TargetBuffer => _targets.AsSpan(0, Steps * Rows);

    /// <summary>The input ids, time-major.</summary>
    public ReadOnlySpan<int> Ids => InputBuffer;

    /// <inheritdoc/>
    public ReadOnlySpan<int> Targets => TargetBuffer;
}
