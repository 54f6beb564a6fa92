using LstmText.Compute;
using LstmText.Compute.Cpu;
using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>
/// A multi-layer, optionally bidirectional LSTM with PyTorch's exact semantics (<c>nn.LSTM</c>, time-major input):
/// gate order i, f, g, o, two biases, dropout between layers, and PyTorch's parameter names.
/// </summary>
/// <remarks>
/// <para>Input is time-major, [T, B, I]; output is [T, B, D·H] with the forward direction's H values first.</para>
/// <para>Forward: one GEMM projects every time step's input at once, then each step costs one recurrent GEMM and
/// one fused gate kernel (at a classifier's inference the first layer may instead gather every token's projection from
/// a precomputed table). Backward keeps every step's gate gradients and forms the weight gradients in three large
/// GEMMs at the end.</para>
/// <para>Memory per layer and direction: gates T·B·4H, states 2·(T+1)·B·H, gate gradients T·B·4H, and for batches
/// up to 32 a packed copy of W_hh (4H·H); per layer an output T·B·D·H (plus a dropout mask); all sized once per
/// (T, B) and reused.</para>
/// <para>Variable lengths: a row b is padding at steps t ≥ lengths[b]. It then carries its state unchanged and
/// outputs zeros, so results at valid steps, final states and gradients equal those of the unpadded sequence
/// (PyTorch's packed sequences). The reverse direction starts at each row's last valid step.</para>
/// </remarks>
public sealed class Lstm : IQuantizableLayer
{
    /// <summary>
    /// Up to this batch, the forward pass packs W_hh once into the backend's layout for few-row products (then every
    /// step's h·W_hhᵀ reads it without packing); larger batches amortise the general GEMM's own packing.
    /// </summary>
    private const int PackedWeightMaximumBatch = 32;

    /// <summary>Packing W_hh costs about as much as a dozen single-row steps, so shorter sequences use W_hh as it is.</summary>
    private const int PackedWeightMinimumSteps = 16;

    private readonly IBackend _backend;
    private readonly DirectionWeights[] _weights;
    private readonly Dropout[] _dropouts;
    private readonly List<TensorBuffer> _storage = [];
    private Buffers? _buffers;
    private int[] _lengths = [];
    private bool _hasLengths;
    private readonly Action<int> _forwardDirection;
    private ForwardPass _pass;
    private int[] _tokenIds = [];
    private bool _lastForwardFromTokenProjection;
    private Int8LayerWeights? _int8;
    private IReadOnlyList<Int8Rows>? _quantizedProjection;

    /// <summary>Creates an LSTM initialised like PyTorch: every weight and bias from U(−1/√H, 1/√H).</summary>
    public Lstm(int inputSize, int hiddenSize, RandomSource random, int layers = 1, bool bidirectional = false,
        float dropout = 0f, IBackend? backend = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        _backend = backend ?? CpuBackend.Default;
        _forwardDirection = ForwardDirection;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        Layers = layers;
        Directions = bidirectional ? 2 : 1;
        DropoutProbability = dropout;
        _weights = new DirectionWeights[layers * Directions];
        var parameters = new List<Parameter>();
        for (int layer = 0; layer < layers; layer++)
        {
            int layerInput = layer == 0 ? inputSize : hiddenSize * Directions;
            for (int direction = 0; direction < Directions; direction++)
            {
                string suffix = $"_l{layer}" + (direction == 1 ? "_reverse" : "");
                var w = new DirectionWeights(
                    new Parameter("weight_ih" + suffix, Tensor.Zeros(_backend, 4 * hiddenSize, layerInput)),
                    new Parameter("weight_hh" + suffix, Tensor.Zeros(_backend, 4 * hiddenSize, hiddenSize)),
                    new Parameter("bias_ih" + suffix, Tensor.Zeros(_backend, 4 * hiddenSize)),
                    new Parameter("bias_hh" + suffix, Tensor.Zeros(_backend, 4 * hiddenSize)));
                foreach (var p in w.All)
                {
                    random.FillScaledUniform(p.Value, hiddenSize);
                    parameters.Add(p);
                }
                _weights[layer * Directions + direction] = w;
            }
        }
        _dropouts = new Dropout[Math.Max(0, layers - 1)];
        for (int i = 0; i < _dropouts.Length; i++) _dropouts[i] = new Dropout(dropout, _backend);
        Parameters = parameters;
    }

    private Lstm(Lstm source)
    {
        _backend = source._backend;
        _forwardDirection = ForwardDirection;
        InputSize = source.InputSize;
        HiddenSize = source.HiddenSize;
        Layers = source.Layers;
        Directions = source.Directions;
        DropoutProbability = source.DropoutProbability;
        _weights = source._weights;
        _int8 = source._int8;
        _dropouts = source._dropouts.Select(d => new Dropout(d.Probability, _backend)).ToArray();
        Parameters = source.Parameters;
    }

    /// <summary>Input features I of the first layer.</summary>
    public int InputSize { get; }

    /// <summary>Hidden size H of every layer and direction.</summary>
    public int HiddenSize { get; }

    /// <summary>The backend this LSTM computes on and keeps its tensors in (state copies go through it).</summary>
    internal IBackend Backend => _backend;

    /// <summary>Number of stacked layers L.</summary>
    public int Layers { get; }

    /// <summary>1, or 2 when bidirectional.</summary>
    public int Directions { get; }

    /// <summary>Features of each output step: D·H.</summary>
    public int OutputSize => Directions * HiddenSize;

    /// <summary>Dropout applied to the output of every layer but the last, while training.</summary>
    public float DropoutProbability { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>
    /// The sum of the <see cref="Parameter.Version"/>s of the first layer's input weights and both its biases, of every
    /// direction (what its input projection reads): it changes whenever one of them does, as versions only grow. Allocates
    /// nothing: a language model reads it at every generated token.
    /// </summary>
    internal long FirstLayerInputVersion
    {
        get
        {
            long version = 0;
            for (int direction = 0; direction < Directions; direction++)
            {
                var w = _weights[direction];
                version += w.InputWeight.Version + w.InputBias.Version + w.HiddenBias.Version;
            }
            return version;
        }
    }

    /// <summary>
    /// For inference: multiplies by int8 copies of W_ih and W_hh of every layer and direction from now on, as PyTorch's dynamic quantization does
    /// (each weight row int8 with its own scale; each input row quantized to uint8 at every call or step, products in
    /// int32 on AVX-VNNI where the CPU has it); biases stay float and the float weights are kept unchanged. Copies made
    /// by <see cref="WithOwnBuffers"/> afterwards share the int8 weights. Backward then throws.
    /// </summary>
    public void QuantizeWeights() => _int8 = Int8LayerWeights.Quantize(Parameters.Select(p => p.Value));

    /// <summary>Whether the forward pass multiplies by int8 weights (<see cref="QuantizeWeights"/>).</summary>
    internal bool UsesInt8Weights => _int8 is not null;

    /// <inheritdoc/>
    Int8LayerWeights? IQuantizableLayer.Int8Weights { get => _int8; set => _int8 = value; }

    /// <summary>(h, c) after the last valid step of every row, from the last <see cref="Forward"/>; reused by the next call.</summary>
    public LstmState FinalState => _buffers?.FinalState ?? throw new InvalidOperationException("Forward has not run.");

    /// <summary>Gradient of the initial (h, c), from the last <see cref="Backward"/>; reused by the next call.</summary>
    public LstmState InitialStateGradient => _buffers?.InitialStateGradient ?? throw new InvalidOperationException("Backward has not run.");

    /// <summary>
    /// Runs the LSTM over a time-major batch [T, B, I] and returns [T, B, D·H] (a buffer reused by the next call).
    /// </summary>
    /// <param name="input">The input sequence, [T, B, I].</param>
    /// <param name="initialState">(h₀, c₀) as [L·D, B, H], or null for zeros.</param>
    /// <param name="lengths">Valid steps of each row (each in [0, T]), or empty when all rows are full length.</param>
    /// <param name="random">Source for inter-layer dropout while training; null for evaluation (no dropout).</param>
    public Tensor Forward(Tensor input, LstmState? initialState = null, ReadOnlyMemory<int> lengths = default, RandomSource? random = null)
    {
        if (input.Shape.Rank != 3 || input.Shape[2] != InputSize)
            throw new ArgumentException($"LSTM input must be [T, B, {InputSize}], got {input.Shape}.", nameof(input));
        return RunLayers(input, null, input.Shape[0], input.Shape[1], initialState, lengths.Span, random);
    }

    /// <summary>
    /// Runs the LSTM for inference over time-major token ids (id of step t, row b at t·batch + b), with the first
    /// layer's input projection passed in instead of an embedded input: <paramref name="tokenProjection"/> [D, V, 4H]
    /// holds x_v·W_ihᵀ + b_ih + b_hh of every token v (see <see cref="ProjectFirstLayerInput"/>), and each step gathers
    /// its rows. Returns [T, B, D·H] as <see cref="Forward(Tensor, LstmState?, ReadOnlyMemory{int}, RandomSource?)"/>
    /// does (no dropout), from <paramref name="initialState"/> (null: zeros). A <see cref="Backward"/> cannot follow: the
    /// embedded input was never formed. Whoever keeps the projection (a classifier's cache, a language model's token rows)
    /// decides when it is current; the layer only reads it.
    /// </summary>
    internal Tensor ForwardFromTokenProjection(ReadOnlySpan<int> ids, int steps, int batch, Tensor tokenProjection, ReadOnlySpan<int> lengths,
        LstmState? initialState = null)
    {
        if (ids.Length != steps * batch)
            throw new ArgumentException($"{ids.Length} ids do not fill {steps} steps of batch {batch}.", nameof(ids));
        if (tokenProjection.Shape.Rank != 3 || tokenProjection.Shape[0] != Directions || tokenProjection.Shape[2] != 4 * HiddenSize)
            throw new ArgumentException($"A token projection of shape {tokenProjection.Shape} does not fit this LSTM: it needs [{Directions}, V, {4 * HiddenSize}].", nameof(tokenProjection));
        if (_tokenIds.Length < ids.Length) _tokenIds = new int[ids.Length];
        ids.CopyTo(_tokenIds);
        return RunLayers(null, tokenProjection, steps, batch, initialState, lengths, null);
    }

    /// <summary>
    /// <see cref="ForwardFromTokenProjection"/> for an int8 LSTM whose token projection is kept as int8 rows, one table of
    /// V rows of 4H values per direction (see <see cref="ProjectFirstLayerInput"/>): each step's int8 recurrent product
    /// adds its tokens' rows in its epilogue, so nothing is gathered first.
    /// </summary>
    internal Tensor ForwardFromQuantizedTokenProjection(ReadOnlySpan<int> ids, int steps, int batch, IReadOnlyList<Int8Rows> tokenProjection,
        ReadOnlySpan<int> lengths)
    {
        if (_int8 is null) throw new InvalidOperationException("An int8 token projection needs int8 weights (QuantizeWeights).");
        if (ids.Length != steps * batch)
            throw new ArgumentException($"{ids.Length} ids do not fill {steps} steps of batch {batch}.", nameof(ids));
        if (tokenProjection.Count != Directions || tokenProjection.Any(t => t.Length != 4 * HiddenSize))
            throw new ArgumentException($"An int8 token projection must hold {Directions} table(s) of rows of {4 * HiddenSize} values.", nameof(tokenProjection));
        foreach (int id in ids)
            if ((uint)id >= (uint)tokenProjection[0].Rows)
                throw new ArgumentException($"Token id {id} is outside the token projection's {tokenProjection[0].Rows} rows.", nameof(ids));
        if (_tokenIds.Length < ids.Length) _tokenIds = new int[ids.Length];
        ids.CopyTo(_tokenIds);
        _quantizedProjection = tokenProjection;
        try
        {
            return RunLayers(null, null, steps, batch, null, lengths, null);
        }
        finally
        {
            _quantizedProjection = null;
        }
    }

    private Tensor RunLayers(Tensor? input, Tensor? tokenProjection, int steps, int batch, LstmState? initialState,
        ReadOnlySpan<int> lengths, RandomSource? random)
    {
        var buffers = EnsureBuffers(steps, batch);
        SetLengths(lengths, steps, batch);
        if (initialState is not null) RequireStateShape(initialState, batch, nameof(initialState));

        _lastForwardFromTokenProjection = tokenProjection is not null || _quantizedProjection is not null;
        Tensor? layerInput = input;
        if (input is not null) buffers.Inputs[0] = input;
        for (int layer = 0; layer < Layers; layer++)
        {
            // The directions of a layer are independent until the next layer reads both: they run concurrently.
            _pass = new ForwardPass(buffers, layer, layerInput, layer == 0 ? tokenProjection : null, initialState, steps, batch);
            try
            {
                _backend.RunConcurrently(Directions, _forwardDirection);
            }
            finally
            {
                _pass = default;
            }
            if (layer < Layers - 1)
            {
                layerInput = _dropouts[layer].Forward(buffers.Outputs[layer], random);
                buffers.Inputs[layer + 1] = layerInput;
            }
        }
        return buffers.Outputs[Layers - 1];
    }

    /// <summary>One direction of the layer in <see cref="_pass"/>: the input projection, then every step.</summary>
    private void ForwardDirection(int direction)
    {
        var (buffers, layer, layerInput, tokenProjection, initialState, steps, batch) = _pass;
        int hb = batch * HiddenSize;
        int layerInputSize = layer == 0 ? InputSize : OutputSize;
        var output = buffers.Outputs[layer];
        int index = layer * Directions + direction;
        var w = _weights[index];
        var gates = buffers.Gates[index];
        var hidden = buffers.HiddenStates[index];
        var cell = buffers.CellStates[index];
        bool reverse = direction == 1;

        // From a token projection, each step gathers its own rows just before its recurrent product (below), so they
        // are still in cache when it adds to them; from an int8 one, each step's product adds them in its epilogue;
        // otherwise one GEMM projects every step at once.
        TensorSlice projectionRows = default;
        var quantizedRows = layer == 0 ? _quantizedProjection?[direction] : null;
        if (tokenProjection is not null)
        {
            int rows = tokenProjection.Shape[1] * 4 * HiddenSize;
            projectionRows = tokenProjection.Slice(direction * rows, rows);
        }
        else if (quantizedRows is null)
        {
            if (_int8 is not null) ProjectInputInt8(index, w, layerInput!, steps * batch, layerInputSize, gates);
            else ProjectInput(w, layerInput!, steps * batch, layerInputSize, gates);
        }

        // Inference from a token projection (no backward can follow): the steps' states only need the previous and the
        // current slot, and layer 0's gates (gathered or added step by step) one step's worth, so a step reads and writes
        // the same few cache-resident kilobytes instead of fresh memory (T·B·4H gates per direction).
        bool rolling = _lastForwardFromTokenProjection;
        bool rollingGates = rolling && layer == 0;
        int initialSlot = SlotOf(reverse ? steps : 0, rolling);
        if (initialState is null)
        {
            _backend.Fill(hidden.Slice(initialSlot * hb, hb), 0f);
            _backend.Fill(cell.Slice(initialSlot * hb, hb), 0f);
        }
        else
        {
            _backend.Copy(initialState.Hidden.Slice(index * hb, hb), hidden.Slice(initialSlot * hb, hb));
            _backend.Copy(initialState.Cell.Slice(index * hb, hb), cell.Slice(initialSlot * hb, hb));
        }

        var packedWeight = buffers.PackedHiddenWeights is { } packed && steps >= PackedWeightMinimumSteps && _int8 is null ? packed[index] : null;
        if (packedWeight is not null) _backend.PackWeight(w.HiddenWeight.Value, 4 * HiddenSize, HiddenSize, packedWeight);
        for (int s = 0; s < steps; s++)
        {
            int t = reverse ? steps - 1 - s : s;
            var step = StepAt(t, reverse, batch, gates, hidden, cell, output, direction, rolling, rollingGates);
            if (tokenProjection is not null) _backend.Gather(projectionRows, 4 * HiddenSize, _tokenIds.AsSpan(t * batch, batch), step.Gates);
            if (quantizedRows is not null)
                _int8!.MultiplyAddingRows(2 * index + 1, step.PreviousHidden, batch, HiddenSize, quantizedRows, _tokenIds.AsSpan(t * batch, batch), step.Gates, 4 * HiddenSize);
            else if (_int8 is not null)
                _int8.Multiply(2 * index + 1, step.PreviousHidden, batch, HiddenSize, 1f, step.Gates, 4 * HiddenSize);
            else if (packedWeight is not null)
                _backend.GemmPackedWeight(batch, 4 * HiddenSize, HiddenSize, step.PreviousHidden, HiddenSize, packedWeight, 1f, step.Gates, 4 * HiddenSize);
            else
                _backend.Gemm(Transpose.No, Transpose.Yes, batch, 4 * HiddenSize, HiddenSize, 1f,
                    step.PreviousHidden, HiddenSize, w.HiddenWeight.Value, HiddenSize, 1f, step.Gates, 4 * HiddenSize);
            _backend.LstmCellForward(step);
        }

        int finalSlot = SlotOf(reverse ? 0 : steps, rolling);
        _backend.Copy(hidden.Slice(finalSlot * hb, hb), buffers.FinalState.Hidden.Slice(index * hb, hb));
        _backend.Copy(cell.Slice(finalSlot * hb, hb), buffers.FinalState.Cell.Slice(index * hb, hb));
    }

    /// <summary>
    /// Writes the first layer's input projection of <paramref name="rows"/> inputs ([rows, I]) for every direction
    /// into <paramref name="destination"/> ([D, rows, 4H]): x·W_ihᵀ + b_ih + b_hh, as a forward pass computes it (with
    /// the int8 W_ih after <see cref="QuantizeWeights"/>, every input row quantized on its own as a forward pass does).
    /// </summary>
    internal void ProjectFirstLayerInput(Tensor input, int rows, TensorSlice destination)
    {
        int g4 = 4 * HiddenSize;
        if (input.Length != rows * InputSize || destination.Length != Directions * rows * g4)
            throw new ArgumentException($"Expected [{rows}, {InputSize}] inputs and a [{Directions}, {rows}, {g4}] destination, got {input.Shape} and {destination.Length} values.");
        for (int direction = 0; direction < Directions; direction++)
        {
            var slice = destination.Slice(direction * rows * g4, rows * g4);
            if (_int8 is not null) ProjectInputInt8(direction, _weights[direction], input, rows, InputSize, slice);
            else ProjectInput(_weights[direction], input, rows, InputSize, slice);
        }
    }

    /// <summary>gates = input·W_ihᵀ + b_ih + b_hh for <paramref name="rows"/> rows of one layer and direction.</summary>
    private void ProjectInput(DirectionWeights w, TensorSlice input, int rows, int inputSize, TensorSlice gates)
    {
        int g4 = 4 * HiddenSize;
        _backend.Gemm(Transpose.No, Transpose.Yes, rows, g4, inputSize, 1f, input, inputSize, w.InputWeight.Value, inputSize, 0f, gates, g4);
        _backend.AddToEachRow(gates, rows, g4, w.InputBias.Value);
        _backend.AddToEachRow(gates, rows, g4, w.HiddenBias.Value);
    }

    /// <summary>gates = int8(input·W_ihᵀ) + b_ih + b_hh: <see cref="ProjectInput"/> with the int8 weights.</summary>
    private void ProjectInputInt8(int index, DirectionWeights w, TensorSlice input, int rows, int inputSize, TensorSlice gates)
    {
        int g4 = 4 * HiddenSize;
        _int8!.Multiply(2 * index, input, rows, inputSize, 0f, gates, g4);
        _backend.AddToEachRow(gates, rows, g4, w.InputBias.Value);
        _backend.AddToEachRow(gates, rows, g4, w.HiddenBias.Value);
    }

    /// <summary>
    /// Back-propagates the gradient of the last <see cref="Forward"/>'s output ([T, B, D·H], or any shape with as many
    /// elements, such as a decoder's [T·B, D·H]) and, optionally, of its
    /// final state. Accumulates every parameter's gradient and returns the input gradient [T, B, I] (a reused buffer);
    /// <see cref="InitialStateGradient"/> then holds the gradient of (h₀, c₀).
    /// </summary>
    public Tensor Backward(Tensor outputGradient, LstmState? finalStateGradient = null)
    {
        var buffers = _buffers ?? throw new InvalidOperationException("Backward was called before Forward.");
        if (_int8 is not null)
            throw new InvalidOperationException("Backward cannot follow an int8 forward pass (inference only).");
        if (_lastForwardFromTokenProjection)
            throw new InvalidOperationException("Backward cannot follow a forward pass from a token projection (inference only).");
        int steps = buffers.Steps, batch = buffers.Batch;
        if (outputGradient.Length != steps * batch * OutputSize)
            throw new ArgumentException($"Expected an output gradient of [{steps}, {batch}, {OutputSize}], got {outputGradient.Shape}.", nameof(outputGradient));
        if (finalStateGradient is not null) RequireStateShape(finalStateGradient, batch, nameof(finalStateGradient));

        int hb = batch * HiddenSize;
        int g4 = 4 * HiddenSize;
        Tensor layerOutputGradient = outputGradient;
        for (int layer = Layers - 1; layer >= 0; layer--)
        {
            int layerInputSize = layer == 0 ? InputSize : OutputSize;
            var layerInput = buffers.Inputs[layer];
            var inputGradient = buffers.InputGradients[layer];
            for (int direction = 0; direction < Directions; direction++)
            {
                int index = layer * Directions + direction;
                var w = _weights[index];
                bool reverse = direction == 1;
                var gates = buffers.Gates[index];
                var gateGradients = buffers.GateGradients;
                var hidden = buffers.HiddenStates[index];
                var cell = buffers.CellStates[index];
                var hiddenGradient = buffers.HiddenGradient;
                var previousHiddenGradient = buffers.PreviousHiddenGradient;
                var cellGradient = buffers.CellGradient;
                if (finalStateGradient is null)
                {
                    _backend.Fill(hiddenGradient, 0f);
                    _backend.Fill(cellGradient, 0f);
                }
                else
                {
                    _backend.Copy(finalStateGradient.Hidden.Slice(index * hb, hb), hiddenGradient);
                    _backend.Copy(finalStateGradient.Cell.Slice(index * hb, hb), cellGradient);
                }

                for (int s = steps - 1; s >= 0; s--)
                {
                    int t = reverse ? steps - 1 - s : s;
                    var step = StepAt(t, reverse, batch, gates, hidden, cell, buffers.Outputs[layer], direction) with
                    {
                        OutputGradient = layerOutputGradient.Slice(t * batch * OutputSize + direction * HiddenSize,
                            (batch - 1) * OutputSize + HiddenSize),
                        HiddenGradient = hiddenGradient,
                        CellGradient = cellGradient,
                        GateGradients = gateGradients.Slice(t * batch * g4, batch * g4),
                        PreviousHiddenGradient = previousHiddenGradient,
                    };
                    _backend.LstmCellBackward(step);
                    _backend.Gemm(Transpose.No, Transpose.No, batch, HiddenSize, g4, 1f,
                        step.GateGradients, g4, w.HiddenWeight.Value, HiddenSize, 1f, previousHiddenGradient, HiddenSize);
                    (hiddenGradient, previousHiddenGradient) = (previousHiddenGradient, hiddenGradient);
                }
                _backend.Copy(hiddenGradient, buffers.InitialStateGradient.Hidden.Slice(index * hb, hb));
                _backend.Copy(cellGradient, buffers.InitialStateGradient.Cell.Slice(index * hb, hb));

                // Weight gradients for all steps at once: dW_ih += dGᵀ·X, dW_hh += dGᵀ·H₋₁, db += Σ dG.
                int rows = steps * batch;
                _backend.Gemm(Transpose.Yes, Transpose.No, g4, layerInputSize, rows, 1f,
                    gateGradients, g4, layerInput, layerInputSize, 1f, w.InputWeight.Gradient, layerInputSize);
                var previousHidden = hidden.Slice(reverse ? hb : 0, rows * HiddenSize);
                _backend.Gemm(Transpose.Yes, Transpose.No, g4, HiddenSize, rows, 1f,
                    gateGradients, g4, previousHidden, HiddenSize, 1f, w.HiddenWeight.Gradient, HiddenSize);
                // Both biases receive the same gradient, Σ dG over all steps: sum once, add twice.
                var biasGradient = buffers.BiasGradient;
                _backend.Fill(biasGradient, 0f);
                _backend.AddColumnSums(gateGradients, rows, g4, biasGradient);
                _backend.Add(w.InputBias.Gradient, biasGradient, w.InputBias.Gradient);
                _backend.Add(w.HiddenBias.Gradient, biasGradient, w.HiddenBias.Gradient);
                _backend.Gemm(Transpose.No, Transpose.No, rows, layerInputSize, g4, 1f,
                    gateGradients, g4, w.InputWeight.Value, layerInputSize, direction == 0 ? 0f : 1f, inputGradient, layerInputSize);
            }
            layerOutputGradient = layer > 0 ? _dropouts[layer - 1].Backward(inputGradient) : inputGradient;
        }
        return layerOutputGradient;
    }

    /// <summary>
    /// An LSTM with the same <see cref="Parameter"/> objects (not copies) and buffers of its own, so inference can run
    /// on another thread at the same time. The weights must then be treated as read-only.
    /// </summary>
    public Lstm WithOwnBuffers() => new(this);

    /// <summary>The state slot of step boundary <paramref name="slot"/>: itself, or with rolling states one of two.</summary>
    private static int SlotOf(int slot, bool rolling) => rolling ? slot & 1 : slot;

    private LstmStep StepAt(int t, bool reverse, int batch, Tensor gates, Tensor hidden, Tensor cell, Tensor output, int direction,
        bool rollingStates = false, bool rollingGates = false)
    {
        int hb = batch * HiddenSize;
        int previousSlot = SlotOf(reverse ? t + 1 : t, rollingStates);
        int nextSlot = SlotOf(reverse ? t : t + 1, rollingStates);
        return new LstmStep
        {
            Batch = batch,
            HiddenSize = HiddenSize,
            Time = t,
            Lengths = _hasLengths ? _lengths.AsMemory(0, batch) : ReadOnlyMemory<int>.Empty,
            Gates = gates.Slice(rollingGates ? 0 : t * batch * 4 * HiddenSize, batch * 4 * HiddenSize),
            PreviousCell = cell.Slice(previousSlot * hb, hb),
            Cell = cell.Slice(nextSlot * hb, hb),
            PreviousHidden = hidden.Slice(previousSlot * hb, hb),
            Hidden = hidden.Slice(nextSlot * hb, hb),
            Output = output.Slice(t * batch * OutputSize + direction * HiddenSize, (batch - 1) * OutputSize + HiddenSize),
            OutputStride = OutputSize,
        };
    }

    private void SetLengths(ReadOnlySpan<int> lengths, int steps, int batch)
    {
        _hasLengths = !lengths.IsEmpty;
        if (!_hasLengths) return;
        if (lengths.Length != batch)
            throw new ArgumentException($"{lengths.Length} lengths for a batch of {batch}.", nameof(lengths));
        if (_lengths.Length < batch) _lengths = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            if ((uint)lengths[b] > (uint)steps)
                throw new ArgumentOutOfRangeException(nameof(lengths), $"Length {lengths[b]} of row {b} is not in [0, {steps}].");
            _lengths[b] = lengths[b];
        }
    }

    private void RequireStateShape(LstmState state, int batch, string name)
    {
        int n = Layers * Directions;
        if (!state.Hidden.HasShape(n, batch, HiddenSize) || !state.Cell.HasShape(n, batch, HiddenSize))
            throw new ArgumentException($"State tensors must be [{n}, {batch}, {HiddenSize}], got {state.Hidden.Shape} and {state.Cell.Shape}.", name);
    }

    private Buffers EnsureBuffers(int steps, int batch)
    {
        if (_buffers is { } b && b.Steps == steps && b.Batch == batch) return b;
        _buffers ??= new Buffers(this, _storage);
        _buffers.Reset(steps, batch);
        return _buffers;
    }

    /// <summary>The layer a <see cref="Forward"/> call is running, as its directions (run concurrently) read it.</summary>
    private readonly record struct ForwardPass(Buffers Buffers, int Layer, Tensor? LayerInput, Tensor? TokenProjection,
        LstmState? InitialState, int Steps, int Batch);

    private sealed record DirectionWeights(Parameter InputWeight, Parameter HiddenWeight, Parameter InputBias, Parameter HiddenBias)
    {
        public IEnumerable<Parameter> All => [InputWeight, HiddenWeight, InputBias, HiddenBias];
    }

    /// <summary>Every buffer of one (T, B) shape, allocated together so a steady-state step allocates nothing.</summary>
    private sealed class Buffers
    {
        private readonly Lstm _lstm;
        private readonly List<TensorBuffer> _storage;

        // storage is kept by the LSTM across shapes: tensor k lives in storage[k], so a new shape reuses the memory
        // (and, when the rank and capacity allow, the tensor objects) of the last one. Every buffer is fully written
        // before it is read, so none is cleared. The arrays are made once: their lengths depend on the layers only.
        public Buffers(Lstm lstm, List<TensorBuffer> storage)
        {
            _lstm = lstm;
            _storage = storage;
            int n = lstm.Layers * lstm.Directions;
            Gates = new Tensor[n];
            HiddenStates = new Tensor[n];
            CellStates = new Tensor[n];
            Outputs = new Tensor[lstm.Layers];
            InputGradients = new Tensor[lstm.Layers];
            Inputs = new Tensor[lstm.Layers];
            _packed = new Tensor[n];
        }

        private readonly Tensor[] _packed;

        /// <summary>Points every buffer at shape (T, B); allocates only when a buffer must grow or change rank.</summary>
        public void Reset(int steps, int batch)
        {
            var lstm = _lstm;
            var storage = _storage;
            int next = 0;
            Tensor Next(params ReadOnlySpan<int> dimensions)
            {
                if (next == storage.Count) storage.Add(new TensorBuffer(lstm._backend));
                return storage[next++].ReuseUninitialized(dimensions);
            }

            Steps = steps;
            Batch = batch;
            int h = lstm.HiddenSize, n = lstm.Layers * lstm.Directions;
            for (int i = 0; i < n; i++)
            {
                Gates[i] = Next(steps, batch, 4 * h);
                HiddenStates[i] = Next(steps + 1, batch, h);
                CellStates[i] = Next(steps + 1, batch, h);
            }
            for (int l = 0; l < lstm.Layers; l++)
            {
                Outputs[l] = Next(steps, batch, lstm.OutputSize);
                InputGradients[l] = Next(steps, batch, l == 0 ? lstm.InputSize : lstm.OutputSize);
            }
            GateGradients = Next(steps, batch, 4 * h);
            BiasGradient = Next(4 * h);
            HiddenGradient = Next(batch, h);
            PreviousHiddenGradient = Next(batch, h);
            CellGradient = Next(batch, h);
            FinalState = SameOrNew(FinalState, Next(n, batch, h), Next(n, batch, h));
            InitialStateGradient = SameOrNew(InitialStateGradient, Next(n, batch, h), Next(n, batch, h));
            if (batch <= PackedWeightMaximumBatch)
            {
                for (int i = 0; i < n; i++) _packed[i] = Next(lstm._backend.PackedWeightLength(4 * h, h));
                PackedHiddenWeights = _packed;
            }
            else
            {
                PackedHiddenWeights = null;
            }
        }

        private static LstmState SameOrNew(LstmState? state, Tensor hidden, Tensor cell) =>
            state is not null && ReferenceEquals(state.Hidden, hidden) && ReferenceEquals(state.Cell, cell) ? state : new LstmState(hidden, cell);

        public int Steps { get; private set; }
        public int Batch { get; private set; }
        public Tensor[] Gates { get; }
        public Tensor[] HiddenStates { get; }
        public Tensor[] CellStates { get; }
        public Tensor[] Outputs { get; }
        public Tensor[] Inputs { get; }
        public Tensor[] InputGradients { get; }
        public Tensor GateGradients { get; private set; } = null!;
        public Tensor BiasGradient { get; private set; } = null!;
        public Tensor HiddenGradient { get; private set; } = null!;
        public Tensor PreviousHiddenGradient { get; private set; } = null!;
        public Tensor CellGradient { get; private set; } = null!;
        public LstmState FinalState { get; private set; } = null!;
        public LstmState InitialStateGradient { get; private set; } = null!;

        /// <summary>W_hh of every layer and direction in the backend's packed layout, for batches up to <see cref="PackedWeightMaximumBatch"/>.</summary>
        public Tensor[]? PackedHiddenWeights { get; private set; }
    }
}
