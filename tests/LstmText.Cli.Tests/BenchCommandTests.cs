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
    [InlineData("classify|--vocab|30|--embedding|4|--hidden|4|--rows|4|--single-rows|2|--length|6|--int8", "batch_rows_per_second")]
    [InlineData("generate|--vocab|9|--embedding|4|--hidden|8|--layers|2|--tokens|10", "tokens_per_second")]
    public void Each_benchmark_prints_one_json_object_with_its_figure(string arguments, string figure)
    {
        var (exit, output, error) = CommandLine.Run(["bench", .. arguments.Split('|'), "--repeat", "1", "--threads", "1", "--json"]);
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty(figure).GetDouble() > 0);
    }

    [Fact]
    public void The_training_benchmark_reports_each_phase_and_the_steps_share_of_sgemm()
    {
        var (exit, output, error) = CommandLine.Run("bench", "train", "--vocab", "7", "--embedding", "4", "--hidden", "8", "--batch-size", "2",
            "--sequence-length", "3", "--repeat", "1", "--threads", "1", "--json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        var phases = root.GetProperty("phases").EnumerateArray().ToArray();
        Assert.Equal(["forward", "backward", "update"], phases.Select(p => p.GetProperty("phase").GetString()));
        Assert.All(phases, p => Assert.True(p.GetProperty("seconds").GetDouble() > 0));
        Assert.Equal(1.0, phases.Sum(p => p.GetProperty("share").GetDouble()), 6);
        Assert.True(phases[0].GetProperty("gflops").GetDouble() > 0 && phases[1].GetProperty("gflops").GetDouble() > 0);
        Assert.False(phases[2].TryGetProperty("gflops", out _)); // the update runs no GEMM
        double sgemm = root.GetProperty("sgemm_gflops").GetDouble();
        Assert.True(sgemm > 0);
        Assert.Equal(root.GetProperty("gflops").GetDouble() / sgemm, root.GetProperty("share_of_sgemm").GetDouble(), 9);

        // The table says the same in words.
        (exit, output, error) = CommandLine.Run("bench", "train", "--vocab", "7", "--embedding", "4", "--hidden", "8", "--batch-size", "2",
            "--sequence-length", "3", "--repeat", "1", "--threads", "1");
        Assert.True(exit == 0, error);
        Assert.Contains("update (clip, Adam)", output);
        Assert.Contains("SGEMM 1024³ at 1 thread", output);
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

    [Theory]
    [InlineData("lstm|--input|4|--hidden|4|--batch-size|2|--sequence-length|3", "lstm cell backward")]
    [InlineData("train|--vocab|7|--embedding|4|--hidden|4|--batch-size|2|--sequence-length|3", "adam step")]
    [InlineData("generate|--vocab|9|--embedding|4|--hidden|8|--tokens|10", "lstm cell forward")]
    public void Profile_lists_every_kernel_with_its_time_and_the_gemms_with_their_rate(string arguments, string kernel)
    {
        var (exit, output, error) = CommandLine.Run(["bench", .. arguments.Split('|'), "--repeat", "1", "--threads", "1", "--json", "--profile"]);
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var rows = json.RootElement.GetProperty("profile").EnumerateArray().ToList();
        var row = Assert.Single(rows, r => r.GetProperty("kernel").GetString() == kernel);
        Assert.True(row.GetProperty("calls").GetInt64() > 0);
        var gemm = rows.First(r => r.GetProperty("kernel").GetString()!.StartsWith("gemm", StringComparison.Ordinal));
        Assert.True(gemm.GetProperty("gflops").GetDouble() > 0);
        Assert.InRange(rows.Sum(r => r.GetProperty("share").GetDouble()), 0.999, 1.001);
        // without --profile there is no profile
        (exit, output, error) = CommandLine.Run(["bench", .. arguments.Split('|'), "--repeat", "1", "--threads", "1", "--json"]);
        Assert.True(exit == 0, error);
        using var plain = JsonDocument.Parse(output);
        Assert.False(plain.RootElement.TryGetProperty("profile", out _));
    }
}
