using LstmText.Tokenizers;

namespace LstmText.Tests.Tokenizers;

public class StreamingEncodingTests
{
    [Fact]
    public void ChunkedGpt2EncodingEqualsEncodingTheWholeText()
    {
        var gpt2 = Gpt2Files.Tokenizer;
        for (var seed = 0; seed < 100; seed++)
        {
            var text = RandomUnicode.Seeded(seed, 80) + "\n\n  end\n\n";
            var random = new Random(seed);
            var chunks = new List<string>();
            for (var start = 0; start < text.Length;)
            {
                var length = Math.Min(text.Length - start, random.Next(1, 12));
                if (char.IsHighSurrogate(text[start + length - 1]) && start + length < text.Length)
                {
                    length++;
                }
                chunks.Add(text.Substring(start, length));
                start += length;
            }
            Assert.Equal(gpt2.Encode(text), gpt2.EncodeChunks(chunks).SelectMany(ids => ids));
        }
    }

    [Fact]
    public void ChunksCutAfterALineBreakKeepGpt2sDoubleNewlineToken()
    {
        var gpt2 = Gpt2Files.Tokenizer;
        string[] chunks = ["First paragraph.\n", "\n"];
        Assert.Equal(gpt2.Encode(string.Concat(chunks)), gpt2.EncodeChunks(chunks).SelectMany(ids => ids));
        Assert.Contains(628, gpt2.Encode(string.Concat(chunks))); // "\n\n" is one GPT-2 token
    }
}
