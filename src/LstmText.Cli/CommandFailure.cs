using LstmText.IO;
using LstmText.Tokenizers;
using LstmText.Training;

namespace LstmText.Cli;

/// <summary>The options given do not make a valid command; the message says what to change.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>Turns the failures a user can cause into one line on stderr and a non-zero exit code.</summary>
internal static class CommandFailure
{
    /// <summary>Runs <paramref name="body"/>; known failures print "error: …" and return 2 (usage) or 1.</summary>
    public static async Task<int> ReportAsync(TextWriter error, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (OperationCanceledException e)
        {
            await error.WriteLineAsync($"stopped: {e.Message}");
            return 130;
        }
        catch (Exception e) when (e is UsageException or ArgumentException or FileNotFoundException or DirectoryNotFoundException
            or TrainingException or TokenizerFormatException or CorpusFormatException or IOException or FormatException or NotSupportedException or InvalidDataException)
        {
            await error.WriteLineAsync($"error: {OneLine(e.Message)}" + (e is TrainingDivergedException ? " (options --lr and --clip)" : ""));
            return e is UsageException or ArgumentException ? 2 : 1;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
