using System.CommandLine;
using LstmText.Models;

namespace LstmText.Cli;

/// <summary><c>lstmtext finetune-classifier</c>: continues training a classifier on new labelled data.</summary>
internal static class FinetuneClassifierCommand
{
    public static Command Create()
    {
        var shared = new ClassifierTrainingOptionSet();
        var model = new Option<string>("--model") { Description = "The classifier to start from; its tokenizer, architecture and classes are kept.", Required = true };
        var command = new Command("finetune-classifier",
            "Continue training a classifier on new labelled data whose labels are among its classes (learning rate 5e-4 unless --lr); " +
            "words the classifier has never seen map to <unk>.\n" +
            "Example: lstmtext finetune-classifier --model imdb.safetensors --data my-reviews.csv --out mine.safetensors --epochs 3")
        {
            model,
        };
        shared.AddTo(command);
        command.SetAction((parse, cancellation) => Task.Run(() =>
        {
            var start = TextClassifier.Load(parse.GetValue(model)!, shared.Training.Backend(parse));
            Int8Option.RefuseTrainingFromInt8(start.HasFloatWeights, "--model", parse.GetValue(model)!);
            shared.Train(parse, start.FineTune, "fine-tuned", cancellation);
            return 0;
        }, CancellationToken.None));
        return command;
    }
}
