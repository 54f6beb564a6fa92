namespace LstmText.Data;

/// <summary>
/// A classifier's training batch: <see cref="Rows"/> texts padded to the longest (<see cref="Steps"/>) and laid out
/// time-major as <see cref="PaddedBatch"/> lays them out, each row's length and its class. Its buffers are sized once for
/// the largest batch and reused, so filling one allocates nothing.
/// </summary>
internal sealed class ClassifierBatch(int maxRows, int maxSteps) : IClassTargets
{
    private readonly int[] _ids = new int[maxRows * maxSteps];
    private readonly int[][] _lengths = CreateLengths(maxRows);
    private readonly int[] _labels = new int[maxRows];

    /// <summary>The texts in this batch.</summary>
    public int Rows { get; private set; }

    /// <summary>The longest text's length T.</summary>
    public int Steps { get; private set; }

    /// <summary>The ids, time-major (step t of row b at t·Rows + b), padding past each row's length.</summary>
    public ReadOnlySpan<int> Ids => _ids.AsSpan(0, Rows * Steps);

    /// <summary>The valid steps of each row (an array of exactly <see cref="Rows"/> items, reused).</summary>
    public int[] Lengths => _lengths[Rows];

    /// <inheritdoc/>
    public ReadOnlySpan<int> Targets => _labels.AsSpan(0, Rows);

    /// <summary>
    /// Lays out the examples <paramref name="rows"/> (indices into <paramref name="sequences"/> and
    /// <paramref name="labels"/>, each sequence at least one id), padded to the longest with <paramref name="paddingId"/>.
    /// Returns the writable ids for the caller to change (unknown-token dropout).
    /// </summary>
    public Span<int> Fill(ReadOnlySpan<int> rows, int[][] sequences, int[] labels, int paddingId)
    {
        int count = rows.Length, steps = 0;
        foreach (int row in rows) steps = Math.Max(steps, sequences[row].Length);
        if (count < 1 || count >= _lengths.Length || count * steps > _ids.Length)
            throw new ArgumentOutOfRangeException(nameof(rows), $"{count} rows of {steps} steps do not fit a batch of this size.");
        (Rows, Steps) = (count, steps);
        var ids = _ids.AsSpan(0, count * steps);
        ids.Fill(paddingId);
        var lengths = _lengths[count];
        for (int b = 0; b < count; b++)
        {
            var sequence = sequences[rows[b]];
            lengths[b] = sequence.Length;
            _labels[b] = labels[rows[b]];
            for (int t = 0; t < sequence.Length; t++) ids[t * count + b] = sequence[t];
        }
        return ids;
    }

    private static int[][] CreateLengths(int maxRows)
    {
        var lengths = new int[maxRows + 1][];
        for (int rows = 0; rows <= maxRows; rows++) lengths[rows] = new int[rows];
        return lengths;
    }
}
