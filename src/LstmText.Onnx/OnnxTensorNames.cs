namespace LstmText.Onnx;

/// <summary>
/// The names of an exported graph's inputs and outputs: a stable contract that callers may rely on (see
/// docs/deployment.md for the shapes).
/// </summary>
public static class OnnxTensorNames
{
    /// <summary>Input of both kinds: token ids, int64 [batch, sequence], row-major (one text per row).</summary>
    public const string InputIds = "input_ids";

    /// <summary>Classifier input: each row's valid steps, int64 [batch], each in [1, sequence].</summary>
    public const string Lengths = "lengths";

    /// <summary>
    /// Language-model input: each layer's initial hidden state, float [layers, batch, hidden]. Optional: it has a
    /// default of zeros, so a caller may leave it out (ONNX Runtime lists it among the overridable initializers).
    /// </summary>
    public const string InitialHidden = "h0";

    /// <summary>Language-model input: each layer's initial cell state, float [layers, batch, hidden]; optional like <see cref="InitialHidden"/>.</summary>
    public const string InitialCell = "c0";

    /// <summary>
    /// Output of both kinds. Language model: float [batch, sequence, vocabulary], row t scoring the token after step t.
    /// Classifier: float [batch, classes], the head's output before the softmax.
    /// </summary>
    public const string Logits = "logits";

    /// <summary>Language-model output: each layer's hidden state after the last step, float [layers, batch, hidden].</summary>
    public const string FinalHidden = "hn";

    /// <summary>Language-model output: each layer's cell state after the last step, float [layers, batch, hidden].</summary>
    public const string FinalCell = "cn";

    /// <summary>Classifier output: the softmax of the logits divided by the classifier's fitted temperature, float [batch, classes], in the order of the class names.</summary>
    public const string Probabilities = "probabilities";
}
