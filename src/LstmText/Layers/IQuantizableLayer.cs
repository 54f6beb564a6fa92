using LstmText.Compute.Cpu;

namespace LstmText.Layers;

/// <summary>
/// A layer whose products can run on int8 weights (<see cref="Lstm"/>, <see cref="Linear"/>): its rank-2 parameters, in
/// order, are the matrices of its <see cref="Int8Weights"/>. An int8 model file stores those matrices.
/// </summary>
internal interface IQuantizableLayer : ILayer
{
    /// <summary>The int8 copies of the layer's weight matrices, or null while it multiplies in float.</summary>
    Int8LayerWeights? Int8Weights { get; set; }
}
