using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>
/// A lookup table from token ids to vectors (PyTorch <c>nn.Embedding</c>); the padding row gets no gradient.
/// </summary>
/// <remarks>Memory: the table (V·E), plus one output of N·E and the N ids of the last forward pass.</remarks>
public sealed class Embedding : ILayer
{
    private readonly IBackend _backend;
    private int[] _ids = [];
    private int _count;
    private readonly TensorBuffer _output;

    /// <summary>Creates an embedding initialised from N(0, 1) like PyTorch, with the padding row zeroed.</summary>
    /// <param name="vocabularySize">Number of rows (V).</param>
    /// <param name="dimension">Length of each vector (E).</param>
    /// <param name="random">Source of the initial values.</param>
    /// <param name="paddingIndex">Id whose row stays zero and receives no gradient, or null.</param>
    /// <param name="backend">Backend for the math (default: <see cref="CpuBackend.Default"/>).</param>
    public Embedding(int vocabularySize, int dimension, RandomSource random, int? paddingIndex = null, IBackend? backend = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabularySize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (paddingIndex is { } p && (uint)p >= (uint)vocabularySize)
            throw new ArgumentOutOfRangeException(nameof(paddingIndex), $"Padding index {p} is not an id in [0, {vocabularySize}).");
        _backend = backend ?? CpuBackend.Default;
        _output = new(_backend);
        Dimension = dimension;
        PaddingIndex = paddingIndex;
        var table = Tensor.Zeros(_backend, vocabularySize, dimension);
        random.FillNormal(table, 0f, 1f);
        if (paddingIndex is { } pad) table.Storage.Clear(pad * dimension, dimension);
        Weight = new Parameter("weight", table);
        Parameters = [Weight];
    }

    private Embedding(Embedding source)
    {
        _backend = source._backend;
        _output = new(_backend);
        Dimension = source.Dimension;
        PaddingIndex = source.PaddingIndex;
        Weight = source.Weight;
        Parameters = source.Parameters;
    }

    /// <summary>The table, [V, E].</summary>
    public Parameter Weight { get; }

    /// <summary>The vector length E.</summary>
    public int Dimension { get; }

    /// <summary>The number of rows V.</summary>
    public int VocabularySize => Weight.Value.Shape[0];

    /// <summary>The id whose row gets no gradient, if any.</summary>
    public int? PaddingIndex { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Looks up every id; returns [ids.Length, E], a buffer reused by the next call.</summary>
    public Tensor Forward(ReadOnlySpan<int> ids) => Forward(ids, ids.Length, 1, matrix: true);

    /// <summary>
    /// Looks up a time-major batch of ids (id of step t, row b at t·batch + b); returns [steps, batch, E],
    /// ready for <see cref="Lstm.Forward"/>, a buffer reused by the next call.
    /// </summary>
    public Tensor Forward(ReadOnlySpan<int> ids, int steps, int batch)
    {
        if (ids.Length != steps * batch)
            throw new ArgumentException($"{ids.Length} ids do not fill {steps} steps of batch {batch}.", nameof(ids));
        return Forward(ids, steps, batch, matrix: false);
    }

    private Tensor Forward(ReadOnlySpan<int> ids, int steps, int batch, bool matrix)
    {
        if (_ids.Length < ids.Length) _ids = new int[ids.Length];
        ids.CopyTo(_ids);
        _count = ids.Length;
        var output = matrix ? _output.ReuseUninitialized(ids.Length, Dimension) : _output.ReuseUninitialized(steps, batch, Dimension);
        _backend.Gather(Weight.Value, Dimension, ids, output);
        return output;
    }

    /// <summary>Adds the gradient of the last forward pass's output, [N, E], into the table's gradient.</summary>
    public void Backward(Tensor outputGradient)
    {
        if (outputGradient.Length != _count * Dimension)
            throw new ArgumentException($"Expected a gradient of [{_count}, {Dimension}], got {outputGradient.Shape}.", nameof(outputGradient));
        _backend.ScatterAdd(outputGradient, Dimension, _ids.AsSpan(0, _count), Weight.Gradient, PaddingIndex ?? -1);
    }

    /// <summary>
    /// A layer with the same <see cref="Parameter"/> objects (not copies) and buffers of its own, so inference can run
    /// on another thread at the same time. The weights must then be treated as read-only.
    /// </summary>
    public Embedding WithOwnBuffers() => new(this);
}
