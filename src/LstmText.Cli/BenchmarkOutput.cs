using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace LstmText.Cli;

/// <summary>Where every <c>lstmtext bench</c> command prints: its figures as one JSON object, or a table.</summary>
internal static class BenchmarkOutput
{
    /// <summary>Prints the figures as one JSON object on the command's standard output.</summary>
    public static void WriteJson(ParseResult parse, IReadOnlyDictionary<string, object> figures) =>
        parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(figures));

    /// <summary>Prints one line of plain text on the command's standard output.</summary>
    public static void WriteLine(ParseResult parse, string line) => parse.InvocationConfiguration.Output.WriteLine(line);

    /// <summary>Prints a table on the command's standard output.</summary>
    public static void WriteTable(ParseResult parse, Table table)
    {
        var output = parse.InvocationConfiguration.Output;
        // Colour only on a real terminal: a file or a pipe gets plain text.
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        }).Write(table);
    }
}
