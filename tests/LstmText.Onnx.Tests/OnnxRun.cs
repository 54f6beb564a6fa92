using Microsoft.ML.OnnxRuntime;

namespace LstmText.Onnx.Tests;

/// <summary>An exported graph in an ONNX Runtime session: feeds named tensors, returns every output as values and a shape.</summary>
internal sealed class OnnxRun : IDisposable
{
    private readonly SessionOptions _options;

    public OnnxRun(byte[] model, SessionOptions? options = null)
    {
        _options = options ?? new SessionOptions();
        // Warnings and errors reach the test through exceptions; keep ONNX Runtime's own log quiet.
        _options.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
        // The models are tiny and xunit already runs test classes in parallel: one thread per session, no spinning pool.
        _options.IntraOpNumThreads = 1;
        _options.InterOpNumThreads = 1;
        Session = new InferenceSession(model, _options);
    }

    public InferenceSession Session { get; }

    /// <summary>Runs the graph on int64 and float inputs ((values, shape) each) and returns the named outputs.</summary>
    public Dictionary<string, (float[] Values, long[] Shape)> Run(IReadOnlyDictionary<string, (Array Values, long[] Shape)> inputs, params string[] outputs)
    {
        var values = new Dictionary<string, OrtValue>();
        try
        {
            foreach (var (name, (data, shape)) in inputs)
            {
                values[name] = data switch
                {
                    long[] ids => OrtValue.CreateTensorValueFromMemory(ids, shape),
                    float[] floats => OrtValue.CreateTensorValueFromMemory(floats, shape),
                    _ => throw new ArgumentException($"Input {name} is neither int64 nor float."),
                };
            }
            using var runOptions = new RunOptions();
            using var results = Session.Run(runOptions, values, outputs);
            var answer = new Dictionary<string, (float[], long[])>();
            int i = 0;
            foreach (var result in results)
                answer[outputs[i++]] = (result.GetTensorDataAsSpan<float>().ToArray(), result.GetTensorTypeAndShape().Shape);
            return answer;
        }
        finally
        {
            foreach (var value in values.Values) value.Dispose();
        }
    }

    public void Dispose()
    {
        Session.Dispose();
        _options.Dispose();
    }

    /// <summary>Rows of ids padded to the longest with <paramref name="padding"/>, row-major [B, T], and their lengths.</summary>
    public static (long[] Ids, long[] Lengths, long Steps) Pad(IReadOnlyList<int[]> rows, int padding)
    {
        int steps = rows.Max(r => r.Length);
        var ids = new long[rows.Count * steps];
        Array.Fill(ids, padding);
        for (int b = 0; b < rows.Count; b++)
            for (int t = 0; t < rows[b].Length; t++) ids[b * steps + t] = rows[b][t];
        return (ids, rows.Select(r => (long)r.Length).ToArray(), steps);
    }
}
