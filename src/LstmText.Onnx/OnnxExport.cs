using LstmText.Compute;
using LstmText.Generation;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tensors;
using LstmText.Tokenizers;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Google.Protobuf;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace LstmText.Onnx;

/// <summary>
/// Writes language models and classifiers as ONNX graphs (opset <see cref="OpsetVersion"/>) that ONNX Runtime and
/// ML.NET's <c>OnnxTransformer</c> run, with the input and output names of <see cref="OnnxTensorNames"/> and the
/// tokenizer, config and class names in the metadata under <see cref="OnnxMetadataKeys"/>.
/// </summary>
/// <remarks>
/// <para>The LSTM layers become ONNX <c>LSTM</c> nodes (one per layer; gate blocks reordered from our i, f, g, o to
/// ONNX's i, o, f, c; B is the input bias followed by the recurrent bias), the embedding a <c>Gather</c>, the decoder
/// and head <c>MatMul</c>/<c>Gemm</c>. A classifier's LSTM reads <c>lengths</c> as <c>sequence_lens</c>, and every
/// pooling masks padded steps as the library does, so padding never changes a probability.</para>
/// <para>Memory: the graph holds one copy of the weights (tied decoder weights are stored once) while it is built
/// and written. A model whose weights pass 2 GB is refused: a protobuf message cannot hold it.</para>
/// </remarks>
/// <example>
/// <code>
/// OnnxExport.Write(TextClassifier.Load("sentiment.safetensors"), "sentiment.onnx");
/// OnnxExport.Write(LanguageModel.Load("shakespeare.safetensors"), "shakespeare.onnx");
/// </code>
/// </example>
public static class OnnxExport
{
    /// <summary>The ONNX operator set the graphs use (tested with ONNX Runtime 1.31).</summary>
    public const int OpsetVersion = 17;

    /// <summary>The ONNX IR version written (the one that goes with opset 17).</summary>
    public const int IrVersion = 8;

    /// <summary>Largest total weight size written: protobuf messages stop at 2 GiB, and the graph needs some room.</summary>
    private const long MaximumWeightBytes = 2_000_000_000;

    /// <summary>ONNX's LSTM orders gate blocks i, o, f, c; ours (PyTorch's) are i, f, g, o: ONNX block k is our block GateOrder[k].</summary>
    private static readonly int[] GateOrder = [0, 3, 1, 2];

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> as ONNX, atomically (no half-written file).</summary>
    /// <exception cref="NotSupportedException">The weights pass 2 GB, more than one ONNX file without external data holds.</exception>
    public static void Write(LanguageModel model, string path, OnnxExportOptions? options = null)
    {
        var proto = ToProto(model, options);
        AtomicFile.Write(path, proto.WriteTo);
    }

    /// <summary>Writes <paramref name="classifier"/> to <paramref name="path"/> as ONNX, atomically (no half-written file).</summary>
    /// <exception cref="NotSupportedException">The weights pass 2 GB, more than one ONNX file without external data holds.</exception>
    public static void Write(TextClassifier classifier, string path, OnnxExportOptions? options = null)
    {
        var proto = ToProto(classifier, options);
        AtomicFile.Write(path, proto.WriteTo);
    }

    /// <summary>Writes <paramref name="model"/> as ONNX to <paramref name="stream"/>.</summary>
    /// <exception cref="NotSupportedException">The weights pass 2 GB.</exception>
    public static void Write(LanguageModel model, Stream stream, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ToProto(model, options).WriteTo(stream);
    }

    /// <summary>Writes <paramref name="classifier"/> as ONNX to <paramref name="stream"/>.</summary>
    /// <exception cref="NotSupportedException">The weights pass 2 GB.</exception>
    public static void Write(TextClassifier classifier, Stream stream, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ToProto(classifier, options).WriteTo(stream);
    }

    /// <summary>The ONNX file of <paramref name="model"/> as bytes (for an in-memory <c>InferenceSession</c>).</summary>
    /// <exception cref="NotSupportedException">The weights pass 2 GB.</exception>
    public static byte[] ToBytes(LanguageModel model, OnnxExportOptions? options = null) => ToProto(model, options).ToByteArray();

    /// <summary>The ONNX file of <paramref name="classifier"/> as bytes (for an in-memory <c>InferenceSession</c>).</summary>
    /// <exception cref="NotSupportedException">The weights pass 2 GB.</exception>
    public static byte[] ToBytes(TextClassifier classifier, OnnxExportOptions? options = null) => ToProto(classifier, options).ToByteArray();

    internal static ModelProto ToProto(LanguageModel model, OnnxExportOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        var file = model.ToModelFile();
        RequireSize(file);
        var a = model.Architecture;
        var tensors = file.Tensors;
        var g = new OnnxGraph("lstmtext_language_model");

        var ids = g.AddInput(OnnxTensorNames.InputIds, DataType.Int64, "batch", "sequence");
        // h0 and c0 are inputs with a default: zeros for one row, broadcast to the batch. ONNX Runtime lets a caller
        // feed them (as overridable initializers) or leave them out.
        var h0 = g.AddFloats(OnnxTensorNames.InitialHidden, new float[a.Layers * a.HiddenSize], a.Layers, 1, a.HiddenSize);
        var c0 = g.AddFloats(OnnxTensorNames.InitialCell, new float[a.Layers * a.HiddenSize], a.Layers, 1, a.HiddenSize);
        g.AddInput(OnnxTensorNames.InitialHidden, DataType.Float, a.Layers, "state_batch", a.HiddenSize);
        g.AddInput(OnnxTensorNames.InitialCell, DataType.Float, a.Layers, "state_batch", a.HiddenSize);

        var embedding = g.AddFloats("embedding.weight", tensors["embedding.weight"]);
        var x = Embed(g, ids, embedding);
        var batch = g.Node("Slice", [g.Node("Shape", [ids]), g.Int64s(0), g.Int64s(1)]);
        var stateShape = g.Node("Concat", [g.Int64s(a.Layers), batch, g.Int64s(a.HiddenSize)], OnnxGraph.Attribute("axis", 0L));
        var h = g.Node("Expand", [h0, stateShape]);
        var c = g.Node("Expand", [c0, stateShape]);
        var finalHidden = new List<string>();
        var finalCell = new List<string>();
        for (int layer = 0; layer < a.Layers; layer++)
        {
            var (w, r, b) = AddLstmWeights(g, tensors, layer, 1, a.HiddenSize);
            var initialH = g.Node("Slice", [h, g.Int64s(layer), g.Int64s(layer + 1), g.Int64s(0)]);
            var initialC = g.Node("Slice", [c, g.Int64s(layer), g.Int64s(layer + 1), g.Int64s(0)]);
            var outputs = g.Node("LSTM", [x, w, r, b, "", initialH, initialC], 3,
                OnnxGraph.Attribute("hidden_size", (long)a.HiddenSize), OnnxGraph.Attribute("direction", "forward"));
            x = g.Node("Squeeze", [outputs[0], g.Int64s(1)]);
            finalHidden.Add(outputs[1]);
            finalCell.Add(outputs[2]);
        }
        var batchMajor = g.Node("Transpose", [x], OnnxGraph.Attribute("perm", 1L, 0L, 2L));
        // The decoder multiplies by Wᵀ: stored transposed, or, when tied, the embedding transposed in the graph (stored once).
        var decoderWeight = a.TieWeights
            ? g.Node("Transpose", [embedding], OnnxGraph.Attribute("perm", 1L, 0L))
            : g.AddFloats("decoder.weight_transposed", Transposed(tensors["decoder.weight"]), a.HiddenSize, a.VocabularySize);
        var logits = g.Node("Add", [g.Node("MatMul", [batchMajor, decoderWeight]), g.AddFloats("decoder.bias", tensors["decoder.bias"])]);

        g.NameOutput(logits, OnnxTensorNames.Logits, DataType.Float, "batch", "sequence", a.VocabularySize);
        g.NameOutput(Stack(g, finalHidden), OnnxTensorNames.FinalHidden, DataType.Float, a.Layers, "batch", a.HiddenSize);
        g.NameOutput(Stack(g, finalCell), OnnxTensorNames.FinalCell, DataType.Float, a.Layers, "batch", a.HiddenSize);

        var metadata = new Dictionary<string, string>
        {
            [OnnxMetadataKeys.Kind] = LanguageModelArchitecture.Kind,
            [OnnxMetadataKeys.Config] = file.Config.ToJson(),
        };
        if (options.IncludeTokenizer) metadata[OnnxMetadataKeys.Tokenizer] = model.Tokenizer.ToJson();
        return Model(g, options.Description ?? model.ToString(), metadata);
    }

    internal static ModelProto ToProto(TextClassifier classifier, OnnxExportOptions? options)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        options ??= new OnnxExportOptions();
        var file = classifier.ToModelFile();
        RequireSize(file);
        var a = classifier.Architecture;
        var tensors = file.Tensors;
        int hidden = a.HiddenSize, directions = a.Directions, features = hidden * directions, classes = classifier.ClassNames.Count;
        var g = new OnnxGraph("lstmtext_classifier");

        var ids = g.AddInput(OnnxTensorNames.InputIds, DataType.Int64, "batch", "sequence");
        var lengths = g.AddInput(OnnxTensorNames.Lengths, DataType.Int64, "batch");
        var x = Embed(g, ids, g.AddFloats("embedding.weight", tensors["embedding.weight"]));
        var sequenceLengths = g.Node("Cast", [lengths], OnnxGraph.Attribute("to", (long)DataType.Int32));
        for (int layer = 0; layer < a.Layers; layer++)
        {
            var (w, r, b) = AddLstmWeights(g, tensors, layer, directions, hidden);
            var y = g.Node("LSTM", [x, w, r, b, sequenceLengths], 1,
                OnnxGraph.Attribute("hidden_size", (long)hidden), OnnxGraph.Attribute("direction", directions == 2 ? "bidirectional" : "forward"))[0];
            // Y is [T, D, B, H]; the next layer and the pooling read [T, B, D·H], forward direction first.
            x = g.Node("Reshape", [g.Node("Transpose", [y], OnnxGraph.Attribute("perm", 0L, 2L, 1L, 3L)), g.Int64s(0, 0, -1)]);
        }

        var masks = new PaddingMasks(g, x, lengths);
        var pooled = a.Pooling switch
        {
            SequencePooling.LastState => LastState(g, x, masks, hidden, directions),
            SequencePooling.Max => Max(g, x, masks),
            SequencePooling.Mean => Mean(g, x, masks),
            SequencePooling.Concat => g.Node("Concat", [LastState(g, x, masks, hidden, directions), Max(g, x, masks), Mean(g, x, masks)],
                OnnxGraph.Attribute("axis", 1L)),
            SequencePooling.Attention => Attention(g, x, masks, g.AddFloats("attention.weight_transposed", tensors["attention.weight"].HostSpan, features, 1)),
            _ => throw new NotSupportedException($"The pooling {a.Pooling} has no ONNX form."),
        };

        string logits;
        if (a.HeadHiddenSize > 0)
        {
            var hiddenLayer = Linear(g, pooled, tensors, "head.0");
            var activated = g.Node(a.HeadActivation switch
            {
                ActivationKind.Relu => "Relu",
                ActivationKind.Tanh => "Tanh",
                _ => throw new NotSupportedException($"The head activation {a.HeadActivation} has no ONNX form."),
            }, [hiddenLayer]);
            logits = Linear(g, activated, tensors, "head.2");
        }
        else
        {
            logits = Linear(g, pooled, tensors, "head");
        }
        // The fitted temperature divides the logits before the softmax, as Predict does; labels never change.
        var tempered = classifier.Temperature == 1 ? logits
            : g.Node("Div", [logits, g.AddFloats("temperature", [(float)classifier.Temperature])]);
        var probabilities = g.Node("Softmax", [tempered], OnnxGraph.Attribute("axis", 1L));
        g.NameOutput(probabilities, OnnxTensorNames.Probabilities, DataType.Float, "batch", classes);
        g.NameOutput(logits, OnnxTensorNames.Logits, DataType.Float, "batch", classes);

        var metadata = new Dictionary<string, string>
        {
            [OnnxMetadataKeys.Kind] = TextClassifier.ModelKind,
            [OnnxMetadataKeys.Config] = file.Config.ToJson(),
            [OnnxMetadataKeys.ClassNames] = JsonSerializer.Serialize(classifier.ClassNames),
            [OnnxMetadataKeys.PaddingId] = (classifier.Tokenizer.PaddingId ?? 0).ToString(CultureInfo.InvariantCulture),
        };
        if (options.IncludeTokenizer) metadata[OnnxMetadataKeys.Tokenizer] = classifier.Tokenizer.ToJson();
        return Model(g, options.Description ?? $"LstmText classifier: {classifier.Tokenizer.Kind} tokenizer ({classifier.Tokenizer.VocabularySize} tokens), " +
            $"LSTM {hidden}×{a.Layers}{(directions == 2 ? " bidirectional" : "")}, {TextClassifierArchitecture.NameOf(a.Pooling)} pooling, " +
            $"classes {string.Join(", ", classifier.ClassNames)}", metadata);
    }

    private static void RequireSize(ModelFile file)
    {
        long bytes = file.Tensors.Values.Sum(t => 4L * t.Length);
        if (bytes > MaximumWeightBytes)
            throw new NotSupportedException(
                $"The model's weights take {bytes / 1e9:F1} GB; an ONNX file without external data holds at most 2 GB, so this model cannot be exported.");
    }

    /// <summary>Row-major ids [B, T] → time-major embedded input [T, B, E].</summary>
    private static string Embed(OnnxGraph g, string ids, string embedding) =>
        g.Node("Gather", [embedding, g.Node("Transpose", [ids], OnnxGraph.Attribute("perm", 1L, 0L))], OnnxGraph.Attribute("axis", 0L));

    /// <summary>Concatenates per-layer states [1, B, H] into [L, B, H].</summary>
    private static string Stack(OnnxGraph g, List<string> states) =>
        states.Count == 1 ? states[0] : g.Node("Concat", states, OnnxGraph.Attribute("axis", 0L));

    /// <summary>y = x·Wᵀ + b for a [B, I] input, as one Gemm.</summary>
    private static string Linear(OnnxGraph g, string input, IReadOnlyDictionary<string, Tensor> tensors, string prefix)
    {
        var weight = g.AddFloats(prefix + ".weight", tensors[prefix + ".weight"]);
        var bias = g.AddFloats(prefix + ".bias", tensors[prefix + ".bias"]);
        return g.Node("Gemm", [input, weight, bias], OnnxGraph.Attribute("transB", 1L));
    }

    /// <summary>One layer's W [D, 4H, I], R [D, 4H, H] and B [D, 8H] in ONNX's gate order.</summary>
    private static (string W, string R, string B) AddLstmWeights(OnnxGraph g, IReadOnlyDictionary<string, Tensor> tensors, int layer,
        int directions, int hidden)
    {
        int gates = 4 * hidden;
        int input = tensors[$"lstm.weight_ih_l{layer}"].Shape[1];
        var w = new float[directions * gates * input];
        var r = new float[directions * gates * hidden];
        var b = new float[directions * 2 * gates];
        for (int d = 0; d < directions; d++)
        {
            string suffix = $"_l{layer}" + (d == 1 ? "_reverse" : "");
            ReorderGates(tensors["lstm.weight_ih" + suffix].HostSpan, w.AsSpan(d * gates * input, gates * input), hidden);
            ReorderGates(tensors["lstm.weight_hh" + suffix].HostSpan, r.AsSpan(d * gates * hidden, gates * hidden), hidden);
            ReorderGates(tensors["lstm.bias_ih" + suffix].HostSpan, b.AsSpan(d * 2 * gates, gates), hidden);
            ReorderGates(tensors["lstm.bias_hh" + suffix].HostSpan, b.AsSpan(d * 2 * gates + gates, gates), hidden);
        }
        return (g.AddFloats($"lstm.W_l{layer}", w, directions, gates, input),
            g.AddFloats($"lstm.R_l{layer}", r, directions, gates, hidden),
            g.AddFloats($"lstm.B_l{layer}", b, directions, 2 * gates));
    }

    /// <summary>Copies four gate blocks (each a quarter of <paramref name="source"/>) from order i, f, g, o to i, o, f, c.</summary>
    private static void ReorderGates(ReadOnlySpan<float> source, Span<float> target, int hidden)
    {
        int block = source.Length / 4;
        for (int k = 0; k < 4; k++) source.Slice(GateOrder[k] * block, block).CopyTo(target.Slice(k * block, block));
    }

    private static float[] Transposed(Tensor matrix)
    {
        int rows = matrix.Shape[0], columns = matrix.Shape[1];
        var source = matrix.HostSpan;
        var result = new float[rows * columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                result[j * rows + i] = source[i * columns + j];
        return result;
    }

    /// <summary>
    /// Last-state pooling: the forward direction's output at each row's last valid step (a one-hot sum over time, exact),
    /// and, when bidirectional, the reverse direction's output at step 0.
    /// </summary>
    private static string LastState(OnnxGraph g, string sequence, PaddingMasks masks, int hidden, int directions)
    {
        var atLastStep = g.Node("ReduceSum", [g.Node("Mul", [sequence, masks.LastStep]), g.Int64s(0)], OnnxGraph.Attribute("keepdims", 0L));
        if (directions == 1) return atLastStep;
        var forward = g.Node("Slice", [atLastStep, g.Int64s(0), g.Int64s(hidden), g.Int64s(1)]);
        var reverse = g.Node("Squeeze", [g.Node("Slice", [sequence, g.Int64s(0, hidden), g.Int64s(1, 2 * hidden), g.Int64s(0, 2)]), g.Int64s(0)]);
        return g.Node("Concat", [forward, reverse], OnnxGraph.Attribute("axis", 1L));
    }

    /// <summary>The maximum over each row's valid steps: padded steps become −∞ first.</summary>
    private static string Max(OnnxGraph g, string sequence, PaddingMasks masks) =>
        g.Node("ReduceMax", [g.Node("Where", [masks.Valid3, sequence, g.FloatScalar(float.NegativeInfinity)])],
            OnnxGraph.Attribute("axes", new long[] { 0 }), OnnxGraph.Attribute("keepdims", 0L));

    /// <summary>The mean over each row's valid steps, as the library forms it: Σ_t w_t·x_t with w_t = 1/L at valid steps, 0 after.</summary>
    private static string Mean(OnnxGraph g, string sequence, PaddingMasks masks) =>
        g.Node("ReduceSum", [g.Node("Mul", [sequence, masks.MeanWeights]), g.Int64s(0)], OnnxGraph.Attribute("keepdims", 0L));

    /// <summary>Attention pooling: scores x·w, a softmax over each row's valid steps (padded steps −∞, so weight 0), then Σ α·x.</summary>
    private static string Attention(OnnxGraph g, string sequence, PaddingMasks masks, string weightTransposed)
    {
        var scores = g.Node("Squeeze", [g.Node("MatMul", [sequence, weightTransposed]), g.Int64s(2)]);
        var masked = g.Node("Where", [masks.Valid, scores, g.FloatScalar(float.NegativeInfinity)]);
        var alpha = g.Node("Softmax", [masked], OnnxGraph.Attribute("axis", 0L));
        var weighted = g.Node("Mul", [sequence, g.Node("Unsqueeze", [alpha, g.Int64s(2)])]);
        return g.Node("ReduceSum", [weighted, g.Int64s(0)], OnnxGraph.Attribute("keepdims", 0L));
    }

    private static ModelProto Model(OnnxGraph g, string description, Dictionary<string, string> metadata)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "LstmText",
            ProducerVersion = typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            Domain = "lstmtext",
            ModelVersion = 1,
            DocString = description,
            Graph = g.Proto,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        metadata[OnnxMetadataKeys.ContractVersion] = OnnxMetadataKeys.CurrentContractVersion;
        foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    /// <summary>The masks a classifier's poolings share, built once from <c>lengths</c> and the sequence's step count.</summary>
    private sealed class PaddingMasks
    {
        private readonly OnnxGraph _graph;
        private readonly string _sequence;
        private readonly string _lengths;
        private string? _steps;
        private string? _lengthRow;
        private string? _valid;
        private string? _valid3;
        private string? _meanWeights;
        private string? _lastStep;

        public PaddingMasks(OnnxGraph graph, string sequence, string lengths)
        {
            _graph = graph;
            _sequence = sequence;
            _lengths = lengths;
        }

        /// <summary>0, 1, …, T−1 as a column [T, 1] (int64).</summary>
        private string Steps => _steps ??= _graph.Node("Unsqueeze", [_graph.Node("Range", [_graph.Int64Scalar(0),
            _graph.Node("Gather", [_graph.Node("Shape", [_sequence]), _graph.Int64Scalar(0)], OnnxGraph.Attribute("axis", 0L)),
            _graph.Int64Scalar(1)]), _graph.Int64s(1)]);

        /// <summary>The lengths as a row [1, B] (int64).</summary>
        private string LengthRow => _lengthRow ??= _graph.Node("Unsqueeze", [_lengths, _graph.Int64s(0)]);

        /// <summary>t &lt; L_b, bool [T, B].</summary>
        public string Valid => _valid ??= _graph.Node("Less", [Steps, LengthRow]);

        /// <summary><see cref="Valid"/> as [T, B, 1].</summary>
        public string Valid3 => _valid3 ??= _graph.Node("Unsqueeze", [Valid, _graph.Int64s(2)]);

        /// <summary>1/L_b at valid steps and 0 after, float [T, B, 1].</summary>
        public string MeanWeights => _meanWeights ??= _graph.Node("Unsqueeze", [_graph.Node("Div", [
            _graph.Node("Cast", [Valid], OnnxGraph.Attribute("to", (long)DataType.Float)),
            _graph.Node("Cast", [LengthRow], OnnxGraph.Attribute("to", (long)DataType.Float))]), _graph.Int64s(2)]);

        /// <summary>1 at t = L_b − 1 and 0 elsewhere, float [T, B, 1].</summary>
        public string LastStep => _lastStep ??= _graph.Node("Unsqueeze", [_graph.Node("Cast", [
            _graph.Node("Equal", [Steps, _graph.Node("Sub", [LengthRow, _graph.Int64s(1)])])],
            OnnxGraph.Attribute("to", (long)DataType.Float)), _graph.Int64s(2)]);
    }
}
