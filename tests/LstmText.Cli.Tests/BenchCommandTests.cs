using System.Text.Json;

namespace LstmText.Cli.Tests;

/// <summary>The benchmarks run end to end at tiny sizes and report their figures (timing itself is never asserted).</summary>
public sealed class BenchCommandTests
{
    [Theory]
    [InlineData("gemm|--size|16", "gflops")]
    [InlineData("lstm|--input|4|--hidden|4|--batch-size|2|--sequence-length|3", "tokens_per_second")]
    [InlineData("train|--vocab|7|--embedding|4|--hidden|4|--batch-size|2|--sequence-length|3", "tokens_per_second")]
    [InlineData("classify|--vocab|30|--embedding|4|--hidden|4|--rows|4|--single-rows|2|--length|6", "batch_rows_per_second")]
    public void Each_benchmark_prints_one_json_object_with_its_figure(string arguments, string figure)
    {
        var (exit, output, error) = CommandLine.Run(["bench", .. arguments.Split('|'), "--repeat", "1", "--threads", "1", "--json"]);
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty(figure).GetDouble() > 0);
    }

    [Theory]
    [InlineData("--batch-size", "--sequence-length")]
    [InlineData("--batch", "--steps")]
    public void The_lstm_benchmark_reads_its_sizes_under_the_new_names_and_the_old_hidden_ones(string batchName, string stepsName)
    {
        var (exit, output, error) = CommandLine.Run("bench", "lstm", "--input", "4", "--hidden", "4", batchName, "2", stepsName, "3",
            "--repeat", "1", "--threads", "1", "--json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(2, json.RootElement.GetProperty("batch").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("steps").GetInt32());
    }

    [Fact]
    public void Help_lists_only_the_new_names()
    {
        var (_, help, _) = CommandLine.Run("bench", "lstm", "--help");
        Assert.Contains("--batch-size", help);
        Assert.DoesNotContain("--batch ", help);
        Assert.DoesNotContain("--steps", help);
        var (_, rootHelp, _) = CommandLine.Run("--help");
        Assert.Contains("evaluate", rootHelp);
        Assert.DoesNotContain("eval ", rootHelp);
    }
}
