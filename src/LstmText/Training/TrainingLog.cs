using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using LstmText.IO;

namespace LstmText.Training;

/// <summary>
/// The validations of a run, kept beside the model as <c>NAME.log.jsonl</c> (one JSON object per validation) and
/// drawn as <c>NAME.loss.svg</c>; both files are rewritten atomically after each validation. Shared by every trainer.
/// </summary>
internal sealed class TrainingLog(string? modelPath)
{
    private static readonly JsonSerializerOptions LogOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Training stops on a NaN or infinite loss before logging it; should another value (a learning rate of
        // infinity, say) not be finite, it is written as the string "Infinity" or "NaN" rather than failing the run.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly List<ValidationEntry> _entries = [];

    public IReadOnlyList<ValidationEntry> Entries => _entries;

    /// <summary>Adds a validation and rewrites the log and the curve (when the run saves to a file).</summary>
    public void Add(ValidationEntry entry)
    {
        _entries.Add(entry);
        if (modelPath is null) return;
        var lines = new StringBuilder();
        foreach (var e in _entries) lines.Append(JsonSerializer.Serialize(e, LogOptions)).Append('\n');
        AtomicFile.Write(PathBeside(modelPath, ".log.jsonl"), s => s.Write(Encoding.UTF8.GetBytes(lines.ToString())));
        AtomicFile.Write(PathBeside(modelPath, ".loss.svg"), s => s.Write(Encoding.UTF8.GetBytes(LossCurve.Svg(_entries))));
    }

    /// <summary>On resume: takes back the entries of the log on disk up to <paramref name="upToStep"/>.</summary>
    public void Restore(int upToStep)
    {
        if (modelPath is null || !File.Exists(PathBeside(modelPath, ".log.jsonl"))) return;
        foreach (var line in File.ReadLines(PathBeside(modelPath, ".log.jsonl")))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                var entry = JsonSerializer.Deserialize<ValidationEntry>(line, LogOptions);
                if (entry is not null && entry.Step <= upToStep) _entries.Add(entry);
            }
            catch (JsonException)
            {
                // A damaged log line only loses one point of the curve.
            }
        }
    }

    /// <summary>The path of a file that belongs beside the model: NAME.safetensors → NAME{suffix}.</summary>
    public static string PathBeside(string modelPath, string suffix)
    {
        string stem = modelPath.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) ? modelPath[..^".safetensors".Length] : modelPath;
        return stem + suffix;
    }
}
