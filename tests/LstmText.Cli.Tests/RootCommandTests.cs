using System.Text.Json;

namespace LstmText.Cli.Tests;

public sealed class RootCommandTests
{
    [Fact]
    public void Help_lists_the_commands_with_an_example()
    {
        var (exit, output, _) = CommandLine.Run("--help");
        Assert.Equal(0, exit);
        Assert.Contains("bench", output);
        Assert.Contains("tokenize", output);
        Assert.Contains("Example:", output);
    }

    [Fact]
    public void Help_names_the_lstmtext_command_in_its_usage_lines()
    {
        var (exit, output, _) = CommandLine.Run("--help");
        Assert.Equal(0, exit);
        Assert.Contains("Usage:\n  lstmtext [command] [options]", output);
        Assert.DoesNotContain("LstmText.Cli", output);
        var (_, generate, _) = CommandLine.Run("generate", "--help");
        Assert.Contains("  lstmtext generate [options]", generate);
    }

    [Fact]
    public void Version_prints_the_tools_version_when_run_as_a_process()
    {
        // In-process the version would be the test host's, so this runs the built tool itself.
        var tool = Path.Combine(AppContext.BaseDirectory, "LstmText.Cli.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [tool, "--version"]) { RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        Assert.StartsWith("0.1.0", output.Trim());
    }

    [Fact]
    public void Unknown_command_fails_with_a_message()
    {
        var (exit, _, error) = CommandLine.Run("frobnicate");
        Assert.NotEqual(0, exit);
        Assert.Contains("frobnicate", error);
    }
}
