using System.Globalization;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using LstmText.IO;
using LstmText.Models;

namespace LstmText.Tests.Data;

/// <summary>
/// Mutates valid CSV, TSV and JSON Lines tables (random bytes, quotes, delimiters, line breaks, Latin-1 bytes, a
/// byte order mark, huge fields, truncation) and classifies them: every outcome is a labelled table that reads
/// back with one row per row counted, or one of the documented exceptions, within a time and memory bound.
/// LSTMTEXT_FUZZ_ITERATIONS sets the number of cases (CI runs a few dozen; see README, "Fuzzing").
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class TableFuzzTests : IDisposable
{
    private static readonly string[] Classes = ["negative", "positive"];
    private static readonly string[] Words = ["good", "bad", "film", "café", "naïve", "日本", "😀", "a,b", "say \"hi\"", "two\nlines", "tab\there", " ", ""];
    private readonly string _folder = Directory.CreateTempSubdirectory("lstmtext-table-fuzz-").FullName;
    private int _case;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The number of cases, from LSTMTEXT_FUZZ_ITERATIONS (default 40: a few seconds).</summary>
    internal static int Iterations =>
        int.TryParse(Environment.GetEnvironmentVariable("LSTMTEXT_FUZZ_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 40;

    /// <summary>One case: the format, whether it is read as Latin-1, the bytes and what was done to them.</summary>
    public sealed record TableCase(TableFormat Format, bool Latin1, byte[] Bytes, string Mutations)
    {
        public override string ToString() => $"{Format}{(Latin1 ? " latin1" : "")}, {Bytes.Length} bytes, {Mutations}";
    }

    private static IReadOnlyList<ClassPrediction> Classify(IReadOnlyList<string> texts) =>
        [.. texts.Select(text => text.Length % 2 == 0
            ? new ClassPrediction("positive", 0.75f, [0.25f, 0.75f])
            : new ClassPrediction("negative", 0.75f, [0.75f, 0.25f]))];

    private static Gen<string> Field { get; } = Gen.ListOf(Gen.Elements(Words), 4).Select(words => string.Join(' ', words));

    private static string CsvField(string value, char delimiter) =>
        value.IndexOfAny([delimiter, '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;

    private static Gen<(TableFormat, byte[])> ValidTable { get; } =
        from format in Gen.Elements(TableFormat.Csv, TableFormat.Tsv, TableFormat.JsonLines)
        from extra in Gen.SubListOf("id", "label", "note")
        from rows in Gen.Choose(0, 25).SelectMany(count => Gen.ListOf(Gen.ListOf(Field, extra.Count + 1), count))
        select (format, Render(format, ["text", .. extra], rows));

    private static byte[] Render(TableFormat format, IReadOnlyList<string> columns, IEnumerable<IEnumerable<string>> rows)
    {
        var text = new StringBuilder();
        if (format == TableFormat.JsonLines)
        {
            foreach (var row in rows)
            {
                text.Append(JsonSerializer.Serialize(columns.Zip(row).ToDictionary(pair => pair.First, pair => pair.Second))).Append('\n');
            }
        }
        else
        {
            var delimiter = format == TableFormat.Tsv ? '\t' : ',';
            text.Append(string.Join(delimiter, columns)).Append('\n');
            foreach (var row in rows)
            {
                text.Append(string.Join(delimiter, row.Select(field => CsvField(field, delimiter)))).Append('\n');
            }
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>One change to the bytes, at a position given as a fraction (0–1000) of their length.</summary>
    private sealed record Mutation(int Kind, int Where, int Value, int Length, int Huge, byte Fill)
    {
        public string Name => Kind switch
        {
            0 => $"byte {Value:X2} at {Where}",
            1 => $"{Length} random bytes at {Where}",
            2 => $"quote at {Where}",
            3 => $"delimiters at {Where}",
            4 => $"line break at {Where}",
            5 => $"Latin-1 byte {0x80 | Value:X2} at {Where}",
            6 => $"huge field of {Huge} x {Fill:X2} at {Where}",
            7 => $"truncated at {Where}",
            8 => $"{Length * 10} bytes deleted at {Where}",
            9 => "byte order mark",
            _ => $"NUL at {Where}",
        };

        public byte[] Apply(byte[] bytes)
        {
            var at = (int)((long)bytes.Length * Where / 1000);
            byte[] Insert(byte[] inserted) => [.. bytes[..at], .. inserted, .. bytes[at..]];
            return Kind switch
            {
                0 => Insert([(byte)Value]),
                1 => Insert([.. Enumerable.Range(0, Length).Select(i => (byte)((Value * 31 + i * 97) & 0xFF))]),
                2 => Insert("\""u8.ToArray()),
                3 => Insert(",\t,"u8.ToArray()),
                4 => Insert(Value % 3 == 0 ? "\r"u8.ToArray() : Value % 3 == 1 ? "\n"u8.ToArray() : "\r\n"u8.ToArray()),
                5 => Insert([(byte)(0x80 | Value)]),
                6 => Insert(Enumerable.Repeat(Fill, Huge).ToArray()),
                7 => bytes[..at],
                8 => [.. bytes[..at], .. bytes[Math.Min(bytes.Length, at + Length * 10)..]],
                9 => [0xEF, 0xBB, 0xBF, .. bytes],
                _ => Insert([0]),
            };
        }
    }

    private static Gen<Mutation> Mutations { get; } =
        from position in Gen.Choose(0, 1000)
        from kind in Gen.Choose(0, 10)
        from value in Gen.Choose(0, 255)
        from length in Gen.Choose(1, 8)
        from huge in Gen.Choose(100_000, 300_000)
        from fill in Gen.Elements((byte)'a', (byte)'"', (byte)',', (byte)'\t', (byte)'\n', (byte)0xE9)
        select new Mutation(kind, position, value, length, huge, fill);

    private static Arbitrary<TableCase> Cases { get; } = Arb.From(
        from table in ValidTable
        from latin1 in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        from mutations in Gen.Choose(1, 4).SelectMany(count => Gen.ListOf(Mutations, count))
        select new TableCase(table.Item1, latin1, mutations.Aggregate(table.Item2, (bytes, m) => m.Apply(bytes)), string.Join("; ", mutations.Select(m => m.Name))));

    /// <summary>Classifies one case on a thread of its own, so that its allocations can be counted and its time bounded.</summary>
    private bool Holds(TableCase table)
    {
        var n = Interlocked.Increment(ref _case);
        var extension = table.Format switch { TableFormat.Csv => ".csv", TableFormat.Tsv => ".tsv", _ => ".jsonl" };
        var input = Path.Combine(_folder, $"case{n}{extension}");
        var output = Path.Combine(_folder, $"case{n}-out{extension}");
        File.WriteAllBytes(input, table.Bytes);
        var options = new TableClassificationOptions
        {
            Input = new TableReadOptions { Encoding = table.Latin1 ? TextCorpus.EncodingNamed("latin1") : null },
            BatchSize = 7,
        };
        TableClassificationSummary? summary = null;
        Exception? failure = null;
        long allocated = 0;
        var worker = new Thread(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                summary = TableClassification.Run(input, output, Classes, Classify, options);
            }
            catch (Exception e)
            {
                failure = e;
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        worker.Start();
        // A liveness bound, far above the tens of milliseconds a case takes: a case that hangs fails, it does not stall CI.
        Assert.True(worker.Join(TimeSpan.FromSeconds(60)), $"{table}: still running after 60 s");
        Assert.True(allocated < 64L * table.Bytes.Length + (64L << 20), $"{table}: allocated {allocated:N0} bytes for {table.Bytes.Length:N0} of input");
        try
        {
            if (failure is not null)
            {
                // The documented failures: bytes that are not UTF-8, and no text column (which an empty or broken header leaves).
                Assert.True(failure is TableEncodingException or InvalidDataException, $"{table}: {failure}");
                Assert.False(File.Exists(output), $"{table}: a failed run left {output}");
                return true;
            }
            // The labelled table is valid UTF-8 and holds one row per row counted, each with the added columns.
            using var labelled = TableReader.Open(output);
            var rows = labelled.ReadRows().ToList();
            Assert.Equal(summary!.Rows, rows.Count);
            Assert.Equal(summary.Rows, summary.Classified + summary.Errors);
            if (table.Format != TableFormat.JsonLines)
            {
                Assert.All(rows, row => Assert.Null(row.Problem)); // a JSON line that is not valid text is written back as it was
            }
            return true;
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }

    [Fact]
    public void Mutated_tables_give_a_labelled_table_or_a_documented_error()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Iterations), Prop.ForAll(Cases, Holds));
    }
}
