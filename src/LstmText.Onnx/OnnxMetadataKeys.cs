using LstmText.IO;
using LstmText.Tokenizers;

namespace LstmText.Onnx;

/// <summary>
/// The keys of the entries an export writes into the ONNX model's <c>metadata_props</c> (in ONNX Runtime:
/// <c>session.ModelMetadata.CustomMetadataMap</c>). Every value is a string.
/// </summary>
public static class OnnxMetadataKeys
{
    /// <summary>The version of this contract (names, shapes and keys): "1".</summary>
    public const string ContractVersion = "lstmtext.onnx_version";

    /// <summary>The model's kind: <c>language-model</c> or <c>classifier</c> (as <c>kind</c> in the config).</summary>
    public const string Kind = "lstmtext.kind";

    /// <summary>The model config as JSON, the same as <c>lstmtext.config</c> in the model file (docs/model-format.md).</summary>
    public const string Config = ModelFile.ConfigKey;

    /// <summary>
    /// The tokenizer as JSON, the same as <c>lstmtext.tokenizer</c> in the model file; <c>Tokenizer.FromJson</c> rebuilds
    /// it. Absent when the export was asked to leave it out.
    /// </summary>
    public const string Tokenizer = ModelFile.TokenizerKey;

    /// <summary>Classifiers: the class names as a JSON array of strings, in the order of the probabilities.</summary>
    public const string ClassNames = "lstmtext.class_names";

    /// <summary>Classifiers: the id to pad rows with, as a decimal string (any id serves: padded steps are masked).</summary>
    public const string PaddingId = "lstmtext.padding_id";

    /// <summary>The value of <see cref="ContractVersion"/> that this version writes.</summary>
    public const string CurrentContractVersion = "1";
}
