using LstmText.Tokenizers;

namespace LstmText.Tests.Tokenizers;

public class VocabularyGrowthTests
{
    [Fact]
    public void Char_growth_keeps_old_ids_and_appends_new_characters()
    {
        var tokenizer = CharTokenizer.Build(["abc"]);
        var growth = tokenizer.ExtendVocabulary(["abcxyzz \U0001F600"]);
        var extended = growth.Tokenizer;
        Assert.Equal(tokenizer.Vocabulary.Tokens, extended.Vocabulary.Tokens.Take(tokenizer.VocabularySize));
        Assert.Equal(Enumerable.Range(tokenizer.VocabularySize, 5), growth.NewIds);
        Assert.Equal("z", extended.TokenOf(growth.NewIds[0])); // the most frequent new character comes first
        Assert.Equal("abcxyzz \U0001F600", extended.Decode(extended.Encode("abcxyzz \U0001F600")));
        Assert.Equal(tokenizer.Encode("cab"), extended.Encode("cab"));
    }

    [Fact]
    public void Word_growth_respects_frequency_and_limit()
    {
        var tokenizer = WordTokenizer.Build(["the cat sat"]);
        var growth = tokenizer.ExtendVocabulary(["the dog dog dog ran ran far"], new VocabularyGrowthOptions { MinimumFrequency = 2, MaximumNewTokens = 1 });
        Assert.Equal(["dog"], growth.NewIds.Select(growth.Tokenizer.TokenOf));
        Assert.Equal(tokenizer.UnknownId, growth.Tokenizer.Encode("ran")[0]);
    }

    [Fact]
    public void Nothing_new_means_no_new_ids()
    {
        var tokenizer = WordTokenizer.Build(["the cat sat"]);
        var growth = tokenizer.ExtendVocabulary(["sat the cat"]);
        Assert.Empty(growth.NewIds);
        Assert.Equal(tokenizer.VocabularySize, growth.Tokenizer.VocabularySize);
    }

    [Fact]
    public void Bpe_growth_appends_merges_and_keeps_old_ones()
    {
        var tokenizer = BpeTokenizer.Train(["low lower lowest"], new BpeTrainingOptions { VocabularySize = 270 });
        var newCorpus = Enumerable.Repeat("zymurgy zymurgy zymurgical ", 10).ToArray();
        var growth = tokenizer.ExtendVocabulary(newCorpus, new VocabularyGrowthOptions { MaximumNewTokens = 8 });
        var extended = Assert.IsType<BpeTokenizer>(growth.Tokenizer);
        Assert.Equal(8, growth.NewIds.Count);
        Assert.Equal(tokenizer.Vocabulary.Tokens, extended.Vocabulary.Tokens.Take(tokenizer.VocabularySize));
        Assert.Equal(tokenizer.Merges, extended.Merges.Take(tokenizer.MergeCount));
        Assert.True(extended.Encode(" zymurgy").Length < tokenizer.Encode(" zymurgy").Length);
        Assert.Equal(tokenizer.Encode(" lowest"), extended.Encode(" lowest"));
        Assert.Equal("zymurgy lowest", extended.Decode(extended.Encode("zymurgy lowest")));
    }
}
