using System.Text.Json;
using System.Text.Json.Nodes;

namespace LstmText.Tests.Fuzz;

/// <summary>
/// Changes one thing in a JSON document, as an attacker or a damaged file would: a number becomes an edge value, a value
/// changes type, a property or element disappears or doubles. Strings that hold JSON themselves (a model file's
/// metadata: config, tokenizer, training record) are mutated inside when asked.
/// </summary>
internal static class JsonMutation
{
    private static readonly double[] EdgeNumbers =
    [
        0, 1, -1, 2, 3, 7, 255, 256, 65535, 65536, int.MaxValue, 2147483648d, 4294967295d, 4294967296d, 9007199254740993d,
        1e6, 1e9, 1e18, 1e19, 0.5, -0.5, -1e9, 1e308, -2147483648d,
    ];

    /// <summary>One mutation of <paramref name="json"/>, chosen by <paramref name="random"/>; the text as is when it is not JSON.</summary>
    public static string Mutate(string json, Random random, bool intoJsonStrings)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return json;
        }
        if (root is null) return json;
        var places = new List<(JsonNode? Parent, string? Key, int Index, JsonNode? Node)>();
        Collect(root, null, null, -1, places);
        var numbers = places.Where(p => p.Node is JsonValue v && v.GetValueKind() == JsonValueKind.Number).ToList();
        var jsonStrings = intoJsonStrings
            ? places.Where(p => p.Node is JsonValue v && v.GetValueKind() == JsonValueKind.String && LooksLikeJson(v.GetValue<string>())).ToList()
            : [];
        int choice = random.Next(10);
        if (choice < 3 && jsonStrings.Count > 0)
        {
            var place = jsonStrings[random.Next(jsonStrings.Count)];
            string inner = Mutate(place.Node!.GetValue<string>(), random, intoJsonStrings: false);
            Replace(place, JsonValue.Create(inner));
        }
        else if (choice < 7 && numbers.Count > 0)
        {
            var place = numbers[random.Next(numbers.Count)];
            double old = place.Node!.GetValue<double>();
            double value = random.Next(4) switch
            {
                0 => old + 1,
                1 => old - 1,
                2 => old * (random.Next(2) == 0 ? 1000 : 1e9),
                _ => EdgeNumbers[random.Next(EdgeNumbers.Length)],
            };
            Replace(place, value == Math.Floor(value) && Math.Abs(value) < 9e18 ? JsonValue.Create((long)value) : JsonValue.Create(value));
        }
        else if (places.Count > 1)
        {
            var place = places[1 + random.Next(places.Count - 1)];
            switch (random.Next(4))
            {
                case 0:
                    Remove(place);
                    break;
                case 1:
                    Replace(place, random.Next(5) switch
                    {
                        0 => null,
                        1 => JsonValue.Create("x"),
                        2 => JsonValue.Create(true),
                        3 => new JsonArray(),
                        _ => new JsonObject(),
                    });
                    break;
                case 2 when place.Parent is JsonArray array:
                    array.Add(place.Node?.DeepClone());
                    break;
                default:
                    if (place.Node is JsonValue text && text.GetValueKind() == JsonValueKind.String)
                    {
                        string s = text.GetValue<string>();
                        Replace(place, JsonValue.Create(s.Length == 0 ? "\uFFFD" : s[..random.Next(s.Length)]));
                    }
                    else
                    {
                        Remove(place);
                    }
                    break;
            }
        }
        return root.ToJsonString();
    }

    /// <summary>A raw text mutation: cut the text short, or change a few of its characters.</summary>
    public static string MutateText(string text, Random random)
    {
        if (text.Length == 0) return "{";
        if (random.Next(2) == 0) return text[..random.Next(text.Length)];
        var chars = text.ToCharArray();
        const string replacements = "{}[]\",:0-9eE \\\u0000\uD800";
        for (int i = 0, n = 1 + random.Next(4); i < n; i++)
            chars[random.Next(chars.Length)] = replacements[random.Next(replacements.Length)];
        return new string(chars);
    }

    private static bool LooksLikeJson(string text) => text.Length > 1 && text[0] is '{' or '[';

    private static void Collect(JsonNode? node, JsonNode? parent, string? key, int index, List<(JsonNode?, string?, int, JsonNode?)> places)
    {
        places.Add((parent, key, index, node));
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList()) Collect(child, obj, name, -1, places);
                break;
            case JsonArray array:
                for (int i = 0; i < array.Count; i++) Collect(array[i], array, null, i, places);
                break;
        }
    }

    private static void Replace((JsonNode? Parent, string? Key, int Index, JsonNode? Node) place, JsonNode? value)
    {
        switch (place.Parent)
        {
            case JsonObject obj: obj[place.Key!] = value; break;
            case JsonArray array: array[place.Index] = value; break;
        }
    }

    private static void Remove((JsonNode? Parent, string? Key, int Index, JsonNode? Node) place)
    {
        switch (place.Parent)
        {
            case JsonObject obj: obj.Remove(place.Key!); break;
            case JsonArray array: array.RemoveAt(place.Index); break;
        }
    }
}
