namespace LstmText.Tests.Models;

/// <summary>examples/GenerateText runs end to end with tiny settings.</summary>
public sealed class GenerateTextExampleTests
{
    [Fact]
    public async Task The_example_trains_and_generates()
    {
        var corpus = Path.Combine(Path.GetTempPath(), $"lstmtext-example-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(corpus, string.Concat(Enumerable.Repeat(LanguageModelTests.Corpus, 3)));
        try
        {
            var output = new StringWriter();
            var log = new StringWriter();
            int exit = await GenerateText.TrainAndGenerate.RunAsync([corpus, "the ", "3", "8"], output, log);
            Assert.Equal(0, exit);
            Assert.StartsWith("the ", output.ToString());
            Assert.Contains("language model", log.ToString());
        }
        finally
        {
            File.Delete(corpus);
        }
    }
}
