namespace LstmText.Data;

/// <summary>
/// Token sequences of different lengths laid out time-major for the LSTM: the id of step t of row b sits at
/// t·<see cref="Batch"/> + b; steps past a row's length hold the padding id and are masked by <see cref="Lengths"/>.
/// </summary>
public sealed class PaddedBatch
{
    private PaddedBatch(int[] ids, int[] lengths, int steps)
    {
        Ids = ids;
        Lengths = lengths;
        Steps = steps;
    }

    /// <summary>The ids, time-major, <see cref="Steps"/>·<see cref="Batch"/> of them.</summary>
    public int[] Ids { get; }

    /// <summary>The valid steps of each row.</summary>
    public int[] Lengths { get; }

    /// <summary>The longest row's length T.</summary>
    public int Steps { get; }

    /// <summary>The number of rows B.</summary>
    public int Batch => Lengths.Length;

    /// <summary>Pads <paramref name="sequences"/> (each at least one id) to the longest with <paramref name="paddingId"/>.</summary>
    /// <exception cref="ArgumentException">There are no sequences, or one is empty (the message gives its index).</exception>
    public static PaddedBatch FromSequences(IReadOnlyList<int[]> sequences, int paddingId)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0) throw new ArgumentException("A batch needs at least one sequence.", nameof(sequences));
        int batch = sequences.Count, steps = 0;
        var lengths = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            lengths[b] = sequences[b].Length;
            if (lengths[b] == 0) throw new ArgumentException($"Sequence {b} is empty; every row needs at least one token.", nameof(sequences));
            steps = Math.Max(steps, lengths[b]);
        }
        var ids = new int[steps * batch];
        Array.Fill(ids, paddingId);
        for (int b = 0; b < batch; b++)
        {
            var sequence = sequences[b];
            for (int t = 0; t < sequence.Length; t++) ids[t * batch + b] = sequence[t];
        }
        return new PaddedBatch(ids, lengths, steps);
    }
}
