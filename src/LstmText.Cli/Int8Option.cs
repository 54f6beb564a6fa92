using System.CommandLine;
using LstmText.IO;

namespace LstmText.Cli;

/// <summary>The <c>--int8</c> option of the commands that run a model for inference (classify, evaluate, generate, eval).</summary>
internal static class Int8Option
{
    public static Option<bool> Create() => new("--int8")
    {
        Description = "Run with int8 weights (dynamic quantization, as PyTorch's quantize_dynamic): faster, within a small " +
            "tolerance of float; see docs/performance.md.",
    };

    /// <summary>
    /// Throws the usage error for training from an int8 file (made by <c>lstmtext quantize</c>): it holds no float weights to
    /// train. Nothing when <paramref name="hasFloatWeights"/>.
    /// </summary>
    public static void RefuseTrainingFromInt8(bool hasFloatWeights, string option, string path)
    {
        if (!hasFloatWeights)
            throw new UsageException($"{option} {path} holds int8 weights (made by lstmtext quantize), which cannot be trained; start from the float model it was made from");
    }

    /// <summary><see cref="RefuseTrainingFromInt8(bool, string, string)"/> for a model file not loaded yet.</summary>
    public static void RefuseTrainingFromInt8(string option, string path)
    {
        if (File.Exists(path)) RefuseTrainingFromInt8(!ModelFile.Read(path).IsInt8, option, path);
    }
}
