using LstmText.Tensors;

namespace LstmText.Compute;

/// <summary>
/// The buffers of one LSTM time step (one direction of one layer) as the fused gate kernels see them.
/// </summary>
/// <remarks>
/// Rows are batch entries. A row is <em>inactive</em> at this step when <see cref="Lengths"/> is not empty and
/// <see cref="Time"/> ≥ its length: its state is carried through unchanged, its output is zero and it gets no
/// gate gradient, so padding changes neither outputs at valid steps, nor final states, nor gradients.
/// The forward kernel uses the state fields; the backward kernel also uses the gradient fields.
/// </remarks>
public readonly struct LstmStep
{
    /// <summary>Batch rows in this step.</summary>
    public int Batch { get; init; }

    /// <summary>Hidden size H; gates hold 4·H values per row in PyTorch's order i, f, g, o.</summary>
    public int HiddenSize { get; init; }

    /// <summary>The time index of this step, compared with <see cref="Lengths"/>.</summary>
    public int Time { get; init; }

    /// <summary>Per-row sequence lengths, or empty when every row is valid at every step.</summary>
    public ReadOnlyMemory<int> Lengths { get; init; }

    /// <summary>[Batch, 4H]: pre-activations before the forward kernel, activations after it.</summary>
    public TensorSlice Gates { get; init; }

    /// <summary>[Batch, H] cell state before this step.</summary>
    public TensorSlice PreviousCell { get; init; }

    /// <summary>[Batch, H] cell state after this step.</summary>
    public TensorSlice Cell { get; init; }

    /// <summary>[Batch, H] hidden state before this step.</summary>
    public TensorSlice PreviousHidden { get; init; }

    /// <summary>[Batch, H] hidden state after this step.</summary>
    public TensorSlice Hidden { get; init; }

    /// <summary>This step's output: row b starts at b·<see cref="OutputStride"/> and holds H values.</summary>
    public TensorSlice Output { get; init; }

    /// <summary>Distance between consecutive rows of <see cref="Output"/> and <see cref="OutputGradient"/>.</summary>
    public int OutputStride { get; init; }

    /// <summary>Backward: gradient of the loss with respect to <see cref="Output"/>, same layout.</summary>
    public TensorSlice OutputGradient { get; init; }

    /// <summary>Backward: [Batch, H] gradient reaching <see cref="Hidden"/> from the next time step.</summary>
    public TensorSlice HiddenGradient { get; init; }

    /// <summary>Backward: [Batch, H] gradient of <see cref="Cell"/> on entry, of <see cref="PreviousCell"/> on exit.</summary>
    public TensorSlice CellGradient { get; init; }

    /// <summary>Backward: [Batch, 4H] gradient of the gate pre-activations (written).</summary>
    public TensorSlice GateGradients { get; init; }

    /// <summary>
    /// Backward: [Batch, H] written with the part of the gradient of <see cref="PreviousHidden"/> that does not
    /// go through the recurrent weights (the carried gradient of inactive rows, zero for active rows); the caller
    /// then accumulates GateGradients·W_hh into it.
    /// </summary>
    public TensorSlice PreviousHiddenGradient { get; init; }
}
