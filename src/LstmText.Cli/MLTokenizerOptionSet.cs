using System.CommandLine;
using LstmText.MLTokenizers;
using LstmText.Tokenizers;

namespace LstmText.Cli;

/// <summary>
/// <c>--tokenizer sentencepiece|tiktoken|wordpiece|bert --tokenizer-file FILE</c> for <c>train</c> and
/// <c>train-classifier</c>: a Microsoft.ML.Tokenizers tokenizer read from its file, which the model then embeds.
/// </summary>
internal sealed class MLTokenizerOptionSet
{
    /// <summary>The kinds that <c>--tokenizer</c> accepts with <c>--tokenizer-file</c>.</summary>
    public static readonly string[] Kinds = [MLTokenizer.SentencePieceKind, MLTokenizer.TiktokenKind, MLTokenizer.WordPieceKind, MLTokenizer.BertKind];

    public Option<string?> File { get; } = new("--tokenizer-file")
    {
        Description = "With --tokenizer sentencepiece, tiktoken, wordpiece or bert: the spm.model, .tiktoken or vocab.txt file " +
            "(read by Microsoft.ML.Tokenizers; the model embeds it).",
    };

    public void AddTo(Command command) => command.Options.Add(File);

    /// <summary>Whether <paramref name="kind"/> is one of the kinds read from <c>--tokenizer-file</c>.</summary>
    public static bool Handles(string kind) => Kinds.Contains(kind, StringComparer.Ordinal);

    /// <summary>Reads the tokenizer file for <paramref name="kind"/>; usage errors name the option.</summary>
    public ITokenizer Create(ParseResult parse, string kind)
    {
        var path = parse.GetValue(File) ?? throw new UsageException($"--tokenizer {kind} needs --tokenizer-file (the {FileName(kind)} file)");
        if (!System.IO.File.Exists(path)) throw new UsageException($"--tokenizer-file: the file '{path}' does not exist");
        return MLTokenizer.FromFile(kind, path);
    }

    /// <summary>Refuses <c>--tokenizer-file</c> with a kind that does not read it.</summary>
    public void CheckUnused(ParseResult parse, string kind)
    {
        if (parse.GetValue(File) is not null && !Handles(kind))
            throw new UsageException($"--tokenizer-file goes with --tokenizer {string.Join(", ", Kinds)}, not with --tokenizer {kind}");
    }

    private static string FileName(string kind) => kind switch
    {
        MLTokenizer.SentencePieceKind => "spm.model",
        MLTokenizer.TiktokenKind => ".tiktoken",
        _ => "vocab.txt",
    };
}
