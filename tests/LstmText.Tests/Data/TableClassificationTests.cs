using System.Text;
using System.Text.Json.Nodes;
using LstmText.IO;
using LstmText.Models;
using LstmText.Tests.IO;

namespace LstmText.Tests.Data;

public sealed class TableClassificationTests : IDisposable
{
    private static readonly string[] Classes = ["negative", "positive"];

    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A stand-in classifier: positive when the text holds "good", with a confidence of 0.75.</summary>
    private static IReadOnlyList<ClassPrediction> Classify(IReadOnlyList<string> texts) =>
        [.. texts.Select(text => text.Contains("good")
            ? new ClassPrediction("positive", 0.75f, [0.25f, 0.75f])
            : new ClassPrediction("negative", 0.75f, [0.75f, 0.25f]))];

    private string Write(string name, string text)
    {
        var path = _folder.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Every_column_and_row_is_kept_in_order_with_the_prediction_and_errors_added()
    {
        var input = Write("in.csv", "id,review,stars\n1,\"good,\nvery good\",5\n2,,3\n3,bad,1\n4,good,5,extra\n");
        var output = _folder.File("out.csv");

        var summary = TableClassification.Run(input, output, Classes, Classify, new TableClassificationOptions { BatchSize = 2 });

        Assert.Equal(
            "id,review,stars,label,confidence,p_negative,p_positive,error\n" +
            "1,\"good,\nvery good\",5,positive,0.75,0.25,0.75,\n" +
            "2,,3,,,,,the text is empty\n" +
            "3,bad,1,negative,0.75,0.75,0.25,\n" +
            "4,good,5,,,,,the row has 4 fields and the header 3; only its first 3 fields are written\n",
            File.ReadAllText(output));
        Assert.Equal((4L, 2L, 2L), (summary.Rows, summary.Classified, summary.Errors));
        Assert.Equal([new DataIssue(input, 4, "the text is empty"), new DataIssue(input, 6, "the row has 4 fields and the header 3")], summary.FirstErrors);
    }

    [Fact]
    public void Tsv_is_written_back_as_tsv_and_headerless_input_stays_headerless()
    {
        var input = Write("in.tsv", "good film\t7\nbad film\t8\n");
        var output = _folder.File("out.tsv");

        TableClassification.Run(input, output, Classes, Classify,
            new TableClassificationOptions { Input = new TableReadOptions { HasHeader = false }, TextColumn = TableColumn.AtIndex(0) });

        Assert.Equal("good film\t7\tpositive\t0.75\t0.25\t0.75\t\nbad film\t8\tnegative\t0.75\t0.75\t0.25\t\n", File.ReadAllText(output));
    }

    [Fact]
    public void Json_lines_keep_the_original_object_and_add_the_fields()
    {
        var input = Write("in.jsonl", "{\"id\":7,\"text\":\"good caf\u00e9\",\"meta\":{\"a\":[1,2]}}\n{\"id\":8,\"text\":\"\"}\nnot json\n");
        var output = _folder.File("out.jsonl");

        var summary = TableClassification.Run(input, output, Classes, Classify);

        var lines = File.ReadAllLines(output);
        Assert.Equal(3, lines.Length);
        Assert.Equal("{\"id\":7,\"text\":\"good caf\u00e9\",\"meta\":{\"a\":[1,2]},\"label\":\"positive\",\"confidence\":0.75,\"p_negative\":0.25,\"p_positive\":0.75,\"error\":null}", lines[0]);
        Assert.Equal("the text is empty or missing", JsonNode.Parse(lines[1])!["error"]!.GetValue<string>());
        Assert.Equal(8, JsonNode.Parse(lines[1])!["id"]!.GetValue<int>());
        Assert.StartsWith("the line is not valid JSON", JsonNode.Parse(lines[2])!["error"]!.GetValue<string>());
        Assert.Equal((3L, 1L, 2L), (summary.Rows, summary.Classified, summary.Errors));
    }

    [Fact]
    public void A_latin1_table_is_read_with_its_accents_and_invalid_utf8_stops_with_its_line_and_offset_and_writes_nothing()
    {
        var latin = _folder.File("sms.csv");
        File.WriteAllBytes(latin, Encoding.Latin1.GetBytes("label,message\nham,good ma\u00f1ana\n"));
        var broken = _folder.File("broken.csv");
        File.WriteAllBytes(broken, [.. "text\n"u8, (byte)'x', 0xFF, .. "\ngood\n"u8]);

        TableClassification.Run(latin, _folder.File("sms-out.csv"), Classes, Classify,
            new TableClassificationOptions { Input = new TableReadOptions { Encoding = TextCorpus.EncodingNamed("latin1") } });
        // Read as UTF-8 the row would come back with U+FFFD in place of its byte: the run stops instead, and writes nothing.
        var error = Assert.Throws<TableEncodingException>(() => TableClassification.Run(broken, _folder.File("broken-out.csv"), Classes, Classify));

        Assert.Contains("ham,good ma\u00f1ana,", File.ReadAllText(_folder.File("sms-out.csv")));
        Assert.Equal("predicted_label", File.ReadAllText(_folder.File("sms-out.csv")).Split(',')[2]);
        Assert.Equal((2L, 6L), (error.Line, error.ByteOffset));
        Assert.Equal($"{broken}: line 2 is not valid UTF-8 (the first bad byte is at byte offset 6).", error.Message);
        Assert.False(File.Exists(_folder.File("broken-out.csv")));
    }

    [Fact]
    public void A_classifier_that_throws_half_way_leaves_no_output_file_and_no_temporary_file()
    {
        var input = Write("in.csv", "text\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"good {i}\n")));
        var output = _folder.File("out.csv");
        var calls = 0;

        Assert.Throws<InvalidOperationException>(() => TableClassification.Run(input, output, Classes, texts =>
            ++calls == 3 ? throw new InvalidOperationException("model failed") : Classify(texts),
            new TableClassificationOptions { BatchSize = 10 }));

        Assert.Equal([input], Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void Standard_input_and_output_work_through_text_readers_and_writers()
    {
        using var input = TableReader.Open(new StringReader("sentence,n\ngood,1\nbad,2\n"), TableFormat.Csv);
        var output = new StringWriter();

        var summary = TableClassification.Run(input, output, Classes, Classify);

        Assert.Equal("sentence,n,label,confidence,p_negative,p_positive,error\ngood,1,positive,0.75,0.25,0.75,\nbad,2,negative,0.75,0.75,0.25,\n", output.ToString());
        Assert.Equal(2, summary.Classified);
    }

    [Fact]
    public void The_default_text_column_is_text_review_sentence_or_message_and_else_an_error_lists_the_columns()
    {
        using var message = TableReader.Open(new StringReader("id,Message\n1,hi\n"), TableFormat.Csv);
        using var none = TableReader.Open(new StringReader("id,body\n1,hi\n"), TableFormat.Csv, sourceName: "in.csv");

        Assert.Equal(1, message.FindTextColumn(null));
        var error = Assert.Throws<InvalidDataException>(() => TableClassification.Run(none, new StringWriter(), Classes, Classify));
        Assert.Equal("in.csv: no column is named text, review, sentence or message (any case), so choose the text column by name or 0-based index. The columns are: 'id', 'body'.", error.Message);
    }

    [Fact]
    public void A_missing_text_column_leaves_no_output_file()
    {
        var input = Write("in.csv", "id,body\n1,hi\n");

        Assert.Throws<InvalidDataException>(() => TableClassification.Run(input, _folder.File("out.csv"), Classes, Classify));

        Assert.Equal([input], Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void An_unterminated_quote_keeps_its_row_with_an_error_and_swallows_no_row_after_it()
    {
        var input = Write("in.csv", "text,n\ngood,1\n\"never closed,2\nbad,3\nfine,4\n");
        var output = _folder.File("out.csv");

        var summary = TableClassification.Run(input, output, Classes, Classify);

        Assert.Equal((4L, 3L, 1L), (summary.Rows, summary.Classified, summary.Errors));
        Assert.Equal(3, summary.FirstErrors.Single().Line);
        Assert.Contains("not closed", summary.FirstErrors.Single().Message);
        var lines = File.ReadAllLines(output);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("\"never closed,2\",,,", lines[2]);   // the quote runs to the end of its line, and no further
        Assert.StartsWith("bad,3,negative,", lines[3]);
        Assert.StartsWith("fine,4,", lines[4]);
    }

    [Fact]
    public void A_quote_closed_on_a_later_line_out_of_place_swallows_no_row_and_a_real_multi_line_field_stays_whole()
    {
        // The quote opened on line 3 closes on line 5, inside a field that is quoted properly: one record of three
        // lines with text after its closing quote. Line 6 holds a real quoted field over two lines.
        var input = Write("in.csv", "n,text\n1,good\n2,\"open\n3,bad\n4,\"so, good\"\n5,\"good\nstill good\"\n");
        var output = _folder.File("out.csv");

        var summary = TableClassification.Run(input, output, Classes, Classify);

        var text = File.ReadAllText(output);
        Assert.Contains("\n3,bad,negative,", text);
        Assert.Contains("\n4,\"so, good\",positive,", text);
        Assert.Contains("\n5,\"good\nstill good\",positive,", text);
        Assert.Equal((5L, 1L), (summary.Rows, summary.Errors));
        Assert.Equal(3, summary.FirstErrors.Single().Line);
    }

    [Fact]
    public void Json_lines_with_a_key_given_twice_or_half_a_surrogate_are_flagged_and_written_back_as_they_were()
    {
        // Both were found by TableFuzzTests: the first threw ArgumentException, the second InvalidOperationException.
        var input = Write("in.jsonl", "{\"text\":\"good\"}\n{\"text\":\"a\",\"text\":\"b\"}\n{\"text\":\"x\\ud83d y\"}\n{\"text\":\"bad\"}\n");
        var output = _folder.File("out.jsonl");

        var summary = TableClassification.Run(input, output, Classes, Classify);

        Assert.Equal((4L, 2L, 2L), (summary.Rows, summary.Classified, summary.Errors));
        Assert.Equal([2L, 3L], summary.FirstErrors.Select(issue => issue.Line));
        var lines = File.ReadAllLines(output);
        Assert.StartsWith("{\"text\":\"x\\ud83d y\",\"label\":null,", lines[2]);
        Assert.Contains("unpaired surrogate", lines[2]);
    }

    [Fact]
    public void Progress_is_told_after_every_batch()
    {
        var input = Write("in.csv", "text\n" + string.Concat(Enumerable.Range(0, 25).Select(i => $"good {i}\n")));
        var reports = new List<long>();

        TableClassification.Run(input, _folder.File("out.csv"), Classes, Classify,
            new TableClassificationOptions { BatchSize = 10 }, new SynchronousProgress(summary => reports.Add(summary.Rows)));

        Assert.Equal([10L, 20L, 25L], reports);
    }

    private sealed class SynchronousProgress(Action<TableClassificationSummary> report) : IProgress<TableClassificationSummary>
    {
        public void Report(TableClassificationSummary value) => report(value);
    }
}
