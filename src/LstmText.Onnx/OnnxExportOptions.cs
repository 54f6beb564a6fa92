namespace LstmText.Onnx;

/// <summary>Choices for <see cref="OnnxExport"/>; the defaults suit most uses.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>
    /// Whether the tokenizer's JSON goes into the metadata (default true), so a server can tokenize from the ONNX file
    /// alone. Large word or BPE vocabularies add their size to the file.
    /// </summary>
    public bool IncludeTokenizer { get; init; } = true;

    /// <summary>The model's <c>doc_string</c>, shown by viewers such as Netron; null for a one-line description of the model.</summary>
    public string? Description { get; init; }
}
