using System.Text.Json;
using LstmText.Tokenizers;

namespace LstmText.MLTokenizers;

/// <summary>The embedded files and settings of one tokenizer JSON; every mistake names the field.</summary>
internal sealed class MLTokenizerSettings(string kind, JsonElement root, IReadOnlyDictionary<string, byte[]> files)
{
    public string Kind => kind;

    public byte[] File(string name) => files.TryGetValue(name, out var bytes)
        ? bytes
        : throw new TokenizerFormatException($"The {kind} tokenizer JSON has no embedded file \"files\".\"{name}\".");

    public Stream OpenFile(string name) => new MemoryStream(File(name), writable: false);

    public string? OptionalString(string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Wrong(name, "a string");
    }

    public string RequiredString(string name) => OptionalString(name) ?? throw Wrong(name, "a string");

    public bool Bool(string name, bool fallback)
    {
        if (!root.TryGetProperty(name, out var value)) return fallback;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Wrong(name, "true or false"),
        };
    }

    public Dictionary<string, int>? OptionalIds(string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Object) throw Wrong(name, "an object of token ids");
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out var id) || id < 0)
                throw new TokenizerFormatException($"The {kind} tokenizer JSON field \"{name}\".\"{property.Name}\" must be an id (an integer ≥ 0).");
            ids[property.Name] = id;
        }
        return ids;
    }

    private TokenizerFormatException Wrong(string name, string expected) =>
        new($"The {kind} tokenizer JSON field \"{name}\" must be {expected}.");
}
