using LstmText.Tokenizers;

namespace LstmText.Tests.Tokenizers;

public class StreamingEncodingTests
{
    [Fact]
    public void Chunked_Gpt2_encoding_equals_encoding_the_whole_text()
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
    public void Chunks_cut_after_a_line_break_keep_Gpt2s_double_newline_token()
    {
        var gpt2 = Gpt2Files.Tokenizer;
        string[] chunks = ["First paragraph.\n", "\n"];
        Assert.Equal(gpt2.Encode(string.Concat(chunks)), gpt2.EncodeChunks(chunks).SelectMany(ids => ids));
        Assert.Contains(628, gpt2.Encode(string.Concat(chunks))); // "\n\n" is one GPT-2 token
    }
}
