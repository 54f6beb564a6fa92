using Parquet;
using Parquet.Data;
using Parquet.Schema;

namespace LstmText.Parquet.Tests;

/// <summary>
/// A Parquet table written with Parquet.Net for the tests: three row groups (5, 4 and 3 rows) of
/// <c>id</c> (int64), <c>review</c> (string, with a null and a blank one), <c>tags</c> (a list of nullable ints, with a
/// null list, an empty list and a null element), <c>score</c> (nullable double) and <c>sentiment</c> (int32 label, one null).
/// </summary>
internal static class ReviewTable
{
    public static readonly int[] RowGroupSizes = [5, 4, 3];

    public static readonly DataField<long> Id = new("id");
    public static readonly DataField<string> Review = new("review");
    public static readonly ListField Tags = new("tags", new DataField<int?>("element"));
    public static readonly DataField<double?> Score = new("score");
    public static readonly DataField<int?> Sentiment = new("sentiment");

    /// <summary>The review of row <paramref name="row"/> (0-based over the file): good or bad, null at row 2, blank at row 7.</summary>
    public static string? ReviewOf(int row) => row switch
    {
        2 => null,
        7 => "   ",
        _ => row % 2 == 0 ? $"a good film number {row}" : $"a bad film number {row}",
    };

    public static int? SentimentOf(int row) => row == 9 ? null : row % 2 == 0 ? 1 : 0;

    public static async Task WriteAsync(string path)
    {
        var schema = new ParquetSchema(Id, Review, Tags, Score, Sentiment);
        using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        var row = 0;
        foreach (var size in RowGroupSizes)
        {
            using var group = writer.CreateRowGroup();
            var rows = Enumerable.Range(row, size).ToArray();
            await group.WriteAsync<long>(Id, rows.Select(r => 1000L + r).ToArray());
            await group.WriteAsync(Review, rows.Select(ReviewOf).ToArray());
            // Row r's tags: null when r % 4 == 1, [] when r % 4 == 2, [r, null] when r % 4 == 3, else [r, r + 1, r + 2].
            var values = new List<int>();
            var definition = new List<int>();
            var repetition = new List<int>();
            foreach (var r in rows)
            {
                switch (r % 4)
                {
                    case 1: values.Add(0); definition.Add(0); repetition.Add(0); break;
                    case 2: values.Add(0); definition.Add(1); repetition.Add(0); break;
                    case 3:
                        values.AddRange([r, 0]); definition.AddRange([3, 2]); repetition.AddRange([0, 1]); break;
                    default:
                        values.AddRange([r, r + 1, r + 2]); definition.AddRange([3, 3, 3]); repetition.AddRange([0, 1, 1]); break;
                }
            }
            await group.WriteAllPartsAsync<int>((DataField)Tags.Item, values.ToArray(), definition.ToArray(), repetition.ToArray(), default);
            await group.WriteAsync<double>(Score, rows.Select(r => r % 3 == 0 ? (double?)null : r / 2.0).ToArray());
            await group.WriteAsync<int>(Sentiment, rows.Select(SentimentOf).ToArray());
            group.CompleteValidate();
            row += size;
        }
    }

    /// <summary>Every leaf column of every row group as stored: values (as text), definition and repetition levels.</summary>
    public static async Task<List<(string Path, int Group, string[] Values, int[] Definition, int[] Repetition)>> RawColumnsAsync(string path, int leaves)
    {
        using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream);
        var result = new List<(string, int, string[], int[], int[])>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            foreach (var field in reader.Schema.DataFields.Take(leaves))
            {
                using var raw = await group.ReadRawColumnDataBaseAsync(field);
                var definition = field.MaxDefinitionLevel > 0 ? raw.DefinitionLevels.ToArray() : [];
                // The defined values are packed at the front; what follows them is unused space.
                var values = ValuesOf(raw);
                var defined = field.MaxDefinitionLevel > 0 ? definition.Count(level => level == field.MaxDefinitionLevel) : values.Length;
                result.Add((field.Path.ToString(), g, values[..defined], definition,
                    field.MaxRepetitionLevel > 0 ? raw.RepetitionLevels.ToArray() : []));
            }
        }
        return result;
    }

    private static string[] ValuesOf(RawColumnData raw) => raw switch
    {
        RawColumnData<long> longs => longs.Values.ToArray().Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
        RawColumnData<int> ints => ints.Values.ToArray().Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
        RawColumnData<double> doubles => doubles.Values.ToArray().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
        RawColumnData<ReadOnlyMemory<char>> strings => strings.Values.ToArray().Select(v => v.ToString()).ToArray(),
        RawColumnData<float> floats => floats.Values.ToArray().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
        _ => throw new InvalidOperationException($"no test reader for {raw.GetType()}"),
    };
}
