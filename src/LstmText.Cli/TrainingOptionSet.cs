using System.CommandLine;
using LstmText.Compute;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Optimizers;
using LstmText.Training;
using Spectre.Console;

namespace LstmText.Cli;

/// <summary>
/// The training options that <c>train</c>, <c>finetune</c> and <c>train-classifier</c> share; one instance per command.
/// A classifier's set leaves out the corpus and the sequence length, and validates on labelled examples.
/// </summary>
internal sealed class TrainingOptionSet
{
    private readonly bool _languageModel;
    private readonly bool _separateValidationFile = true;

    /// <summary>Creates the options of a language-model command, or of a classifier command when <paramref name="languageModel"/> is false.</summary>
    public TrainingOptionSet(bool languageModel = true)
    {
        _languageModel = languageModel;
        if (languageModel) return;
        BatchSize.Description = "Examples per step (batched by similar length).";
        ValidationFraction.Description = "Share of each class held out for validation (stratified).";
        ValidationFile.Description = "A separate labelled validation file, read like --data (instead of --validation-fraction).";
        EarlyStopping.Description = "Stop after N validations without a better validation score (--metric).";
    }

    /// <summary>
    /// The options of <c>forecast train</c>: no corpus, sequence length or separate validation file (a forecaster
    /// validates on the points just before the test part), and the forecasting defaults.
    /// </summary>
    public static TrainingOptionSet ForForecasting()
    {
        var set = new TrainingOptionSet(languageModel: false, separateValidationFile: false);
        set.Epochs.Description = "Passes over the training windows (default 60).";
        set.BatchSize.Description = "Windows per step.";
        set.LearningRate.Description = "Learning rate (default 1e-3).";
        set.ValidationFraction.Description = "The last share of each series before the test part, for validation (best weights, early stopping; 0: none).";
        set.EarlyStopping.Description = "Stop after N validations without a lower validation loss (default 10; 0: never).";
        return set;
    }

    private TrainingOptionSet(bool languageModel, bool separateValidationFile)
        : this(languageModel)
    {
        _separateValidationFile = separateValidationFile;
    }

    public Option<string[]> Corpus { get; } = new("--corpus") { Description = "Corpus files or folders (UTF-8 text).", Required = true, AllowMultipleArgumentsPerToken = true };
    public Option<string> Out { get; } = new("--out") { Description = "Where to write the model (.safetensors); checkpoints, log and loss curve go beside it.", Required = true };
    public Option<int?> Epochs { get; } = new("--epochs") { Description = "Passes over the training text (default 10 unless --max-steps or --time-budget)." };
    public Option<int?> MaxSteps { get; } = new("--max-steps") { Description = "Stop after this many optimizer steps." };
    public Option<double?> TimeBudget { get; } = new("--time-budget") { Description = "Stop after this many minutes." };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Parallel streams per step.", DefaultValueFactory = _ => 32 };
    public Option<int> SequenceLength { get; } = new("--sequence-length") { Description = "Tokens per stream per step (truncated BPTT).", DefaultValueFactory = _ => 64 };
    public Option<float?> LearningRate { get; } = new("--lr") { Description = "Learning rate (default 2e-3; 5e-4 for finetune)." };
    public Option<string> Optimizer { get; } = new("--optimizer") { Description = "adam, adamw or sgd.", DefaultValueFactory = _ => "adam" };
    public Option<float> WeightDecay { get; } = new("--weight-decay") { Description = "Weight decay (L2 for adam/sgd, decoupled for adamw)." };
    public Option<float> Momentum { get; } = new("--momentum") { Description = "SGD momentum." };
    public Option<float> Clip { get; } = new("--clip") { Description = "Clip the global gradient norm to this (0: no clipping).", DefaultValueFactory = _ => 5f };
    public Option<string> Schedule { get; } = new("--schedule") { Description = "constant or cosine.", DefaultValueFactory = _ => "constant" };
    public Option<int> Warmup { get; } = new("--warmup") { Description = "Linear warm-up steps." };
    public Option<double> ValidationFraction { get; } = new("--validation-fraction") { Description = "Share of the text (its end) held out for validation.", DefaultValueFactory = _ => 0.1 };
    public Option<string?> ValidationFile { get; } = new("--validation") { Description = "A separate validation file (instead of --validation-fraction)." };
    public Option<int?> ValidateEvery { get; } = new("--validate-every") { Description = "Validate and checkpoint every N steps (default: every epoch)." };
    public Option<int?> EarlyStopping { get; } = new("--early-stopping") { Description = "Stop after N validations without improvement." };
    public Option<ulong> Seed { get; } = new("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1UL };
    public Option<string?> Resume { get; } = new("--resume") { Description = "Continue exactly from a checkpoint (NAME.last.ckpt.safetensors)." };
    public Option<int?> Threads { get; } = ThreadsOption.Create();

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Corpus, Out, Epochs, MaxSteps, TimeBudget, BatchSize, SequenceLength, LearningRate, Optimizer,
            WeightDecay, Momentum, Clip, Schedule, Warmup, ValidationFraction, ValidationFile, ValidateEvery, EarlyStopping, Seed, Resume, Threads })
        {
            if (!_languageModel && (option == Corpus || option == SequenceLength)) continue;
            if (!_separateValidationFile && option == ValidationFile) continue;
            command.Options.Add(option);
        }
    }

    /// <summary>The backend to train on: the shared default, or one of <c>--threads</c> threads.</summary>
    public IBackend? Backend(ParseResult parse) => ThreadsOption.Backend(parse, Threads);

    public TextCorpus ReadCorpus(ParseResult parse) => TextCorpus.FromPaths(parse.GetValue(Corpus)!);

    /// <summary>Applies every option to a language model's fluent settings.</summary>
    public void Apply(ParseResult parse, TrainingSettings t, CancellationToken cancellation)
    {
        ApplyShared(parse, t, cancellation);
        t.SequenceLength(parse.GetValue(SequenceLength));
        if (parse.GetValue(ValidationFile) is { } validation) t.ValidationCorpus(TextCorpus.FromFile(validation));
        else t.ValidationFraction(parse.GetValue(ValidationFraction));
    }

    /// <summary>Applies the options every trainer shares (all but the corpus, the sequence length and validation).</summary>
    public void ApplyShared<TSettings>(ParseResult parse, TrainingSettingsBase<TSettings> t, CancellationToken cancellation)
        where TSettings : TrainingSettingsBase<TSettings>
    {
        if (parse.GetValue(Epochs) is { } epochs) t.Epochs(epochs);
        if (parse.GetValue(MaxSteps) is { } steps) t.MaxSteps(steps);
        if (parse.GetValue(TimeBudget) is { } minutes) t.TimeBudget(TimeSpan.FromMinutes(minutes));
        t.BatchSize(parse.GetValue(BatchSize)).Seed(parse.GetValue(Seed));
        float decay = parse.GetValue(WeightDecay);
        switch (parse.GetValue(Optimizer)?.ToLowerInvariant())
        {
            case "adam": t.Adam(decay); break;
            case "adamw": t.AdamW(decay); break;
            case "sgd": t.Sgd(parse.GetValue(Momentum), decay); break;
            default: throw new UsageException($"--optimizer must be adam, adamw or sgd, not '{parse.GetValue(Optimizer)}'");
        }
        if (parse.GetValue(LearningRate) is { } rate) t.LearningRate(rate);
        float clip = parse.GetValue(Clip);
        if (clip > 0) t.ClipGradients(clip); else t.NoGradientClipping();
        switch (parse.GetValue(Schedule)?.ToLowerInvariant())
        {
            case "constant": break;
            case "cosine": t.CosineSchedule(); break;
            default: throw new UsageException($"--schedule must be constant or cosine, not '{parse.GetValue(Schedule)}'");
        }
        if (parse.GetValue(Warmup) > 0) t.Warmup(parse.GetValue(Warmup));
        if (parse.GetValue(ValidateEvery) is { } every) t.ValidateEvery(every);
        if (parse.GetValue(EarlyStopping) is { } patience)
        {
            if (patience < 0) throw new UsageException($"--early-stopping must be 0 (never) or more, not {patience}");
            if (patience == 0) t.NoEarlyStopping(); else t.EarlyStopping(patience);
        }
        if (parse.GetValue(Resume) is { } resume) t.ResumeFrom(resume);
        t.SaveTo(parse.GetValue(Out)!).CancelWith(cancellation);
    }

    /// <summary>Runs a training call with a progress bar on stderr (or plain lines when stderr is not a terminal).</summary>
    public static T WithProgress<T>(ParseResult parse, Func<IProgress<TrainingProgress>, T> train)
    {
        var error = parse.InvocationConfiguration.Error;
        bool terminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        if (!terminal) return train(new LineProgress(error));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("training", maxValue: 1);
                result = train(new BarProgress(task));
            });
        return result;
    }

    private sealed class BarProgress(ProgressTask task) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            if (p.TotalSteps is { } total) { task.MaxValue = total; task.Value = p.Step; }
            else task.IsIndeterminate = true;
            task.Description = $"step {p.Step} loss {p.AverageTrainingLoss ?? p.Loss:F3} {p.TokensPerSecond:N0} tok/s" + (p.ValidationLoss is { } v ? $" val {v:F3}" : "") +
                (p.ValidationScore is { } score ? $" score {score:F3}" : "");
        }
    }

    private sealed class LineProgress(TextWriter error) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            if (p.ValidationLoss is { } v)
                error.WriteLine($"step {p.Step}{(p.TotalSteps is { } t ? $"/{t}" : "")} epoch {p.Epoch}: loss {p.AverageTrainingLoss ?? p.Loss:F4}, validation {v:F4}" +
                    (p.ValidationScore is { } score ? $" (score {score:F4})" : "") + $", {p.TokensPerSecond:N0} tokens/s" +
                    (p.Remaining is { } r ? $", {r:hh\\:mm\\:ss} left" : ""));
        }
    }
}
