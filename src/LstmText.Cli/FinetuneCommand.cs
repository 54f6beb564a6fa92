using System.CommandLine;
using LstmText.Models;

namespace LstmText.Cli;

/// <summary><c>lstmtext finetune</c>: continues training a language model on a new corpus.</summary>
internal static class FinetuneCommand
{
    public static Command Create()
    {
        var options = new TrainingOptionSet();
        var model = new Option<string>("--model") { Description = "The model to start from.", Required = true };
        var extend = new Option<bool>("--extend-vocab") { Description = "Add the new corpus's unseen tokens to the vocabulary (else they map to <unk>)." };
        var freezeEmbedding = new Option<bool>("--freeze-embedding") { Description = "Keep the embedding fixed." };
        var freezeLayers = new Option<int>("--freeze-layers") { Description = "Keep the lowest N LSTM layers fixed." };
        var command = new Command("finetune",
            "Continue training a language model on a new corpus (learning rate 5e-4 unless --lr).\n" +
            "Example: lstmtext finetune --model shakespeare.safetensors --corpus my-letters.txt --out letters.safetensors --extend-vocab --epochs 3")
        {
            model, extend, freezeEmbedding, freezeLayers,
        };
        options.AddTo(command);
        command.SetAction((parse, cancellation) => Task.Run(() =>
        {
            var start = LanguageModel.Load(parse.GetValue(model)!, options.Backend(parse));
            Int8Option.RefuseTrainingFromInt8(start.HasFloatWeights, "--model", parse.GetValue(model)!);
            var corpus = options.ReadCorpus(parse);
            var tuned = TrainingOptionSet.WithProgress(parse, progress => start.FineTune(corpus, t =>
            {
                options.Apply(parse, t, cancellation);
                t.ReportProgress(progress).ExtendVocabulary(parse.GetValue(extend)).FreezeEmbedding(parse.GetValue(freezeEmbedding))
                    .FreezeLowerLayers(parse.GetValue(freezeLayers));
            }));
            var record = tuned.Training!;
            var error = parse.InvocationConfiguration.Error;
            if (record.AddedTokens > 0) error.WriteLine($"added {record.AddedTokens} tokens to the vocabulary");
            if (record.UnknownTokens > 0)
                error.WriteLine($"warning: {record.UnknownTokens} tokens of the corpus are unknown to the model and map to <unk>; --extend-vocab adds them");
            error.WriteLine($"fine-tuned {record.Steps} steps ({record.StoppedBecause}); training loss {record.TrainingLoss:F4}" +
                (record.ValidationLoss is { } v ? $", validation loss {v:F4}" : "") + $"; wrote {parse.GetValue(options.Out)}");
            return 0;
        }, CancellationToken.None));
        return command;
    }
}
