using System.Globalization;
using System.Reflection;
using LstmText.IO;
using Parquet;
using Parquet.Data;
using Parquet.Schema;

namespace LstmText.Parquet;

/// <summary>What the Parquet readers and writers share: finding columns, reading a column's values as text, copying a column.</summary>
internal static class ParquetColumns
{
    public static readonly string[] DefaultTextColumns = ["text", "review", "sentence", "message"];
    public static readonly string[] DefaultLabelColumns = ["label", "sentiment", "class", "category", "target"];

    private static readonly MethodInfo CopyMethod = typeof(ParquetColumns).GetMethod(nameof(CopyTyped), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo TextMethod = typeof(ParquetColumns).GetMethod(nameof(TextTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>The top-level column that <paramref name="chosen"/> (or else the first default name) picks, as a flat field of single values.</summary>
    /// <exception cref="InvalidDataException">No column matches, or it holds lists or groups; the message lists the columns.</exception>
    public static DataField Resolve(ParquetSchema schema, TableColumn? chosen, IReadOnlyList<string> defaults, string role, string source)
    {
        var names = schema.Fields.Select(field => field.Name).ToArray();
        var index = chosen?.FindIn(names) ?? defaults.Select(name => TableColumn.Named(name).FindIn(names)).FirstOrDefault(i => i >= 0, -1);
        if (index < 0)
        {
            var listed = names.Length == 0 ? "(none)" : string.Join(", ", names.Select(name => $"'{name}'"));
            var wanted = chosen is null
                ? $"no column is named {string.Join(", ", defaults.Take(defaults.Count - 1))} or {defaults[^1]} (any case), so choose the {role} column by name or 0-based index"
                : $"there is no {role} column {chosen}";
            throw new InvalidDataException($"{source}: {wanted}. The columns are: {listed}.");
        }
        if (schema.Fields[index] is not DataField field || field.MaxRepetitionLevel > 0)
        {
            throw new InvalidDataException($"{source}: the {role} column '{names[index]}' holds lists or groups, not one value per row.");
        }
        return field;
    }

    /// <summary>The column's values in a row group as text (numbers and booleans in invariant culture); null where a row has none.</summary>
    public static async Task<string?[]> ReadTextAsync(ParquetRowGroupReader rowGroup, DataField field, CancellationToken cancellation)
    {
        using var raw = await rowGroup.ReadRawColumnDataBaseAsync(field, cancellation).ConfigureAwait(false);
        var type = raw.GetType().GetGenericArguments()[0];
        return (string?[])TextMethod.MakeGenericMethod(type).Invoke(null, [raw, field])!;
    }

    /// <summary>Copies one leaf column of a row group as it is stored: values, definition and repetition levels.</summary>
    public static async Task CopyAsync(ParquetRowGroupReader from, DataField field, ParquetRowGroupWriter to, DataField target, CancellationToken cancellation)
    {
        using var raw = await from.ReadRawColumnDataBaseAsync(field, cancellation).ConfigureAwait(false);
        var type = raw.GetType().GetGenericArguments()[0];
        await ((Task)CopyMethod.MakeGenericMethod(type).Invoke(null, [raw, field, to, target, cancellation])!).ConfigureAwait(false);
    }

    /// <summary>Values hold the defined values packed at the front; the definition levels say which rows have one.</summary>
    private static string?[] TextTyped<T>(RawColumnData<T> raw, DataField field) where T : struct
    {
        var values = raw.Values;
        var defined = field.MaxDefinitionLevel;
        var levels = defined > 0 ? raw.DefinitionLevels : default;
        var rows = defined > 0 ? levels.Length : values.Length;
        var result = new string?[rows];
        var next = 0;
        for (var i = 0; i < rows; i++)
        {
            if (defined > 0 && levels[i] < defined) continue;
            result[i] = values[next++] switch
            {
                ReadOnlyMemory<char> chars => chars.ToString(),
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                var other => other.ToString(),
            };
        }
        return result;
    }

    private static Task CopyTyped<T>(RawColumnData<T> raw, DataField field, ParquetRowGroupWriter to, DataField target, CancellationToken cancellation)
        where T : struct
    {
        ReadOnlyMemory<int>? definition = field.MaxDefinitionLevel > 0 ? raw.DefinitionLevels.ToArray() : (ReadOnlyMemory<int>?)null;
        ReadOnlyMemory<int>? repetition = field.MaxRepetitionLevel > 0 ? raw.RepetitionLevels.ToArray() : (ReadOnlyMemory<int>?)null;
        return to.WriteAllPartsAsync<T>(target, raw.Values.ToArray(), definition, repetition, cancellation);
    }
}
