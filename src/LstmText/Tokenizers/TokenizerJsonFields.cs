using System.Text.Json;

namespace LstmText.Tokenizers;

/// <summary>
/// Reads the fields of one JSON object and turns every mistake into a <see cref="TokenizerFormatException"/>
/// that names the field, because a model file's tokenizer is untrusted input.
/// </summary>
internal sealed class TokenizerJsonFields
{
    private readonly JsonElement element;
    private readonly string where;

    public TokenizerJsonFields(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new TokenizerFormatException($"The {where} must be a JSON object, not {element.ValueKind}.");
        }
        this.element = element;
        this.where = where;
    }

    public string RequiredString(string name) =>
        OptionalString(name) ?? throw Missing(name, "a string");

    public string? OptionalString(string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String ? Text(value, $"field \"{name}\"") : throw Wrong(name, "a string", value);
    }

    public bool OptionalBool(string name, bool fallback)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return fallback;
        }
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Wrong(name, "true or false", value),
        };
    }

    public T OptionalEnum<T>(string name, T fallback, params (string Name, T Value)[] choices)
    {
        var text = OptionalString(name);
        if (text is null)
        {
            return fallback;
        }
        foreach (var choice in choices)
        {
            if (choice.Name == text)
            {
                return choice.Value;
            }
        }
        throw new TokenizerFormatException(
            $"The {where} field \"{name}\" is \"{text}\"; expected one of {string.Join(", ", choices.Select(c => $"\"{c.Name}\""))}.");
    }

    public TokenizerJsonFields? OptionalObject(string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Object
            ? new TokenizerJsonFields(value, $"{where} field \"{name}\"")
            : throw Wrong(name, "an object", value);
    }

    public string[] RequiredStringArray(string name) => OptionalStringArray(name) ?? throw Missing(name, "an array of strings");

    public string[]? OptionalStringArray(string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Wrong(name, "an array of strings", value);
        }
        var result = new string[value.GetArrayLength()];
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw new TokenizerFormatException(
                    $"The {where} field \"{name}\" item {index} is {item.ValueKind}; expected a string.");
            }
            result[index] = Text(item, $"field \"{name}\" item {index}");
            index++;
        }
        return result;
    }

    /// <summary>A JSON string's text; an escaped lone surrogate (<c>\ud800</c>) is not text, and is refused naming the field.</summary>
    private string Text(JsonElement value, string what)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new TokenizerFormatException($"The {where} {what} is not valid Unicode text (it holds a lone surrogate escape).");
        }
    }

    private TokenizerFormatException Missing(string name, string expected) =>
        new($"The {where} has no field \"{name}\"; it must be {expected}.");

    private TokenizerFormatException Wrong(string name, string expected, JsonElement value) =>
        new($"The {where} field \"{name}\" is {value.ValueKind}; expected {expected}.");
}
