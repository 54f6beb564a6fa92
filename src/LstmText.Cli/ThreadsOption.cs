using System.CommandLine;
using LstmText.Compute;

namespace LstmText.Cli;

/// <summary>
/// The <c>--threads</c> option of every command that trains or runs a model: how many threads the CPU backend may use.
/// Without it the backend has every core, and each product still decides from its size whether splitting it pays
/// (a batch-1 generation step or a short classification batch stays on one thread); with it, that many at most.
/// </summary>
internal static class ThreadsOption
{
    public static Option<int?> Create()
    {
        var option = new Option<int?>("--threads")
        {
            Description = "Threads for the math (default: every core; a product too small to split stays on one thread).",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } value && (value < 1 || value > 1024))
                result.AddError($"--threads must be a whole number from 1 to 1024, not {value}");
        });
        return option;
    }

    /// <summary>The backend the command computes on: the shared default, or one of <c>--threads</c> threads.</summary>
    public static IBackend? Backend(ParseResult parse, Option<int?> option) =>
        parse.GetValue(option) is { } threads && threads != CpuBackend.Default.Threads ? new CpuBackend(threads) : null;
}
