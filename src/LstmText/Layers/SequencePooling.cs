namespace LstmText.Layers;

/// <summary>How a classifier turns the LSTM's outputs at every step into one vector per text: the choice a config
/// names; the layer that does it is an <see cref="IPoolingLayer"/>.</summary>
public enum SequencePooling
{
    /// <summary>
    /// The last valid step's output; when bidirectional, the forward direction's output at the last valid step ‖ the
    /// reverse direction's output at step 0 (PyTorch's h_n of a packed sequence). Config name <c>last</c>.
    /// </summary>
    LastState,

    /// <summary>The mean over valid steps. Config name <c>mean</c>.</summary>
    Mean,

    /// <summary>The element-wise maximum over valid steps. Config name <c>max</c>.</summary>
    Max,

    /// <summary>last ‖ max ‖ mean, three times the features (ULMFiT's concat pooling). Config name <c>concat</c>.</summary>
    Concat,

    /// <summary>
    /// A weighted sum of valid steps with weights softmax(x_t · w) over valid steps only, w a learned vector
    /// (<c>attention.weight</c>). Config name <c>attention</c>.
    /// </summary>
    Attention,
}
