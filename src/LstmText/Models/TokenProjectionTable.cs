using LstmText.Compute.Cpu;
using LstmText.Layers;
using LstmText.Tensors;

namespace LstmText.Models;

/// <summary>
/// The first LSTM layer's input projection of every token id, computed once: row v of direction d holds
/// embedding[v]·W_ihᵀ + b_ih + b_hh. An inference pass then gathers one row per token instead of looking up the
/// embedding and running the input GEMM; later layers read the layer below and are unchanged.
/// </summary>
/// <remarks>
/// <para>The table is the classifier's inference cache and lives with it: the LSTM layer only takes a token projection
/// (<see cref="Lstm.ForwardFromTokenProjection"/>) and knows nothing of versions or staleness.</para>
/// <para>Memory: D·V·4H floats (a vocabulary of 20 000, H = 128, bidirectional: 82 MB). Immutable once built, so any number
/// of threads read it. It describes the weights of <see cref="SourceVersion"/>; once that differs from
/// <see cref="CurrentSourceVersion"/>, the table is stale and must not be used.</para>
/// </remarks>
internal sealed class TokenProjectionTable
{
    private readonly Tensor? _values;

    private TokenProjectionTable(Tensor? values, IReadOnlyList<Int8Rows>? quantized, long sourceVersion)
    {
        _values = values;
        QuantizedValues = quantized;
        SourceVersion = sourceVersion;
    }

    /// <summary>Rows per direction: the vocabulary size V.</summary>
    public int VocabularySize => _values?.Shape[1] ?? QuantizedValues![0].Rows;

    /// <summary>Values per row: 4H, the gate pre-activations of one token.</summary>
    public int RowLength => _values?.Shape[2] ?? QuantizedValues![0].Length;

    /// <summary>1, or 2 for a bidirectional LSTM.</summary>
    public int Directions => _values?.Shape[0] ?? QuantizedValues!.Count;

    /// <summary>The <see cref="CurrentSourceVersion"/> of the weights the table was computed from.</summary>
    public long SourceVersion { get; }

    /// <summary>The table's size: D·V·4H floats, or for an int8 LSTM D·V·(4H + 4) bytes (int8 rows with their scales).</summary>
    public static long SizeInBytes(Embedding embedding, Lstm lstm) => lstm.UsesInt8Weights
        ? lstm.Directions * Int8Rows.SizeInBytes(embedding.VocabularySize, 4 * lstm.HiddenSize)
        : (long)embedding.VocabularySize * 4 * lstm.HiddenSize * lstm.Directions * sizeof(float);

    /// <summary>
    /// A number that changes whenever the embedding or a first-layer input weight or bias changes: the sum of their
    /// <see cref="Parameter.Version"/>s, which only ever grow.
    /// </summary>
    public static long CurrentSourceVersion(Embedding embedding, Lstm lstm) => embedding.Weight.Version + lstm.FirstLayerInputVersion;

    /// <summary>
    /// Computes the table from the current weights: one GEMM over the whole embedding per direction. For an int8 LSTM
    /// the product is the int8 one a forward pass runs, and every row is then kept as int8 with its own scale
    /// (<see cref="QuantizedValues"/>): a quarter of the bytes for the steps to fetch, within max|row|/254 of the float row.
    /// </summary>
    /// <exception cref="ArgumentException">The embedding's size is not the LSTM's input size.</exception>
    public static TokenProjectionTable Build(Embedding embedding, Lstm lstm)
    {
        if (embedding.Dimension != lstm.InputSize)
            throw new ArgumentException($"The embedding gives {embedding.Dimension} features; the LSTM reads {lstm.InputSize}.", nameof(embedding));
        // The version is read first: a change while the table is computed leaves it stale rather than passing as current.
        long version = CurrentSourceVersion(embedding, lstm);
        var values = Tensor.Zeros(embedding.Weight.Value.Storage.Allocator, lstm.Directions, embedding.VocabularySize, 4 * lstm.HiddenSize);
        lstm.ProjectFirstLayerInput(embedding.Weight.Value, embedding.VocabularySize, values);
        if (!lstm.UsesInt8Weights) return new TokenProjectionTable(values, null, version);
        int length = 4 * lstm.HiddenSize, rows = embedding.VocabularySize;
        var quantized = new Int8Rows[lstm.Directions];
        for (int d = 0; d < quantized.Length; d++)
            quantized[d] = Int8Rows.Quantize(values.All.Span.Slice(d * rows * length, rows * length), rows, length);
        return new TokenProjectionTable(null, quantized, version);
    }

    /// <summary>
    /// The float rows of every direction, [D, V, 4H]: what <see cref="Lstm.ForwardFromTokenProjection"/> gathers from;
    /// null for an int8 LSTM's table (<see cref="QuantizedValues"/>).
    /// </summary>
    public Tensor? Values => _values;

    /// <summary>
    /// For an int8 LSTM, the rows of every direction as int8 (one <see cref="Int8Rows"/> of V rows of 4H per direction):
    /// what <see cref="Lstm.ForwardFromQuantizedTokenProjection"/> adds; otherwise null.
    /// </summary>
    internal IReadOnlyList<Int8Rows>? QuantizedValues { get; }
}
