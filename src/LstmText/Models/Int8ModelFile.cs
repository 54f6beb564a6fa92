using System.Text.Json;
using LstmText.Compute.Cpu;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Tensors;

namespace LstmText.Models;

/// <summary>
/// Int8 model files (<c>lstmtext quantize</c>, <see cref="TextClassifier.SaveInt8"/>, <see cref="LanguageModel.SaveInt8"/>):
/// the float model file with every matrix that int8 inference quantizes (the LSTM's W_ih and W_hh, the decoder's or the
/// head's weights) stored as an I8 tensor of its int8 values under its own name, beside an F32 tensor
/// <c>NAME.scale</c> of its per-row scales, and the config marked <c>"quantization": "int8"</c>. Loading one gives the
/// int8 matrices back bit for bit, so it predicts exactly as the float file with <c>--int8</c>. docs/model-format.md.
/// </summary>
internal static class Int8ModelFile
{
    /// <summary>The suffix of a matrix's per-row scale tensor.</summary>
    public const string ScaleSuffix = ".scale";

    /// <summary>Whether the tensor of this name is an int8 matrix in an int8 model file.</summary>
    public static bool IsInt8Weight(string name) =>
        name.StartsWith("lstm.weight_", StringComparison.Ordinal) || name is "decoder.weight" or "head.weight" or "head.0.weight" or "head.2.weight";

    /// <summary>The tensors an int8 file holds for a model whose float file holds <paramref name="shapes"/>: each int8 matrix with its scale [rows].</summary>
    public static IEnumerable<(string Name, long[] Shape)> Shapes(IEnumerable<(string Name, long[] Shape)> shapes) =>
        shapes.SelectMany(s => IsInt8Weight(s.Name) ? new[] { s, (s.Name + ScaleSuffix, new[] { s.Shape[0] }) } : [s]);

    /// <summary>
    /// Loads an int8 file (its tensors already checked against <see cref="Shapes"/>) into a network just built for it: each
    /// int8 matrix, checked to be I8 with integers in [−127, 127] and scales finite and not negative, becomes its layer's
    /// int8 weights and, dequantized, the float parameter; every other tensor loads as in a float file.
    /// </summary>
    /// <exception cref="ModelFileFormatException">An int8 matrix or its scale is not what an int8 file holds; the message names the tensor.</exception>
    public static void Load(ModelFile file, string path, IReadOnlyList<(string Name, Parameter Parameter)> named, IEnumerable<IQuantizableLayer> layers)
    {
        var nameOf = NamesOf(named);
        foreach (var (name, parameter) in named)
            if (!IsInt8Weight(name)) parameter.Load(file.Tensors[name]);
        foreach (var layer in layers)
        {
            var matrices = new List<Int8Matrix>();
            foreach (var weight in Matrices(layer))
            {
                string name = nameOf[weight], scaleName = name + ScaleSuffix;
                if (!file.Int8Tensors.Contains(name))
                    throw new ModelFileFormatException(path, $"tensor '{name}' must be stored as I8 in an int8 model file");
                if (file.Int8Tensors.Contains(scaleName))
                    throw new ModelFileFormatException(path, $"tensor '{scaleName}' must be stored as floats, not I8");
                var values = file.Tensors[name].HostSpan;
                var scales = file.Tensors[scaleName].HostSpan;
                for (int r = 0; r < scales.Length; r++)
                    if (!(scales[r] >= 0f))
                        throw new ModelFileFormatException(path, $"tensor '{scaleName}' holds {scales[r]} at element {r}; a scale cannot be negative");
                int rows = weight.Value.Shape[0], columns = weight.Value.Shape[1];
                Int8Matrix matrix;
                try
                {
                    matrix = Int8Matrix.FromQuantized(values, scales, rows, columns);
                }
                catch (ArgumentException e)
                {
                    throw new ModelFileFormatException(path, $"tensor '{name}': {e.Message}", e);
                }
                var dequantized = new float[values.Length];
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < columns; c++) dequantized[r * columns + c] = scales[r] * values[r * columns + c];
                weight.Load(Tensor.FromValues(dequantized, rows, columns));
                matrices.Add(matrix);
            }
            layer.Int8Weights = Int8LayerWeights.FromMatrices(matrices);
        }
    }

    /// <summary>
    /// The int8 model file of a network whose quantizable layers all have int8 weights: <paramref name="file"/> (the model's
    /// float file) with every int8 matrix as I8 values and F32 scales, and the config marked int8.
    /// </summary>
    public static ModelFile ToInt8(ModelFile file, IReadOnlyList<(string Name, Parameter Parameter)> named, IEnumerable<IQuantizableLayer> layers)
    {
        var nameOf = NamesOf(named);
        var tensors = new Dictionary<string, Tensor>(file.Tensors, StringComparer.Ordinal);
        var int8 = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            var weights = layer.Int8Weights ?? throw new InvalidOperationException("A layer has no int8 weights to write.");
            var matrices = Matrices(layer).ToArray();
            for (int i = 0; i < matrices.Length; i++)
            {
                var matrix = weights[i];
                string name = nameOf[matrices[i]];
                if (!IsInt8Weight(name)) throw new InvalidOperationException($"'{name}' is not a name an int8 file stores as int8.");
                var values = Tensor.Zeros(matrix.Rows, matrix.Columns);
                var scales = Tensor.Zeros(matrix.Rows);
                matrix.CopyTo(values.HostSpan, scales.HostSpan);
                tensors[name] = values;
                tensors[name + ScaleSuffix] = scales;
                int8.Add(name);
            }
        }
        var extras = new Dictionary<string, JsonElement>(file.Config.Extras ?? new Dictionary<string, JsonElement>(), StringComparer.Ordinal)
        {
            [ModelFile.QuantizationProperty] = JsonSerializer.SerializeToElement(ModelFile.Int8Quantization),
        };
        var c = file.Config;
        var config = new ModelConfig
        {
            Kind = c.Kind, VocabSize = c.VocabSize, EmbeddingDim = c.EmbeddingDim, HiddenSize = c.HiddenSize, NumLayers = c.NumLayers,
            Bidirectional = c.Bidirectional, Dropout = c.Dropout, Extras = extras,
        };
        return new ModelFile(config, tensors)
        {
            Tokenizer = file.Tokenizer, Training = file.Training, OtherMetadata = file.OtherMetadata, Int8Tensors = int8,
        };
    }

    private static Dictionary<Parameter, string> NamesOf(IReadOnlyList<(string Name, Parameter Parameter)> named)
    {
        var names = new Dictionary<Parameter, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, parameter) in named) names.TryAdd(parameter, name);
        return names;
    }

    /// <summary>A layer's matrices in the order of its int8 weights.</summary>
    private static IEnumerable<Parameter> Matrices(IQuantizableLayer layer) => layer.Parameters.Where(p => p.Value.Shape.Rank == 2);
}
