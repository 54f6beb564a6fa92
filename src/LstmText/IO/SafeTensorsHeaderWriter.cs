using System.Globalization;
using System.Text;
using LstmText.Tensors;

namespace LstmText.IO;

/// <summary>
/// Writes a safetensors JSON header byte for byte as the reference implementation (Rust, serde_json)
/// does, so a file we write for the same tensors and metadata is identical to one the Python
/// <c>safetensors</c> package writes.
/// </summary>
/// <remarks>
/// The header is written by hand rather than with System.Text.Json because serde_json's output differs
/// from it in details that change bytes: non-ASCII text is written raw rather than escaped, and control
/// characters use lowercase <c>\u00xx</c> escapes.
/// </remarks>
internal static class SafeTensorsHeaderWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The header for tensors already in data order, padded with spaces to a multiple of 8 bytes as the
    /// reference does (so the data section starts 8-byte aligned).
    /// </summary>
    public static byte[] Write(
        IReadOnlyList<(string Name, string DType, Shape Shape, long Begin, long End)> tensors,
        IReadOnlyList<KeyValuePair<string, string>> metadata)
    {
        var json = new StringBuilder();
        json.Append('{');
        bool first = true;
        if (metadata.Count > 0)
        {
            AppendString(json, SafeTensorsHeader.MetadataKey);
            json.Append(":{");
            for (int i = 0; i < metadata.Count; i++)
            {
                if (i > 0) json.Append(',');
                AppendString(json, metadata[i].Key);
                json.Append(':');
                AppendString(json, metadata[i].Value);
            }
            json.Append('}');
            first = false;
        }
        foreach (var (name, dtype, shape, begin, end) in tensors)
        {
            if (!first) json.Append(',');
            first = false;
            AppendString(json, name);
            json.Append(":{\"dtype\":\"").Append(dtype).Append("\",\"shape\":[");
            json.AppendJoin(',', shape.Dimensions.ToArray());
            json.Append("],\"data_offsets\":[").Append(begin).Append(',').Append(end).Append("]}");
        }
        json.Append('}');

        int length = StrictUtf8.GetByteCount(json.ToString());
        int padded = (length + 7) / 8 * 8;
        json.Append(' ', padded - length);
        return StrictUtf8.GetBytes(json.ToString());
    }

    /// <summary>Appends a JSON string with serde_json's escaping: only quote, backslash and control characters.</summary>
    private static void AppendString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)); break;
                default: json.Append(c); break;
            }
        }
        json.Append('"');
    }
}
