using System.CommandLine;

namespace LstmText.Cli;

/// <summary>Assembles the <c>lstmtext</c> command tree; each command lives in its own file.</summary>
internal static class LstmTextCommandLine
{
    /// <summary>Builds the root command with every sub-command attached.</summary>
    public static RootCommand Build()
    {
        MLTokenizers.MLTokenizer.Register();
        var root = new RootCommand(
            "lstmtext: train, run and fine-tune LSTM text models (language models and classifiers).\n" +
            "Example: lstmtext generate --model shakespeare.safetensors --prompt \"ROMEO:\" --temperature 0.8")
        {
            // Help and usage name the installed command, not the assembly (LstmText.Cli) or a test host.
            HelpName = "lstmtext",
        };
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(TokenizeCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(LanguageModelEvaluation.CreateHiddenAlias());
        root.Subcommands.Add(FinetuneCommand.Create());
        root.Subcommands.Add(TrainClassifierCommand.Create());
        root.Subcommands.Add(FinetuneClassifierCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(CalibrateCommand.Create());
        root.Subcommands.Add(ClassifyCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(QuantizeCommand.Create());
        root.Subcommands.Add(ForecastCommand.Create());
        root.Options.Add(CommandFailure.CreateVerboseOption());
        CommandFailure.Install(root);
        return root;
    }

    /// <summary>
    /// Parses and runs a command line: a line that does not parse prints one error line and a hint (exit 2),
    /// not the whole help; every failure of a command is one line too (see <see cref="CommandFailure"/>).
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration configuration)
    {
        // No response files: "@jack loved it" is a text to classify (a mention), not a file of arguments to read.
        var parse = Build().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            return CommandFailure.ReportParseError(parse, configuration.Error);
        }
        // Failures outside a command's own action (help or --version written into a closed pipe) are reported as a
        // command's are (quietly, for a closed pipe), not by System.CommandLine's handler with a stack trace.
        configuration.EnableDefaultExceptionHandler = false;
        try
        {
            return await parse.InvokeAsync(configuration);
        }
        catch (Exception failure)
        {
            return CommandFailure.Report(failure, parse, configuration.Error);
        }
    }
}
