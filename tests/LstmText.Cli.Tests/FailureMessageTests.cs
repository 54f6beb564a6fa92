using System.Diagnostics;
using System.Text;

namespace LstmText.Cli.Tests;

/// <summary>
/// Every class of mistake a user can make gives one plain line on stderr (and, for a usage error, one hint line),
/// nothing on stdout, no .NET type names or stack traces, and an exit code from the documented set.
/// </summary>
public sealed class FailureMessageTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lstmtext-cli-fail-").FullName;

    public FailureMessageTests()
    {
        Directory.CreateDirectory(PathOf("folder"));
        Directory.CreateDirectory(PathOf("empty-folder"));
        File.WriteAllText(PathOf("tiny.txt"), "hello world\n");
        File.WriteAllText(PathOf("empty.csv"), "");
        File.WriteAllText(PathOf("d.csv"), "label,text\npos,good\nneg,bad\n");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    /// <summary>Runs the command with <c>{dir}</c> in an argument replaced by the test's folder.</summary>
    private (int Exit, string Output, string Error) Run(params string[] args) =>
        CommandLine.Run([.. args.Select(arg => arg.Replace("{dir}", _folder, StringComparison.Ordinal))]);

    internal static void AssertOneLineFailure((int Exit, string Output, string Error) result, int exit, string expected)
    {
        var (code, output, error) = result;
        Assert.True(code == exit, $"exit {code}, expected {exit}; stderr: {error}");
        Assert.Equal("", output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        if (exit == 2)
        {
            Assert.Equal(2, lines.Length);
            Assert.Matches("^see: lstmtext( [a-z-]+)* --help$", lines[1]);
        }
        else
        {
            Assert.Single(lines);
        }
        foreach (var leak in new[] { "Exception", "System.", "Parameter '", "   at ", "Actual value" })
        {
            Assert.DoesNotContain(leak, error);
        }
    }

    [Theory]
    // A value that is not of the option's type.
    [InlineData(2, "--temperature must be a number", "generate", "--temperature", "abc")]
    [InlineData(2, "--max-tokens must be a whole number, not 'lots'", "generate", "--max-tokens", "lots")]
    [InlineData(2, "--seed must be a whole number, 0 or more, not '-1'", "generate", "--seed", "-1")]
    [InlineData(2, "--lr must be a number", "train", "--corpus", "{dir}/tiny.txt", "--out", "{dir}/m.safetensors", "--lr", "1e-3x")]
    // A value out of range, checked by the library or by .NET's own guards.
    [InlineData(2, "--beams must be at least 1, not 0", "generate", "--beams", "0")]
    [InlineData(2, "--num-samples: The number of samples must be at least 1, not 0", "generate", "--num-samples", "0")]
    [InlineData(2, "--hidden: The LSTM hidden size is 0", "train", "--corpus", "{dir}/tiny.txt", "--out", "{dir}/m.safetensors", "--hidden", "0")]
    [InlineData(2, "--dropout: Dropout 1.5 is not in [0, 1)", "train", "--corpus", "{dir}/tiny.txt", "--out", "{dir}/m.safetensors", "--dropout", "1.5")]
    [InlineData(2, "--embedding: The embedding size is 0", "train-classifier", "--data", "{dir}/d.csv", "--out", "{dir}/m.safetensors", "--embedding", "0")]
    [InlineData(2, "--max-tokens must be at least 1, not -3", "generate", "--max-tokens", "-3")]
    [InlineData(2, "--top-p must be more than 0 and at most 1, not 2", "generate", "--top-p", "2")]
    [InlineData(2, "--temperature must be more than 0, not -1", "generate", "--temperature", "-1")]
    [InlineData(2, "--epochs must be more than 0, not -1", "train", "--corpus", "{dir}/tiny.txt", "--out", "{dir}/m.safetensors", "--epochs", "-1")]
    [InlineData(2, "--size must be at least 1, not 0", "bench", "gemm", "--size", "0")]
    [InlineData(2, "--batch-size must be at least 1, not 0", "classify", "--input", "{dir}/d.csv", "--batch-size", "0")]
    // A choice that is not one of the choices.
    [InlineData(2, "--optimizer must be adam, adamw or sgd, not 'foo'", "train", "--corpus", "{dir}/tiny.txt", "--out", "{dir}/m.safetensors", "--optimizer", "foo")]
    [InlineData(2, "--transpose does not accept 'xx'", "bench", "gemm", "--transpose", "xx")]
    [InlineData(2, "--format must be csv, tsv or jsonl, not 'xml'", "classify", "--input", "{dir}/d.csv", "--format", "xml")]
    // An empty string.
    [InlineData(2, "--text is empty", "classify", "--text", "")]
    [InlineData(2, "--stop", "generate", "--stop", "")]
    [InlineData(2, "--delimiter must be one character", "classify", "--input", "{dir}/d.csv", "--delimiter", "")]
    // A missing value, an unknown option, an unknown command, no command.
    [InlineData(2, "--model needs a value", "generate", "--model")]
    [InlineData(2, "unknown option or argument '--bogus'", "classify", "--bogus")]
    [InlineData(2, "unknown option or argument 'frobnicate'", "frobnicate")]
    [InlineData(2, "give a command", new string[0])]
    [InlineData(2, "no tokenizer: give --vocab and --merges", "tokenize", "--text", "hi")]
    // A file that does not exist.
    [InlineData(1, "does not exist", "generate", "--model", "{dir}/missing.safetensors")]
    [InlineData(1, "{dir}/missing.safetensors does not exist", "info", "--model", "{dir}/missing.safetensors")]
    [InlineData(1, "does not exist", "classify", "--input", "{dir}/missing.csv")]
    [InlineData(1, "does not exist", "train", "--corpus", "{dir}/missing.txt", "--out", "{dir}/m.safetensors")]
    // A folder where a file belongs.
    [InlineData(1, "{dir}/folder is a folder; give the path of a file", "classify", "--model", "{dir}/folder", "--text", "x")]
    [InlineData(1, "{dir}/folder is a folder; give the path of a file", "generate", "--model", "{dir}/folder")]
    [InlineData(1, "{dir}/folder is a folder; give the path of a file", "info", "--model", "{dir}/folder")]
    [InlineData(1, "{dir}/folder is a folder; give the path of a file", "classify", "--input", "{dir}/folder")]
    [InlineData(1, "{dir}/folder is a folder; give the path of a file", "classify", "--input", "{dir}/d.csv", "--output", "{dir}/folder")]
    [InlineData(1, "--tokenizer: {dir}/folder is a folder; give the path of a file", "tokenize", "--tokenizer", "{dir}/folder", "--text", "hi")]
    // A file that is not what it should be, an empty folder, an empty table.
    [InlineData(1, "is not a valid safetensors file", "generate", "--model", "{dir}/tiny.txt")]
    [InlineData(1, "The corpus folder {dir}/empty-folder holds no files", "train", "--corpus", "{dir}/empty-folder", "--out", "{dir}/m.safetensors")]
    [InlineData(1, "the table is empty", "classify", "--input", "{dir}/empty.csv")]
    public void A_mistake_gives_one_plain_line_and_the_documented_exit_code(int exit, string expected, params string[] args)
    {
        AssertOneLineFailure(Run(args), exit, expected.Replace("{dir}", _folder, StringComparison.Ordinal));
    }

    [Fact]
    public void Verbose_adds_the_details_after_the_line()
    {
        var (exit, output, error) = Run("info", "--model", "{dir}/folder", "--verbose");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.StartsWith($"error: {_folder}/folder is a folder; give the path of a file\n", error);
        Assert.Contains("UnauthorizedAccessException", error);
        Assert.Contains("   at ", error);
    }

    [Fact]
    public void A_quote_never_closed_loses_no_row_of_the_table()
    {
        var input = PathOf("q.csv");
        File.WriteAllText(input, "id,text\n1,a good film\n2,\"unclosed quote here\n3,a bad film\n4,great\n5,awful\n");
        var labelled = PathOf("q-out.csv");

        var (exit, _, error) = Run("classify", "--input", input, "--output", labelled);

        Assert.True(exit == 0, error);
        Assert.Contains("classified 5 rows: 4 labelled, 1 errors", error);
        Assert.Contains($"row error: {input}:3: a quote opened on this line is not closed on it", error);
        var lines = File.ReadAllLines(labelled);
        Assert.Equal(6, lines.Length);
        Assert.StartsWith("3,a bad film,", lines[3]);
        Assert.StartsWith("5,awful,", lines[5]);
    }

    [Fact]
    public void Latin1_read_as_utf8_stops_with_the_line_and_offset_suggests_the_encoding_and_writes_nothing()
    {
        var input = PathOf("latin1.csv");
        File.WriteAllBytes(input, [.. "id,text\n1,good\n2,un caf"u8, 0xE9, .. " tr"u8, 0xE8, .. "s bon\n"u8]);
        var labelled = PathOf("latin1-out.csv");

        var result = Run("classify", "--input", input, "--output", labelled);

        AssertOneLineFailure(result, 1, $"{input}: line 3 is not valid UTF-8 (the first bad byte is at byte offset 23)");
        Assert.Contains("--encoding latin1", result.Error);
        Assert.False(File.Exists(labelled));
        Assert.Empty(Directory.GetFiles(_folder, "latin1-out*"));

        var (exit, _, error) = Run("classify", "--input", input, "--output", labelled, "--encoding", "latin1");
        Assert.True(exit == 0, error);
        Assert.Contains("2,un café très bon,", File.ReadAllText(labelled));
    }

    [Fact]
    public void Jsonl_with_invalid_utf8_stops_too()
    {
        var input = PathOf("bad.jsonl");
        File.WriteAllBytes(input, [.. "{\"text\":\"good\"}\n{\"text\":\"caf"u8, 0xE9, .. "\"}\n"u8]);

        var result = Run("classify", "--input", input, "--output", PathOf("bad-out.jsonl"));

        AssertOneLineFailure(result, 1, "line 2 is not valid UTF-8 (the first bad byte is at byte offset 28)");
        Assert.False(File.Exists(PathOf("bad-out.jsonl")));
    }

    /// <summary>Runs the built tool as a process whose standard output is closed after the first bytes, as <c>| head -c 100</c> does.</summary>
    private static (int Exit, string Error, bool Exited) RunIntoClosedPipe(params string[] args) => RunIntoClosedPipe(100, args);

    private static (int Exit, string Error, bool Exited) RunIntoClosedPipe(int take, params string[] args)
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "LstmText.Cli.dll");
        var start = new ProcessStartInfo("dotnet", [tool, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var head = new char[Math.Max(take, 1)];
        var read = 0;
        while (read < take && process.StandardOutput.Read(head, read, head.Length - read) is > 0 and var n)
        {
            read += n;
        }
        process.StandardOutput.Close();
        // Without noticing the closed pipe, both commands below run for many minutes; noticing it, they stop at once.
        var exited = process.WaitForExit(TimeSpan.FromMinutes(2));
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        return (process.ExitCode, error.GetAwaiter().GetResult(), exited);
    }

    [Fact]
    public void A_text_that_starts_with_an_at_sign_is_a_text_not_a_response_file()
    {
        var (exit, output, error) = Run("classify", "--text", "@jack loved it");
        Assert.True(exit == 0, error);
        Assert.Matches(@"^(positive|negative)\t[\d.]+\n$", output);
    }

    [Fact]
    public void Output_redirected_to_a_file_keeps_what_the_shell_wrote_before_and_after()
    {
        // `(echo before; lstmtext classify ...; echo after) > file`: all three share one file offset.
        var tool = Path.Combine(AppContext.BaseDirectory, "LstmText.Cli.dll");
        var file = PathOf("shared-offset.txt");
        var start = new ProcessStartInfo("bash", ["-c", "(echo before; dotnet \"$0\" classify --text 'a wonderful, moving film'; echo after) > \"$1\"", tool, file])
        {
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);
        var lines = File.ReadAllLines(file);
        Assert.Equal(3, lines.Length);
        Assert.Equal("before", lines[0]);
        Assert.StartsWith("positive\t", lines[1]);
        Assert.Equal("after", lines[2]);
    }

    [Fact]
    public void Help_into_a_closed_pipe_ends_quietly_with_exit_1()
    {
        // The reader goes away before the help is written (as `lstmtext --help | head -0` can).
        var (exit, error, exited) = RunIntoClosedPipe(0, "--help");

        Assert.True(exited);
        Assert.Equal("", error);
        Assert.Contains(exit, new[] { 0, 1 }); // 0 only if the help was written before the pipe closed
    }

    [Fact]
    public void Generate_into_a_closed_pipe_stops_at_once_quietly_with_exit_1()
    {
        var (exit, error, exited) = RunIntoClosedPipe("generate", "--max-tokens", "5000000", "--seed", "1");

        Assert.True(exited, "generate went on writing into a closed pipe");
        Assert.Equal(1, exit);
        Assert.Equal("", error);
    }

    [Fact]
    public void Classify_into_a_closed_pipe_does_not_report_success()
    {
        var input = Path.Combine(Directory.CreateTempSubdirectory("lstmtext-cli-pipe-").FullName, "many.csv");
        var csv = new StringBuilder("id,text\n");
        for (var i = 0; i < 200_000; i++) csv.Append(i).Append(",the film was good and the cast was great\n");
        File.WriteAllText(input, csv.ToString());
        try
        {
            var (exit, error, exited) = RunIntoClosedPipe("classify", "--input", input, "--output", "-", "--batch-size", "256");

            Assert.True(exited, "classify went on writing into a closed pipe");
            Assert.Equal(1, exit);
            Assert.Equal("", error);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(input)!, recursive: true);
        }
    }
}
