using System.Text;
using LstmText.Data;
using LstmText.IO;
using LstmText.Tests.IO;

namespace LstmText.Tests.Data;

public sealed class LabelledDataTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Write(string name, string text)
    {
        var path = _folder.File(name);
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    [Fact]
    public void A_csv_with_a_quoted_multi_line_field_keeps_the_field_whole_and_numbers_rows_by_physical_line()
    {
        var path = Write("reviews.csv", "id,review,sentiment\n1,\"Great,\nreally \"\"great\"\"\nfilm\",pos\n2,,neg\n3,Dull.,\n4,Fine.,pos\n");
        var issues = new DataIssues();

        var examples = LabelledData.Read(path, issues).ToList();

        Assert.Equal(2, examples.Count);
        Assert.Equal(new LabelledExample("Great,\nreally \"great\"\nfilm", "pos", 2, path), examples[0]);
        Assert.Equal(new LabelledExample("Fine.", "pos", 7, path), examples[1]);
        Assert.Equal([(5L, "the text is empty (row skipped)"), (6L, "the label is missing (row skipped)")],
            issues.Select(issue => (issue.Line, issue.Message)));
        Assert.All(issues, issue => Assert.Equal(path, issue.File));
    }

    [Fact]
    public void A_latin1_file_without_a_header_reads_label_first_with_its_accents()
    {
        var path = _folder.File("sms.csv");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes("ham,Ok lar... Joking wif u oni...\nspam,\"Free entry: caf\u00e9, ma\u00f1ana!\"\n"));
        var options = new LabelledDataOptions { HasHeader = false, Encoding = TextCorpus.EncodingNamed("iso-8859-1") };

        var examples = LabelledData.Read(path, new DataIssues(), options).ToList();

        Assert.Equal(["Ok lar... Joking wif u oni...", "Free entry: caf\u00e9, ma\u00f1ana!"], examples.Select(example => example.Text));
        Assert.Equal(["ham", "spam"], examples.Select(example => example.Label));
    }

    [Fact]
    public void A_windows_1252_file_reads_its_curly_quotes_and_euro_sign()
    {
        var path = _folder.File("cp1252.tsv");
        File.WriteAllBytes(path, [.. "text\tlabel\n"u8, 0x93, (byte)'5', 0x80, 0x94, .. "\tspam\n"u8]);

        var example = LabelledData.Read(path, new DataIssues(), new LabelledDataOptions { Encoding = TextCorpus.EncodingNamed("windows-1252") }).Single();

        Assert.Equal(new LabelledExample("\u201C5\u20AC\u201D", "spam", 2, path), example);
    }

    [Fact]
    public void A_utf8_byte_order_mark_does_not_become_part_of_the_first_column_name()
    {
        var path = _folder.File("bom.csv");
        File.WriteAllText(path, "text,label\nnice,1\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var examples = LabelledData.Read(path, new DataIssues()).ToList();

        Assert.Equal([new LabelledExample("nice", "1", 2, path)], examples);
    }

    [Fact]
    public void Invalid_utf8_stops_with_the_file_and_offset_or_is_replaced_when_asked()
    {
        var path = _folder.File("bad.csv");
        File.WriteAllBytes(path, [.. "text,label\n"u8, .. "ok,1\n"u8, (byte)'x', 0xFF, .. ",0\n"u8]);

        var error = Assert.Throws<CorpusFormatException>(() => LabelledData.Read(path, new DataIssues()).ToList());
        Assert.Equal(path, error.FilePath);
        Assert.Equal(16, error.ByteOffset);
        Assert.Contains("line 3", error.Message);

        var replaced = LabelledData.Read(path, new DataIssues(), new LabelledDataOptions { InvalidBytes = InvalidTextHandling.Replace }).ToList();
        Assert.Equal("x\uFFFD", replaced[1].Text);
    }

    [Fact]
    public void A_tsv_and_a_chosen_delimiter_read_like_csv()
    {
        var tsv = Write("glue.tsv", "sentence\tlabel\nhide new secretions from the parental units \t0\n");
        var semicolons = Write("semi.csv", "label;message\nspam;\"win; now\"\n");

        var fromTsv = LabelledData.Read(tsv, new DataIssues()).Single();
        var fromSemicolons = LabelledData.Read(semicolons, new DataIssues(), new LabelledDataOptions { Delimiter = ';' }).Single();

        Assert.Equal(new LabelledExample("hide new secretions from the parental units ", "0", 2, tsv), fromTsv);
        Assert.Equal(new LabelledExample("win; now", "spam", 2, semicolons), fromSemicolons);
    }

    [Fact]
    public void Columns_are_chosen_by_name_in_any_case_or_by_index()
    {
        var path = Write("imdb.csv", "id,sentiment,rating,review\ntrain_neg_0,neg,3,\"A pig. Absurd.\"\n");

        var byName = LabelledData.Read(path, new DataIssues(), new LabelledDataOptions { TextColumn = TableColumn.Named("REVIEW"), LabelColumn = TableColumn.Named("rating") }).Single();
        var byIndex = LabelledData.Read(path, new DataIssues(), new LabelledDataOptions { TextColumn = TableColumn.Parse("3"), LabelColumn = TableColumn.Parse("0") }).Single();

        Assert.Equal(new LabelledExample("A pig. Absurd.", "3", 2, path), byName);
        Assert.Equal(new LabelledExample("A pig. Absurd.", "train_neg_0", 2, path), byIndex);
    }

    [Fact]
    public void A_missing_column_is_an_error_that_lists_the_columns()
    {
        var path = Write("odd.csv", "id,body,stars\n1,hi,5\n");

        var error = Assert.Throws<InvalidDataException>(() => LabelledData.Read(path, new DataIssues()).ToList());

        Assert.Contains("text, review, sentence or message", error.Message);
        Assert.Contains("'id', 'body', 'stars'", error.Message);
    }

    [Fact]
    public void Malformed_rows_are_reported_with_their_line_and_skipped()
    {
        var path = Write("broken.csv", "text,label\ngood,1\ntoo,many,fields\nalso good,0\n\"never closed,1\nlost,0\n");
        var issues = new DataIssues();

        var examples = LabelledData.Read(path, issues).ToList();

        Assert.Equal(["good", "also good"], examples.Select(example => example.Text));
        Assert.Equal([3L, 5L], issues.Select(issue => issue.Line));
        Assert.Contains("number of fields", issues[0].Message);
        Assert.Contains("never closed", issues[1].Message);
    }

    [Fact]
    public void Json_lines_read_strings_and_numbers_and_report_bad_lines()
    {
        var path = Write("data.jsonl", "{\"text\":\"so good\",\"label\":1}\n\n{\"text\":\"meh\"}\nnot json\n{\"label\":\"neg\",\"text\":\"bad \\\"film\\\"\"}\n");
        var issues = new DataIssues();

        var examples = LabelledData.Read(path, issues).ToList();

        Assert.Equal([new LabelledExample("so good", "1", 1, path), new LabelledExample("bad \"film\"", "neg", 5, path)], examples);
        Assert.Equal([3L, 4L], issues.Select(issue => issue.Line));
    }

    [Fact]
    public void Sst_lines_put_the_label_first()
    {
        var path = Write("train.txt",
            "1 a stirring , funny and finally transporting re-imagining of beauty and the beast and 1930s horror films\n" +
            "0 apparently reassembled from the cutting-room floor of any given daytime soap .\n3\n");
        var issues = new DataIssues();

        var examples = LabelledData.Read(path, issues).ToList();

        Assert.Equal(["1", "0"], examples.Select(example => example.Label));
        Assert.StartsWith("a stirring", examples[0].Text);
        Assert.Equal([new DataIssue(path, 3, "the text is empty (row skipped)")], issues);
    }

    [Fact]
    public void Uci_lines_put_the_label_after_the_last_tab()
    {
        var path = Write("amazon_cells_labelled.txt",
            "So there is no way for me to plug it in here in the US unless I go by a converter.\t0\nGood case, Excellent value.\t1\nNo label here\n");
        var issues = new DataIssues();

        var examples = LabelledData.Read(path, issues).ToList();

        Assert.Equal([new LabelledExample("Good case, Excellent value.", "1", 2, path)], examples.Skip(1));
        Assert.Equal([new DataIssue(path, 3, "the label is missing (row skipped)")], issues);
    }

    [Fact]
    public void A_text_reader_is_read_like_a_file_and_names_its_source()
    {
        var issues = new DataIssues();

        var examples = LabelledData.Read(new StringReader("label,text\npos,\"two\nlines\"\nneg,\n"), LabelledDataFormat.Csv, issues).ToList();

        Assert.Equal([new LabelledExample("two\nlines", "pos", 2, "<stdin>")], examples);
        Assert.Equal([new DataIssue("<stdin>", 4, "the text is empty (row skipped)")], issues);
    }

    [Fact]
    public void Class_names_are_sorted_ordinally_with_their_counts()
    {
        LabelledExample[] examples = [new("a", "spam", 1), new("b", "ham", 2), new("c", "spam", 3), new("d", "Ham", 4)];

        Assert.Equal([new ClassCount("Ham", 1), new ClassCount("ham", 1), new ClassCount("spam", 2)], LabelledData.CountClasses(examples));
    }

    [Fact]
    public void The_shared_sst_and_uci_files_read_without_issues_when_present()
    {
        var sst = "/work/shared/data/sst2/train.txt";
        var uci = "/work/shared/data/uci-sentiment/yelp_labelled.txt";
        if (!File.Exists(sst) || !File.Exists(uci))
        {
            return;
        }
        var issues = new DataIssues();

        var sstClasses = LabelledData.CountClasses(LabelledData.Read(sst, issues));
        var uciClasses = LabelledData.CountClasses(LabelledData.Read(uci, issues));

        Assert.Empty(issues);
        Assert.Equal(["0", "1"], sstClasses.Select(count => count.Name));
        Assert.Equal(["0", "1"], uciClasses.Select(count => count.Name));
    }
}
