using System.CommandLine;

namespace LstmText.Cli.Tests;

/// <summary>Runs the <c>lstmtext</c> command tree in-process, as a user would run the tool, capturing both streams.</summary>
internal static class CommandLine
{
    public static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var exit = LstmTextCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error }).GetAwaiter().GetResult();
        return (exit, output.ToString(), error.ToString());
    }
}
