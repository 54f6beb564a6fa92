using System.CommandLine;

namespace LstmText.Cli;

/// <summary>Assembles the <c>lstmtext</c> command tree; each command lives in its own file.</summary>
internal static class LstmTextCommandLine
{
    /// <summary>Builds the root command with every sub-command attached.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "lstmtext: train, run and fine-tune LSTM text models (language models and classifiers).\n" +
            "Example: lstmtext bench gemm --size 1024");
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(TokenizeCommand.Create());
        return root;
    }
}
