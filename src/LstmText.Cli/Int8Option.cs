using System.CommandLine;

namespace LstmText.Cli;

/// <summary>The <c>--int8</c> option of the commands that run a model for inference (classify, evaluate, generate, eval).</summary>
internal static class Int8Option
{
    public static Option<bool> Create() => new("--int8")
    {
        Description = "Run with int8 weights (dynamic quantization, as PyTorch's quantize_dynamic): faster, within a small " +
            "tolerance of float; see docs/performance.md.",
    };
}
