using System.Text.Json;

namespace LstmText.Cli.Tests;

/// <summary>The benchmarks run end to end at tiny sizes and report their figures (timing itself is never asserted).</summary>
public sealed class BenchCommandTests
{
    [Theory]
    [InlineData("gemm|--size|16", "gflops")]
    [InlineData("lstm|--input|4|--hidden|4|--batch|2|--steps|3", "tokens_per_second")]
    [InlineData("train|--vocab|7|--embedding|4|--hidden|4|--batch|2|--steps|3", "tokens_per_second")]
    [InlineData("classify|--vocab|30|--embedding|4|--hidden|4|--rows|4|--single-rows|2|--length|6", "batch_rows_per_second")]
    [InlineData("classify|--vocab|30|--embedding|4|--hidden|4|--rows|4|--single-rows|2|--length|6|--int8", "batch_rows_per_second")]
    [InlineData("generate|--vocab|9|--embedding|4|--hidden|8|--layers|2|--tokens|10", "tokens_per_second")]
    public void Each_benchmark_prints_one_json_object_with_its_figure(string arguments, string figure)
    {
        var (exit, output, error) = CommandLine.Run(["bench", .. arguments.Split('|'), "--repeat", "1", "--threads", "1", "--json"]);
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty(figure).GetDouble() > 0);
    }
}
