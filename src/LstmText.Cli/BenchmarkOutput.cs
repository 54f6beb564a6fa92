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

    /// <summary>Prints a table on the command's standard output.</summary>
    public static void WriteTable(ParseResult parse, Table table) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(parse.InvocationConfiguration.Output) }).Write(table);
}
