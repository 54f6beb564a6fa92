using System.CommandLine;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tokenizers;

namespace LstmText.Cli;

/// <summary><c>lstmtext train</c>: trains a language model on a corpus.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var options = new TrainingOptionSet();
        var tokenizer = new Option<string>("--tokenizer") { Description = "char, word, bpe, sentencepiece, tiktoken, wordpiece, bert (with --tokenizer-file), or a tokenizer JSON file.", DefaultValueFactory = _ => "char" };
        var bpeSize = new Option<int>("--bpe-vocab-size") { Description = "Vocabulary size for --tokenizer bpe.", DefaultValueFactory = _ => 8192 };
        var embedding = new Option<int>("--embedding") { Description = "Embedding size.", DefaultValueFactory = _ => 64 };
        var hidden = new Option<int>("--hidden") { Description = "LSTM hidden size.", DefaultValueFactory = _ => 256 };
        var layers = new Option<int>("--layers") { Description = "Stacked LSTM layers.", DefaultValueFactory = _ => 2 };
        var dropout = new Option<double>("--dropout") { Description = "Dropout between layers and before the decoder." };
        var embeddingDropout = new Option<double>("--embedding-dropout") { Description = "Dropout on the embedded tokens." };
        var tie = new Option<bool>("--tie-weights") { Description = "Share the embedding with the decoder (needs --embedding = --hidden)." };
        var words = new WordTokenizerOptionSet();
        var mlTokenizer = new MLTokenizerOptionSet();
        var command = new Command("train",
            "Train a language model on a corpus.\n" +
            "Example: lstmtext train --corpus shakespeare.txt --out shakespeare.safetensors --hidden 512 --layers 2 --dropout 0.2 --epochs 20 --batch-size 64 --sequence-length 128")
        {
            tokenizer, bpeSize, embedding, hidden, layers, dropout, embeddingDropout, tie,
        };
        words.AddTo(command);
        mlTokenizer.AddTo(command);
        options.AddTo(command);
        command.SetAction((parse, cancellation) => Task.Run(() =>
        {
            var builder = LanguageModel.Configure()
                .Embedding(parse.GetValue(embedding)).Lstm(parse.GetValue(hidden), parse.GetValue(layers))
                .Dropout(parse.GetValue(dropout)).EmbeddingDropout(parse.GetValue(embeddingDropout)).TieWeights(parse.GetValue(tie));
            string kind = parse.GetValue(tokenizer)!;
            mlTokenizer.CheckUnused(parse, kind);
            _ = kind switch
            {
                "char" => builder.CharacterLevel(),
                "word" => builder.WordLevel(words.Options(parse)),
                "bpe" => builder.Bpe(parse.GetValue(bpeSize)),
                _ when MLTokenizerOptionSet.Handles(kind) => builder.Tokenizer(mlTokenizer.Create(parse, kind)),
                _ when File.Exists(kind) => builder.Tokenizer(Tokenizer.Load(kind)),
                _ => throw new UsageException($"--tokenizer must be char, word, bpe, sentencepiece, tiktoken, wordpiece, bert or an existing tokenizer file, not '{kind}'"),
            };
            if (options.Backend(parse) is { } backend) builder.Backend(backend);
            var corpus = options.ReadCorpus(parse);
            var model = TrainingOptionSet.WithProgress(parse, progress =>
                builder.Train(corpus, t => { options.Apply(parse, t, cancellation); t.ReportProgress(progress); }));
            var record = model.Training!;
            parse.InvocationConfiguration.Error.WriteLine(
                $"trained {record.Steps} steps ({record.StoppedBecause}); training loss {record.TrainingLoss:F4}" +
                (record.ValidationLoss is { } v ? $", validation loss {v:F4}" : "") + $"; wrote {parse.GetValue(options.Out)}");
            return 0;
        }, CancellationToken.None));
        return command;
    }
}
