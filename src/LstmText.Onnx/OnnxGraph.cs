using System.Runtime.InteropServices;
using Google.Protobuf;
using LstmText.Tensors;
using Onnx;

namespace LstmText.Onnx;

/// <summary>
/// An ONNX graph under construction: weights as initializers, operator nodes with generated output names, and the
/// graph's inputs and outputs. Each node method returns the name of the tensor the node produces.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly GraphProto _graph = new();
    private readonly Dictionary<string, string> _int64Constants = new(StringComparer.Ordinal);
    private int _nodeCount;
    private long _initializerBytes;

    public OnnxGraph(string name) => _graph.Name = name;

    /// <summary>Bytes of every initializer so far (a protobuf message must stay under 2 GiB).</summary>
    public long InitializerBytes => _initializerBytes;

    public GraphProto Proto => _graph;

    /// <summary>Adds a float initializer of the given shape, its values copied from <paramref name="values"/>.</summary>
    public string AddFloats(string name, ReadOnlySpan<float> values, params long[] dimensions)
    {
        long count = dimensions.Aggregate(1L, (a, d) => a * d);
        if (count != values.Length)
            throw new ArgumentException($"Initializer '{name}' has {values.Length} values for the shape [{string.Join(", ", dimensions)}].");
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dimensions);
        // ONNX raw data is little-endian, as are the platforms .NET runs on.
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        _graph.Initializer.Add(tensor);
        _initializerBytes += 4L * values.Length;
        return name;
    }

    /// <summary>Adds a float initializer holding <paramref name="tensor"/>'s values in its own shape.</summary>
    public string AddFloats(string name, Tensor tensor) =>
        AddFloats(name, tensor.HostSpan, tensor.Shape.Dimensions.ToArray().Select(d => (long)d).ToArray());

    /// <summary>A 1-D int64 constant (shared between nodes that ask for the same values).</summary>
    public string Int64s(params long[] values) => Int64Constant(values, [values.Length]);

    /// <summary>A scalar (0-D) int64 constant.</summary>
    public string Int64Scalar(long value) => Int64Constant([value], []);

    /// <summary>A scalar (0-D) float constant.</summary>
    public string FloatScalar(float value)
    {
        string key = "f:" + BitConverter.SingleToInt32Bits(value);
        if (_int64Constants.TryGetValue(key, out var existing)) return existing;
        string name = $"const_{_int64Constants.Count}";
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.FloatData.Add(value);
        _graph.Initializer.Add(tensor);
        _int64Constants[key] = name;
        return name;
    }

    private string Int64Constant(long[] values, long[] dimensions)
    {
        string key = $"i{dimensions.Length}:" + string.Join(",", values);
        if (_int64Constants.TryGetValue(key, out var existing)) return existing;
        string name = $"const_{_int64Constants.Count}";
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dimensions);
        tensor.Int64Data.AddRange(values);
        _graph.Initializer.Add(tensor);
        _int64Constants[key] = name;
        return name;
    }

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string operatorType, IReadOnlyList<string> inputs, params AttributeProto[] attributes) =>
        Node(operatorType, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputCount"/> outputs and returns their names.</summary>
    public string[] Node(string operatorType, IReadOnlyList<string> inputs, int outputCount, params AttributeProto[] attributes)
    {
        int index = _nodeCount++;
        var node = new NodeProto { OpType = operatorType, Name = $"{operatorType}_{index}" };
        node.Input.AddRange(inputs);
        var outputs = new string[outputCount];
        for (int i = 0; i < outputCount; i++) outputs[i] = outputCount == 1 ? $"{operatorType}_{index}" : $"{operatorType}_{index}_{i}";
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return outputs;
    }

    /// <summary>Gives the tensor <paramref name="source"/> the graph output name <paramref name="name"/> (an Identity node).</summary>
    public void NameOutput(string source, string name, TensorProto.Types.DataType type, params object[] dimensions)
    {
        var node = new NodeProto { OpType = "Identity", Name = $"Identity_{_nodeCount++}" };
        node.Input.Add(source);
        node.Output.Add(name);
        _graph.Node.Add(node);
        _graph.Output.Add(ValueInfo(name, type, dimensions));
    }

    /// <summary>Declares a graph input; each dimension is a fixed size (int or long) or a symbolic name (string).</summary>
    public string AddInput(string name, TensorProto.Types.DataType type, params object[] dimensions)
    {
        _graph.Input.Add(ValueInfo(name, type, dimensions));
        return name;
    }

    public static AttributeProto Attribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attribute(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Attribute(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dimensions)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dimensions)
        {
            shape.Dim.Add(d switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                int size => new TensorShapeProto.Types.Dimension { DimValue = size },
                long size => new TensorShapeProto.Types.Dimension { DimValue = size },
                _ => throw new ArgumentException($"A dimension is a size or a name, not {d}."),
            });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
