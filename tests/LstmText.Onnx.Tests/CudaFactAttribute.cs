using Microsoft.ML.OnnxRuntime;

namespace LstmText.Onnx.Tests;

/// <summary>
/// A fact that runs only where ONNX Runtime can use the CUDA execution provider, and is reported as skipped (with the
/// reason) everywhere else, so it never fails a machine without a GPU. The CPU package of ONNX Runtime has no CUDA
/// provider: build the tests with <c>-p:OnnxRuntimeGpu=true</c> to use Microsoft.ML.OnnxRuntime.Gpu.Linux instead.
/// </summary>
public sealed class CudaFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> WhyNot = new(FindWhyCudaIsMissing);

    /// <summary>Skips the test, naming the reason, unless a CUDA session can be made.</summary>
    public CudaFactAttribute()
    {
        if (WhyNot.Value is { } reason) Skip = reason;
    }

    private static string? FindWhyCudaIsMissing()
    {
        try
        {
            if (!OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider"))
                return "this ONNX Runtime build has no CUDA execution provider (build with -p:OnnxRuntimeGpu=true on a machine with a GPU)";
            using var options = new SessionOptions();
            options.AppendExecutionProvider_CUDA(0);
            return null;
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            return $"no usable CUDA device: {e.Message.ReplaceLineEndings(" ")}";
        }
    }
}
