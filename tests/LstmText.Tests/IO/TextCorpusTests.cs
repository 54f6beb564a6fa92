using System.Text;
using LstmText.IO;

namespace LstmText.Tests.IO;

public sealed class TextCorpusTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("lstmtext-corpus");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void Lines_drop_their_breaks_and_the_byte_order_mark()
    {
        var path = Write("bom.txt", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("first\r\nsecond\n\nfourth \U0001F600")]);
        Assert.Equal(["first", "second", "", "fourth \U0001F600"], TextCorpus.FromFile(path).ReadLines());
    }

    [Fact]
    public void Invalid_Utf8_names_the_file_and_byte_offset()
    {
        var bytes = Encoding.UTF8.GetBytes(new string('a', 70_000) + "\u00E9").Concat(new byte[] { 0xC3, 0x28 }).ToArray();
        var path = Write("bad.txt", bytes);
        var error = Assert.Throws<CorpusFormatException>(() => TextCorpus.FromFile(path).ReadChunks().ToList());
        Assert.Equal(70_002, error.ByteOffset);
        Assert.Equal(path, error.FilePath);
        Assert.Contains("bad.txt", error.Message);
        Assert.Contains("70002", error.Message);
    }

    [Fact]
    public void Invalid_Utf8_can_be_replaced()
    {
        var path = Write("bad.txt", [0x61, 0xFF, 0x62, 0xE2, 0x82]);
        var text = string.Concat(TextCorpus.FromFile(path, new CorpusReadOptions { InvalidBytes = InvalidTextHandling.Replace }).ReadChunks());
        Assert.Equal("a\uFFFDb\uFFFD", text);
    }

    [Fact]
    public void A_character_split_across_read_blocks_survives()
    {
        var text = new string('x', (1 << 16) - 1) + "\U0001F600\u00E9 end";
        var path = Write("split.txt", Encoding.UTF8.GetBytes(text));
        Assert.Equal(text, string.Concat(TextCorpus.FromFile(path).ReadChunks()));
    }

    [Fact]
    public void Chunks_end_at_line_breaks_and_join_to_the_exact_text()
    {
        var text = string.Concat(Enumerable.Range(0, 3000).Select(i => $"line {i} \u4E2D\U0001F600\r\n"));
        var path = Write("lines.txt", Encoding.UTF8.GetBytes(text));
        var chunks = TextCorpus.FromFile(path).ReadChunks(1000).ToList();
        Assert.True(chunks.Count > 10);
        Assert.All(chunks, chunk => Assert.EndsWith("\n", chunk));
        Assert.All(chunks, chunk => Assert.True(chunk.Length <= 1000));
        Assert.Equal(text, string.Concat(chunks));
    }

    [Fact]
    public void A_line_longer_than_a_chunk_is_cut_between_characters()
    {
        var text = string.Concat(Enumerable.Repeat("\U0001F600", 100));
        var path = Write("long.txt", Encoding.UTF8.GetBytes(text));
        var chunks = TextCorpus.FromFile(path).ReadChunks(7).ToList();
        Assert.All(chunks, chunk => Assert.False(char.IsHighSurrogate(chunk[^1])));
        Assert.Equal(text, string.Concat(chunks));
    }

    [Fact]
    public void Latin1_and_Windows1252_are_read_when_asked()
    {
        var path = Write("latin.txt", [0x63, 0x61, 0x66, 0xE9, 0x20, 0x80, 0x93]);
        var latin1 = string.Concat(TextCorpus.FromFile(path, new CorpusReadOptions { Encoding = Encoding.Latin1 }).ReadChunks());
        Assert.Equal("caf\u00E9 \u0080\u0093", latin1);
        var windows = string.Concat(TextCorpus.FromFile(path, new CorpusReadOptions { Encoding = TextCorpus.EncodingNamed("windows-1252") }).ReadChunks());
        Assert.Equal("caf\u00E9 \u20AC\u201C", windows);
        Assert.Throws<CorpusFormatException>(() => TextCorpus.FromFile(path).ReadLines().ToList());
    }

    [Fact]
    public void Utf16_with_a_byte_order_mark_is_detected()
    {
        var path = Write("utf16.txt", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("wide \U0001F600\nline")]);
        Assert.Equal(["wide \U0001F600", "line"], TextCorpus.FromFile(path).ReadLines());
    }

    [Fact]
    public void Folders_are_read_in_path_order_and_missing_paths_are_named()
    {
        Directory.CreateDirectory(Path.Combine(folder.FullName, "sub"));
        Write("sub/b.txt", Encoding.UTF8.GetBytes("bee\n"));
        Write("a.txt", Encoding.UTF8.GetBytes("ay"));
        Write("skip.csv", Encoding.UTF8.GetBytes("no"));
        Assert.Equal(["ay", "bee"], TextCorpus.FromDirectory(folder.FullName).ReadLines());
        var missing = Path.Combine(folder.FullName, "missing.txt");
        var error = Assert.Throws<FileNotFoundException>(() => TextCorpus.FromPaths([missing]));
        Assert.Contains("missing.txt", error.Message);
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(folder.FullName, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
