using System.CommandLine;
using System.Text;
using LstmText.IO;
using LstmText.Tokenizers;

namespace LstmText.Cli;

/// <summary><c>lstmtext tokenize</c>: shows the ids and tokens a tokenizer gives a text.</summary>
internal static class TokenizeCommand
{
    private static readonly Option<FileInfo?> vocab = new("--vocab") { Description = "Hugging Face vocab.json (with --merges)." };
    private static readonly Option<FileInfo?> merges = new("--merges") { Description = "Hugging Face merges.txt (with --vocab)." };
    private static readonly Option<FileInfo?> encoder = new("--encoder") { Description = "OpenAI encoder.json (with --bpe)." };
    private static readonly Option<FileInfo?> bpe = new("--bpe") { Description = "OpenAI vocab.bpe (with --encoder)." };
    private static readonly Option<FileInfo?> tokenizerFile = new("--tokenizer") { Description = "A tokenizer JSON file written by LstmText." };
    private static readonly Option<FileInfo?> model = new("--model") { Description = "A model file; its tokenizer is used." };
    private static readonly Option<string?> text = new("--text") { Description = "The text to tokenize." };
    private static readonly Option<string?> input = new("--input") { Description = "A UTF-8 file to tokenize, or - for standard input." };
    private static readonly Option<bool> json = new("--json") { Description = "Print one JSON array of ids." };
    private static readonly Option<bool> inline = new("--inline") { Description = "Print id:token pairs on one line, separated by spaces." };

    /// <summary>Creates the command with its options and action.</summary>
    public static Command Create()
    {
        var command = new Command("tokenize",
            "Show the token ids of a text.\n" +
            "Example: lstmtext tokenize --encoder encoder.json --bpe vocab.bpe --text \"Hello world\"")
        {
            vocab, merges, encoder, bpe, tokenizerFile, model, text, input, json, inline,
        };
        command.SetAction(Run);
        return command;
    }

    /// <summary>Reads the tokenizer that a model file stores under metadata key <c>lstmtext.tokenizer</c>.</summary>
    internal static ITokenizer LoadTokenizerFromModel(string path)
    {
        var model = ModelFile.Read(path);
        return Tokenizer.FromJson(model.Tokenizer
            ?? throw new UsageException($"{path} holds no tokenizer (no {ModelFile.TokenizerKey} metadata)."));
    }

    private static int Run(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        // Failures are reported by CommandFailure, around every command: one line, and the documented exit code.
        var tokenizer = LoadTokenizer(parse);
        var ids = EncodeInput(parse, tokenizer);
        Print(parse, tokenizer, ids, output);
        return 0;
    }

    private static ITokenizer LoadTokenizer(ParseResult parse)
    {
        var sources = new List<string>();
        if (parse.GetValue(vocab) is not null || parse.GetValue(merges) is not null)
        {
            sources.Add("--vocab/--merges");
        }
        if (parse.GetValue(encoder) is not null || parse.GetValue(bpe) is not null)
        {
            sources.Add("--encoder/--bpe");
        }
        if (parse.GetValue(tokenizerFile) is not null)
        {
            sources.Add("--tokenizer");
        }
        if (parse.GetValue(model) is not null)
        {
            sources.Add("--model");
        }
        if (sources.Count != 1)
        {
            throw new UsageException(sources.Count == 0
                ? "no tokenizer: give --vocab and --merges, --encoder and --bpe, --tokenizer or --model"
                : $"choose one tokenizer, not {string.Join(" and ", sources)}");
        }
        return sources[0] switch
        {
            "--vocab/--merges" => BpeTokenizer.LoadHuggingFace(
                ExistingFile(Pair(parse.GetValue(vocab), "--vocab", parse.GetValue(merges), "--merges"), "--vocab"),
                ExistingFile(parse.GetValue(merges)!, "--merges")),
            "--encoder/--bpe" => BpeTokenizer.LoadOpenAI(
                ExistingFile(Pair(parse.GetValue(encoder), "--encoder", parse.GetValue(bpe), "--bpe"), "--encoder"),
                ExistingFile(parse.GetValue(bpe)!, "--bpe")),
            "--tokenizer" => Tokenizer.Load(ExistingFile(parse.GetValue(tokenizerFile)!, "--tokenizer")),
            _ => LoadTokenizerFromModel(ExistingFile(parse.GetValue(model)!, "--model")),
        };
    }

    /// <summary>Returns the first file of a pair of options once both are given.</summary>
    private static FileInfo Pair(FileInfo? first, string firstOption, FileInfo? second, string secondOption)
    {
        if (first is null)
        {
            throw new UsageException($"{secondOption} needs {firstOption} too");
        }
        return second is null ? throw new UsageException($"{firstOption} needs {secondOption} too") : first;
    }

    private static string ExistingFile(FileInfo file, string option) =>
        file.Exists ? file.FullName : throw new FileNotFoundException(Directory.Exists(file.FullName)
            ? $"{option}: {file.FullName} is a folder; give the path of a file"
            : $"{option}: file not found: {file.FullName}");

    private static IEnumerable<int> EncodeInput(ParseResult parse, ITokenizer tokenizer)
    {
        var literal = parse.GetValue(text);
        var path = parse.GetValue(input);
        if ((literal is null) == (path is null))
        {
            throw new UsageException(literal is null ? "no text: give --text or --input" : "give --text or --input, not both");
        }
        if (literal is not null)
        {
            return tokenizer.Encode(literal);
        }
        if (path == "-")
        {
            return tokenizer.EncodeChunks(ReadStandardInput()).SelectMany(ids => ids);
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(Directory.Exists(path)
                ? $"--input: {Path.GetFullPath(path!)} is a folder; give the path of a file"
                : $"--input: file not found: {Path.GetFullPath(path!)}");
        }
        // Lazy: a file larger than memory streams through, one chunk at a time.
        return tokenizer.EncodeChunks(TextCorpus.FromFile(path!).ReadChunks()).SelectMany(ids => ids);
    }

    private static IEnumerable<string> ReadStandardInput()
    {
        var buffer = new char[TextCorpus.DefaultChunkLength];
        using var reader = new StreamReader(Console.OpenStandardInput(), Encoding.UTF8);
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            yield return new string(buffer, 0, read);
        }
    }

    private static void Print(ParseResult parse, ITokenizer tokenizer, IEnumerable<int> ids, TextWriter output)
    {
        if (parse.GetValue(json))
        {
            output.Write('[');
            var first = true;
            foreach (var id in ids)
            {
                output.Write(first ? $"{id}" : $",{id}");
                first = false;
            }
            output.WriteLine(']');
        }
        else if (parse.GetValue(inline))
        {
            var first = true;
            foreach (var id in ids)
            {
                output.Write(first ? $"{id}:{Printable(tokenizer.TokenOf(id))}" : $" {id}:{Printable(tokenizer.TokenOf(id))}");
                first = false;
            }
            output.WriteLine();
        }
        else
        {
            foreach (var id in ids)
            {
                output.WriteLine($"{id}\t{Printable(tokenizer.TokenOf(id))}");
            }
        }
    }

    /// <summary>Escapes control characters, so that a token such as a line break stays on its own line.</summary>
    private static string Printable(string token)
    {
        if (!token.Any(char.IsControl))
        {
            return token;
        }
        var builder = new StringBuilder();
        foreach (var c in token)
        {
            builder.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }
        return builder.ToString();
    }
}
