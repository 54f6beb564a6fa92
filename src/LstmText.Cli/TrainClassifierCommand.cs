using System.CommandLine;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tokenizers;

namespace LstmText.Cli;

/// <summary><c>lstmtext train-classifier</c>: trains a text classifier on a labelled data file.</summary>
internal static class TrainClassifierCommand
{
    public static Command Create()
    {
        var shared = new ClassifierTrainingOptionSet();
        var words = new WordTokenizerOptionSet();
        var mlTokenizer = new MLTokenizerOptionSet();
        var tokenizer = new Option<string>("--tokenizer") { Description = "word, char, bpe, sentencepiece, tiktoken, wordpiece, bert (with --tokenizer-file), or a tokenizer JSON file (ignored with --from-lm).", DefaultValueFactory = _ => "word" };
        var bpeSize = new Option<int>("--bpe-vocab-size") { Description = "Vocabulary size for --tokenizer bpe.", DefaultValueFactory = _ => 8192 };
        var embedding = new Option<int>("--embedding") { Description = "Embedding size.", DefaultValueFactory = _ => 64 };
        var hidden = new Option<int>("--hidden") { Description = "LSTM hidden size per direction.", DefaultValueFactory = _ => 128 };
        var layers = new Option<int>("--layers") { Description = "Stacked LSTM layers.", DefaultValueFactory = _ => 1 };
        var bidirectional = new Option<bool>("--bidirectional") { Description = "Read each text in both directions." };
        var dropout = new Option<double>("--dropout") { Description = "Dropout between LSTM layers." };
        var pooling = new Option<string>("--pooling") { Description = "last, mean, max, concat (last ‖ max ‖ mean) or attention.", DefaultValueFactory = _ => "concat" };
        var poolingDropout = new Option<double>("--pooling-dropout") { Description = "Dropout on the pooled vector." };
        var headHidden = new Option<int>("--head-hidden") { Description = "A hidden layer of this width in the head (0: none)." };
        var fromLm = new Option<string?>("--from-lm") { Description = "Start the tokenizer, embedding and LSTM from this language model (ULMFiT transfer; with --bidirectional and a one-layer model, the reverse direction starts fresh), or from a trained classifier, whose classes may differ." };
        shared.FreezeEncoderEpochs.Description = "With --from-lm: train only the head for the first N epochs.";
        shared.EncoderRateFactor.Description = "The embedding and LSTM learn at this factor × --lr (e.g. 0.1 with --from-lm).";
        var command = new Command("train-classifier",
            "Train a text classifier on a labelled file; data issues (skipped rows) go to stderr with their line numbers.\n" +
            "Example: lstmtext train-classifier --data reviews.csv --text-column review --label-column sentiment --out sentiment.safetensors " +
            "--bidirectional --epochs 5 --class-weights balanced")
        {
            tokenizer, bpeSize, embedding, hidden, layers, bidirectional, dropout, pooling, poolingDropout, headHidden, fromLm,
        };
        words.AddTo(command);
        mlTokenizer.AddTo(command);
        shared.AddTo(command);
        command.SetAction((parse, cancellation) => Task.Run(() =>
        {
            var builder = TextClassifier.Configure()
                .Embedding(parse.GetValue(embedding)).Lstm(parse.GetValue(hidden), parse.GetValue(layers), parse.GetValue(bidirectional))
                .Dropout(parse.GetValue(dropout)).PoolingDropout(parse.GetValue(poolingDropout))
                .Pooling(ParsePooling(parse.GetValue(pooling)!));
            if (parse.GetValue(headHidden) > 0) builder.HeadHiddenLayer(parse.GetValue(headHidden));
            string kind = parse.GetValue(tokenizer)!;
            mlTokenizer.CheckUnused(parse, kind);
            _ = kind switch
            {
                "word" => builder.WordLevel(words.Options(parse)),
                "char" => builder.CharacterLevel(),
                "bpe" => builder.Bpe(parse.GetValue(bpeSize)),
                _ when MLTokenizerOptionSet.Handles(kind) => builder.Tokenizer(mlTokenizer.Create(parse, kind)),
                _ when File.Exists(kind) => builder.Tokenizer(Tokenizer.Load(kind)),
                _ => throw new UsageException($"--tokenizer must be word, char, bpe, sentencepiece, tiktoken, wordpiece, bert or an existing tokenizer file, not '{kind}'"),
            };
            if (parse.GetValue(fromLm) is { } lm)
            {
                Int8Option.RefuseTrainingFromInt8("--from-lm", lm);
                builder.FromLanguageModel(lm);
            }
            if (shared.Training.Backend(parse) is { } backend) builder.Backend(backend);
            if (parse.GetValue(shared.FreezeEncoderEpochs) > 0 && parse.GetValue(fromLm) is null) throw new UsageException("--freeze-encoder-epochs needs --from-lm");
            shared.Train(parse, builder.Train, "trained", cancellation);
            return 0;
        }, CancellationToken.None));
        return command;
    }

    private static SequencePooling ParsePooling(string name)
    {
        try
        {
            return TextClassifierArchitecture.ParsePooling(name);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--pooling: {e.Message}");
        }
    }
}
