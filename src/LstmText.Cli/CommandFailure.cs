using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Training;

namespace LstmText.Cli;

/// <summary>The options given do not make a valid command; the message says what to change.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Turns every failure into one plain line on stderr and an exit code from the documented set: 0 success, 1 a
/// runtime failure, 2 a usage error (with a hint line naming the command's help), 130 interrupted. Only
/// <c>--verbose</c> adds the exception's details. A closed standard output ends the command quietly with 1.
/// </summary>
internal static partial class CommandFailure
{
    /// <summary>Exit code of a successful run.</summary>
    public const int Success = 0;

    /// <summary>Exit code of a run that failed: a file, the data, the model, the machine (also a closed output pipe).</summary>
    public const int RuntimeFailure = 1;

    /// <summary>Exit code of a command line that is not valid: an unknown option, a bad value, a missing argument.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code of a run stopped by Ctrl+C or SIGTERM.</summary>
    public const int Interrupted = 130;

    /// <summary>The name of the global option that prints the details (type and stack) of a failure.</summary>
    public const string VerboseName = "--verbose";

    /// <summary>A new global <c>--verbose</c> option, for one command tree (an option instance belongs to one tree).</summary>
    public static Option<bool> CreateVerboseOption() => new(VerboseName)
    {
        Description = "On a failure, print its details (exception and stack trace) after the one-line message.",
        Recursive = true,
    };

    /// <summary>Wraps the action of every command under <paramref name="root"/>, so each failure is reported the same way.</summary>
    public static void Install(Command root)
    {
        if (root.Action is { } action and not ReportingAction)
        {
            root.Action = new ReportingAction(action);
        }
        foreach (var command in root.Subcommands)
        {
            Install(command);
        }
    }

    /// <summary>Prints the first parse error of <paramref name="parse"/> as one line and a hint; returns <see cref="UsageError"/>.</summary>
    public static int ReportParseError(ParseResult parse, TextWriter error)
    {
        // An unknown word explains the rest ("Required command was not provided" follows a misspelt command).
        var first = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
        error.WriteLine($"error: {DescribeParseError(first)}");
        error.WriteLine($"see: {CommandPath(parse)} --help");
        return UsageError;
    }

    /// <summary>What a failure prints and returns.</summary>
    public static int Report(Exception failure, ParseResult parse, TextWriter error)
    {
        if (parse.InvocationConfiguration.Output is StandardOutput { IsClosed: true } || failure is StandardOutputClosedException)
        {
            return RuntimeFailure; // the reader of our output went away (| head): nothing to say, and nowhere useful to say it
        }
        var (message, code) = failure switch
        {
            OperationCanceledException => ("stopped: " + (failure.Message == new OperationCanceledException().Message ? "interrupted" : failure.Message), Interrupted),
            UsageException => (failure.Message, UsageError),
            LstmText.Training.TrainingDivergedException => (PlainMessage(failure.Message) + " (options --lr and --clip)", RuntimeFailure),
            ArgumentException argument => (ArgumentMessage(argument, parse), UsageError),
            TableEncodingException encoding => (EncodingMessage(encoding, parse), RuntimeFailure),
            FileNotFoundException { FileName: { } file } when Directory.Exists(file) && failure.Message.Contains("does not exist", StringComparison.Ordinal) =>
                (FolderMessage(file), RuntimeFailure),
            FileNotFoundException { FileName: { } file } when failure.Message.StartsWith("Could not find file", StringComparison.Ordinal) =>
                ($"{file} does not exist", RuntimeFailure),
            UnauthorizedAccessException or IOException => (AccessMessage(failure.Message), RuntimeFailure),
            _ => (PlainMessage(failure.Message), RuntimeFailure),
        };
        error.WriteLine(code == Interrupted ? OneLine(message) : $"error: {OneLine(message)}");
        if (code == UsageError)
        {
            error.WriteLine($"see: {CommandPath(parse)} --help");
        }
        if (parse.GetValue<bool>(VerboseName))
        {
            error.WriteLine(failure.ToString());
        }
        return code;
    }

    /// <summary>The command as typed, such as <c>lstmtext bench gemm</c>.</summary>
    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (SymbolResult? result = parse.CommandResult; result is CommandResult command; result = command.Parent)
        {
            names.Add(command.Parent is null ? "lstmtext" : command.Command.Name);
        }
        names.Reverse();
        return string.Join(' ', names);
    }

    private static string DescribeParseError(ParseError error)
    {
        var option = error.SymbolResult switch
        {
            OptionResult o => o,
            ArgumentResult { Parent: OptionResult o } => o,
            _ => null,
        };
        if (option is not null)
        {
            var name = option.Option.Name;
            var values = option.Tokens.Select(token => token.Value).ToList();
            if (values.Count == 0 && option.Option.Arity.MinimumNumberOfValues > 0)
            {
                return $"{name} needs a value";
            }
            var value = string.Join(' ', values);
            if (error.Message.StartsWith("Cannot parse argument", StringComparison.Ordinal))
            {
                return $"{name} must be {KindOf(option.Option.ValueType)}, not '{value}'";
            }
            if (error.Message.Contains("Argument '", StringComparison.Ordinal) && error.Message.Contains("not recognized", StringComparison.Ordinal))
            {
                return $"{name} does not accept '{value}'";
            }
        }
        var message = PlainMessage(error.Message);
        if (message.StartsWith("Unrecognized command or argument ", StringComparison.Ordinal))
        {
            return "unknown option or argument " + message["Unrecognized command or argument ".Length..].TrimEnd('.');
        }
        return message == "Required command was not provided." ? "give a command, such as generate or classify" : message;
    }

    /// <summary>What values of a type look like, in words.</summary>
    private static string KindOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type).Select(name => name.ToLowerInvariant()));
        }
        return Type.GetTypeCode(type) switch
        {
            TypeCode.Byte or TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.UInt64 => "a whole number, 0 or more",
            TypeCode.SByte or TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64 => "a whole number",
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number (such as 0.5 or 1e-3)",
            TypeCode.Boolean => "true or false",
            _ => "a value it accepts",
        };
    }

    /// <summary>
    /// An <see cref="ArgumentException"/> as the user should read it: without .NET's "(Parameter 'x')" and "Actual
    /// value was" suffixes, .NET's own guard messages said in words, and the parameter named as the command's option.
    /// </summary>
    internal static string ArgumentMessage(ArgumentException failure, ParseResult parse)
    {
        var message = PlainMessage(failure.Message);
        var option = OptionFor(failure.ParamName, parse) ?? ParameterNames().Matches(failure.Message)
            .Select(match => OptionFor(match.Groups[1].Value, parse)).FirstOrDefault(found => found is not null);
        var guard = GuardMessage().Match(message);
        if (guard.Success)
        {
            var who = option ?? guard.Groups["name"].Value;
            return $"{who} must be {GuardCondition(guard.Groups["rule"].Value)}, not {guard.Groups["value"].Value}";
        }
        // "top-p must be ..." or "max tokens must be ...": the setting the message starts with, if it is an option, is named as one.
        var lead = LeadingName().Match(message);
        if (lead.Success && OptionNamed("--" + lead.Groups[1].Value.ToLowerInvariant().Replace(' ', '-'), parse) is { } named)
        {
            return named + message[lead.Groups[1].Length..];
        }
        if (option is null || message.Contains(option, StringComparison.Ordinal))
        {
            return message;
        }
        return $"{option}: {message}";
    }

    private static string? OptionNamed(string name, ParseResult parse) =>
        parse.CommandResult.Command.Options.Any(o => o.Name == name || o.Aliases.Contains(name)) ? name : null;

    /// <summary>The option of the running command that a library parameter stands for (<c>maxTokens</c> → <c>--max-tokens</c>).</summary>
    private static string? OptionFor(string? parameter, ParseResult parse)
    {
        if (string.IsNullOrEmpty(parameter))
        {
            return null;
        }
        var name = "--" + KebabCase().Replace(parameter, "$1-$2").ToLowerInvariant();
        var options = parse.CommandResult.Command.Options;
        if (options.Any(o => o.Name == name || o.Aliases.Contains(name)))
        {
            return name;
        }
        // A plural parameter (texts) for a singular option (--text), and the other way round; a size (HiddenSize)
        // for the option that sets it (--hidden).
        foreach (var other in new[] { name.EndsWith('s') ? name[..^1] : name + "s", name.EndsWith("-size", StringComparison.Ordinal) ? name[..^5] : name })
        {
            if (options.Any(o => o.Name == other || o.Aliases.Contains(other))) return other;
        }
        return null;
    }

    private static string GuardCondition(string rule) => rule switch
    {
        "a non-negative value" => "0 or more",
        "a non-negative and non-zero value" => "more than 0",
        "a non-zero value" => "other than 0",
        _ when GuardBound().Match(rule) is { Success: true } bound => $"{bound.Groups["how"].Value switch
        {
            "less than or equal to" => "at most",
            "greater than or equal to" => "at least",
            "greater than" => "more than",
            "equal to" => "",
            var how => how,
        }} {bound.Groups["bound"].Value}".Trim(),
        _ => rule,
    };

    private static string EncodingMessage(TableEncodingException failure, ParseResult parse)
    {
        var hint = parse.CommandResult.Command.Options.Any(o => o.Name == "--encoding")
            ? " Nothing was written. If the file is Latin-1 or Windows-1252, add --encoding latin1 (or --encoding windows-1252)."
            : " Nothing was written.";
        return failure.Message + hint;
    }

    /// <summary>An I/O failure in words: a folder given for a file, a file that cannot be opened, else the message as it is.</summary>
    private static string AccessMessage(string message)
    {
        var path = QuotedPath().Match(message);
        if (path.Success && Directory.Exists(path.Groups[1].Value))
        {
            return FolderMessage(path.Groups[1].Value);
        }
        if (path.Success && message.StartsWith("Access to the path", StringComparison.Ordinal))
        {
            return $"cannot open {path.Groups[1].Value}: permission denied";
        }
        return PlainMessage(message);
    }

    private static string FolderMessage(string path) => $"{path} is a folder; give the path of a file";

    /// <summary>A message on one line, without the suffixes .NET adds to argument exceptions.</summary>
    internal static string PlainMessage(string message)
    {
        message = ParameterSuffix().Replace(message, "");
        message = ActualValue().Replace(message, "");
        return OneLine(message).Trim();
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    [GeneratedRegex(@"\s*\(Parameter '[^']*'\)")]
    private static partial Regex ParameterSuffix();

    [GeneratedRegex(@"\(Parameter '([^']*)'\)")]
    private static partial Regex ParameterNames();

    [GeneratedRegex(@"\s*Actual value was [^\r\n]*\.?\s*$")]
    private static partial Regex ActualValue();

    [GeneratedRegex(@"^(?<name>\w+) \('(?<value>[^']*)'\) must be (?<rule>.+?)\.?$")]
    private static partial Regex GuardMessage();

    [GeneratedRegex(@"^(?<how>[a-z ]+?) '(?<bound>[^']*)'$")]
    private static partial Regex GuardBound();

    [GeneratedRegex(@"^([A-Za-z][\w -]*?) (?:must|is|cannot) ")]
    private static partial Regex LeadingName();

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex KebabCase();

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex QuotedPath();

    /// <summary>A command's own action inside the one place where failures become messages and exit codes.</summary>
    private sealed class ReportingAction(CommandLineAction inner) : AsynchronousCommandLineAction
    {
        public override async Task<int> InvokeAsync(ParseResult parseResult, CancellationToken cancellationToken = default)
        {
            var output = parseResult.InvocationConfiguration.Output as StandardOutput;
            using var work = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var onClosed = output?.WhenClosed(work.Cancel);
            try
            {
                var code = inner switch
                {
                    AsynchronousCommandLineAction asynchronous => await asynchronous.InvokeAsync(parseResult, work.Token),
                    SynchronousCommandLineAction synchronous => synchronous.Invoke(parseResult),
                    _ => throw new InvalidOperationException("An action is neither synchronous nor asynchronous."),
                };
                if (output is { IsClosed: true })
                {
                    return RuntimeFailure;
                }
                return code;
            }
            catch (Exception e)
            {
                return Report(e, parseResult, parseResult.InvocationConfiguration.Error);
            }
        }
    }
}
