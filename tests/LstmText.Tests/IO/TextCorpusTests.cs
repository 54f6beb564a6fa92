using System.Text;
using LstmText.IO;

namespace LstmText.Tests.IO;

public sealed class TextCorpusTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("lstmtext-corpus");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void LinesDropTheirBreaksAndTheByteOrderMark()
    {
        var path = Write("bom.txt", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("first\r\nsecond\n\nfourth \U0001F600")]);
        Assert.Equal(["first", "second", "", "fourth \U0001F600"], TextCorpus.FromFile(path).ReadLines());
    }

    [Fact]
    public void InvalidUtf8NamesTheFileAndByteOffset()
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
    public void InvalidUtf8CanBeReplaced()
    {
        var path = Write("bad.txt", [0x61, 0xFF, 0x62, 0xE2, 0x82]);
        var text = string.Concat(TextCorpus.FromFile(path, new CorpusReadOptions { InvalidBytes = InvalidTextHandling.Replace }).ReadChunks());
        Assert.Equal("a\uFFFDb\uFFFD", text);
    }

    [Fact]
    public void ACharacterSplitAcrossReadBlocksSurvives()
    {
        var text = new string('x', (1 << 16) - 1) + "\U0001F600\u00E9 end";
        var path = Write("split.txt", Encoding.UTF8.GetBytes(text));
        Assert.Equal(text, string.Concat(TextCorpus.FromFile(path).ReadChunks()));
    }

    [Fact]
    public void ChunksEndAtLineBreaksAndJoinToTheExactText()
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
    public void ALineLongerThanAChunkIsCutBetweenCharacters()
    {
        var text = string.Concat(Enumerable.Repeat("\U0001F600", 100));
        var path = Write("long.txt", Encoding.UTF8.GetBytes(text));
        var chunks = TextCorpus.FromFile(path).ReadChunks(7).ToList();
        Assert.All(chunks, chunk => Assert.False(char.IsHighSurrogate(chunk[^1])));
        Assert.Equal(text, string.Concat(chunks));
    }

    [Fact]
    public void Latin1AndWindows1252AreReadWhenAsked()
    {
        var path = Write("latin.txt", [0x63, 0x61, 0x66, 0xE9, 0x20, 0x80, 0x93]);
        var latin1 = string.Concat(TextCorpus.FromFile(path, new CorpusReadOptions { Encoding = Encoding.Latin1 }).ReadChunks());
        Assert.Equal("caf\u00E9 \u0080\u0093", latin1);
        var windows = string.Concat(TextCorpus.FromFile(path, new CorpusReadOptions { Encoding = TextCorpus.EncodingNamed("windows-1252") }).ReadChunks());
        Assert.Equal("caf\u00E9 \u20AC\u201C", windows);
        Assert.Throws<CorpusFormatException>(() => TextCorpus.FromFile(path).ReadLines().ToList());
    }

    [Fact]
    public void Utf16WithAByteOrderMarkIsDetected()
    {
        var path = Write("utf16.txt", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("wide \U0001F600\nline")]);
        Assert.Equal(["wide \U0001F600", "line"], TextCorpus.FromFile(path).ReadLines());
    }

    [Fact]
    public void FoldersAreReadInPathOrderAndMissingPathsAreNamed()
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
