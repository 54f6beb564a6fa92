namespace LstmText.IO;

/// <summary>One tensor as a safetensors header describes it, already checked against the data section.</summary>
/// <param name="Name">The tensor's name (a PyTorch state-dict key).</param>
/// <param name="DType">The element type stored in the file.</param>
/// <param name="Dimensions">The shape, outermost first; empty for a scalar.</param>
/// <param name="ElementCount">The product of the dimensions.</param>
/// <param name="Begin">Offset of the first byte, relative to the start of the data section.</param>
/// <param name="End">Offset one past the last byte, relative to the start of the data section.</param>
internal sealed record SafeTensorsEntry(
    string Name, SafeTensorsDType DType, ulong[] Dimensions, ulong ElementCount, ulong Begin, ulong End)
{
    public ulong ByteLength => End - Begin;
}
