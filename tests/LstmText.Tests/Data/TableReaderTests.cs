using LstmText.IO;

namespace LstmText.Tests.Data;

public sealed class TableReaderTests
{
    [Fact]
    public void Json_lines_columns_are_the_first_objects_keys_and_later_rows_are_read_by_name()
    {
        using var reader = TableReader.Open(new StringReader("{\"id\":1,\"text\":\"a\"}\n{\"text\":\"b\",\"id\":2,\"more\":true}\n{\"id\":3}\n"), TableFormat.JsonLines);

        var rows = reader.ReadRows().ToList();

        Assert.Equal(["id", "text"], reader.Columns);
        Assert.Equal([["1", "a"], ["2", "b"], ["3", ""]], rows.Select(row => row.Fields));
        Assert.Equal([1L, 2L, 3L], rows.Select(row => row.Line));
    }

    [Fact]
    public void A_table_without_a_header_names_its_columns_by_position_and_returns_its_first_row()
    {
        using var reader = TableReader.Open(new StringReader("x,1\ny,2\n"), TableFormat.Csv, new TableReadOptions { HasHeader = false });

        Assert.Equal(["0", "1"], reader.Columns);
        Assert.Equal([["x", "1"], ["y", "2"]], reader.ReadRows().Select(row => row.Fields));
        Assert.Throws<InvalidDataException>(() => reader.FindTextColumn(null));
    }

    [Fact]
    public void The_format_comes_from_the_extension_and_standard_input_must_name_it()
    {
        Assert.Equal(TableFormat.Tsv, TableReader.FormatOf("a/b.TSV"));
        Assert.Equal(TableFormat.JsonLines, TableReader.FormatOf("b.ndjson"));
        Assert.Throws<ArgumentException>(() => TableReader.FormatOf("b.xlsx"));
        Assert.Throws<ArgumentException>(() => TableReader.Open("-"));
    }

    [Fact]
    public void Rows_can_be_read_only_once()
    {
        using var reader = TableReader.Open(new StringReader("text\na\n"), TableFormat.Csv);

        Assert.Single(reader.ReadRows());
        Assert.Throws<InvalidOperationException>(() => reader.ReadRows().ToList());
    }
}
