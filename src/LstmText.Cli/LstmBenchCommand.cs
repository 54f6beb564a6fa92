using System.CommandLine;
using System.Globalization;
using LstmText.Compute;
using LstmText.Data;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Optimizers;
using LstmText.Tensors;
using LstmText.Tokenizers;
using LstmText.Training;
using Spectre.Console;

namespace LstmText.Cli;

/// <summary>
/// <c>lstmtext bench lstm</c> (forward + backward of one LSTM layer) and <c>lstmtext bench train</c> (one training step of
/// an LSTM language model with Adam: the trainer's own <see cref="TrainingStep{TBatch}"/>). tools/bench/lstm_torch.py is
/// the PyTorch twin with the same sizes and JSON.
/// </summary>
internal static class LstmBenchCommand
{
    public static Command CreateLayer()
    {
        var input = new Option<int>("--input") { Description = "Input features I.", DefaultValueFactory = _ => 512 };
        var options = new SharedOptions();
        var command = new Command("lstm",
            "Time forward + backward of one LSTM layer (time-major [T, B, I]) and report GFLOP/s and tokens/s.\n" +
            "Example: lstmtext bench lstm --input 512 --hidden 512 --batch-size 32 --sequence-length 128 --threads 2 --json")
        { input };
        options.AddTo(command);
        command.SetAction(parseResult =>
        {
            var s = options.Read(parseResult);
            int inputSize = parseResult.GetValue(input);
            var backend = s.CreateBackend();
            var random = new RandomSource(1);
            var lstm = new Lstm(inputSize, s.Hidden, random, backend: backend);
            var x = Tensor.Zeros(s.Steps, s.Batch, inputSize);
            var gradient = Tensor.Zeros(s.Steps, s.Batch, s.Hidden);
            random.FillNormal(x, 0f, 1f);
            random.FillNormal(gradient, 0f, 1f);
            var timing = BenchmarkClock.Measure(() =>
            {
                lstm.Forward(x);
                lstm.Backward(gradient);
            }, s.Repeat, TimeSpan.FromSeconds(1));
            Report(parseResult, s, "layer", inputSize, 1, backend, timing, LstmFlops(inputSize, s.Hidden, s.Batch, s.Steps, 1));
            return 0;
        });
        return command;
    }

    public static Command CreateTraining()
    {
        var vocabulary = new Option<int>("--vocab") { Description = "Vocabulary size V.", DefaultValueFactory = _ => 65 };
        var embedding = new Option<int>("--embedding") { Description = "Embedding size E.", DefaultValueFactory = _ => 64 };
        var layers = new Option<int>("--layers") { Description = "Stacked LSTM layers.", DefaultValueFactory = _ => 2 };
        var options = new SharedOptions();
        var command = new Command("train",
            "Time one training step of an LSTM language model (embedding → LSTM → linear → cross-entropy → clip → Adam).\n" +
            "Example: lstmtext bench train --vocab 65 --embedding 64 --hidden 512 --layers 2 --batch-size 32 --sequence-length 128 --json")
        { vocabulary, embedding, layers };
        options.AddTo(command);
        command.SetAction(parseResult =>
        {
            var s = options.Read(parseResult);
            int v = parseResult.GetValue(vocabulary), e = parseResult.GetValue(embedding), l = parseResult.GetValue(layers);
            var backend = s.CreateBackend();
            var random = new RandomSource(1);
            var network = new LanguageModelNetwork(new LanguageModelArchitecture(v, e, s.Hidden, l), random, backend);
            var adam = new Adam(network.OptimizedParameters.Select(p => p.Parameter), new AdamSettings(1e-3f), backend);
            var step = new TrainingStep<LanguageModelBatch>(network, new CrossEntropyObjective<LanguageModelBatch>(new CrossEntropyLoss(backend: backend)),
                adam, clipNorm: 1f);
            var batch = new LanguageModelBatch(s.Batch, s.Steps) { Steps = s.Steps };
            var ids = batch.InputBuffer;
            var targets = batch.TargetBuffer;
            for (int i = 0; i < ids.Length; i++) (ids[i], targets[i]) = (random.NextInt(v), random.NextInt(v));
            var timing = BenchmarkClock.Measure(() => step.Run(batch, null), s.Repeat, TimeSpan.FromSeconds(1));
            double lstmFlops = LstmFlops(e, s.Hidden, s.Batch, s.Steps, l), decoderFlops = 2.0 * s.Steps * s.Batch * s.Hidden * v;
            double flops = lstmFlops + 3 * decoderFlops;
            // The phases of the fastest of a few more steps, then our SGEMM's rate at the same thread count: item 3 of
            // issue 12 (the step's share of what the GEMM alone reaches). Not with --profile, whose timers would count.
            StepPhases? phases = backend is ProfilingBackend ? null
                : StepPhases.Measure(step, batch, Math.Max(3, s.Repeat), lstmFlops / 3 + decoderFlops, 2 * lstmFlops / 3 + 2 * decoderFlops);
            double? sgemm = phases is null ? null : GemmBenchCommand.MeasureGigaflops(1024, 1024, 1024, "nn", s.Threads, 10);
            Report(parseResult, s, "train", e, l, backend, timing, flops, phases, sgemm);
            return 0;
        });
        return command;
    }

    /// <summary>GEMM FLOPs of forward (1×) and backward (2×: input and weight gradients), as the PyTorch twin counts them.</summary>
    private static double LstmFlops(int input, int hidden, int batch, int steps, int layers)
    {
        double total = 0;
        for (int layer = 0; layer < layers; layer++)
            total += 2.0 * steps * batch * 4 * hidden * ((layer == 0 ? input : hidden) + hidden);
        return 3 * total;
    }

    private static void Report(ParseResult parseResult, Settings s, string mode, int input, int layers, IBackend backend,
        BenchmarkClock.Timing timing, double flops, StepPhases? phases = null, double? sgemmGigaflops = null)
    {
        double tokensPerSecond = s.Batch * s.Steps / timing.Best;
        double gflops = flops / timing.Best / 1e9;
        if (parseResult.GetValue(s.JsonOption))
        {
            BenchmarkOutput.WriteJson(parseResult, new Dictionary<string, object>
            {
                ["engine"] = "lstmtext " + backend.Name,
                ["mode"] = mode,
                ["threads"] = s.Threads,
                ["input"] = input,
                ["hidden"] = s.Hidden,
                ["batch"] = s.Batch,
                ["steps"] = s.Steps,
                ["layers"] = layers,
                ["seconds_best"] = timing.Best,
                ["seconds_median"] = timing.Median,
                ["tokens_per_second"] = tokensPerSecond,
                ["gflops"] = gflops,
                ["phases"] = phases?.ToJson()!,
                ["sgemm_gflops"] = sgemmGigaflops!,
                ["share_of_sgemm"] = sgemmGigaflops is { } rate ? gflops / rate : null!,
                ["profile"] = backend is ProfilingBackend profile ? profile.ToJson() : null!,
            }.Where(figure => figure.Value is not null).ToDictionary());
            return;
        }
        var table = new Table().AddColumns("engine", "mode", "I/E", "H", "layers", "B", "T", "best", "median", "tokens/s", "GFLOP/s");
        table.AddRow(backend.Name, mode, Format(input), Format(s.Hidden), Format(layers), Format(s.Batch), Format(s.Steps),
            $"{timing.Best * 1e3:F1} ms", $"{timing.Median * 1e3:F1} ms", $"{tokensPerSecond:F0}", $"[bold]{gflops:F1}[/]");
        BenchmarkOutput.WriteTable(parseResult, table);
        if (phases is not null && sgemmGigaflops is { } sgemm)
        {
            var phaseTable = new Table().AddColumns("phase", "time", "share", "GFLOP/s");
            foreach (var phase in phases.Rows)
                phaseTable.AddRow(phase.Name, $"{phase.Seconds * 1e3:F1} ms", $"{phase.Seconds / phases.TotalSeconds:P0}",
                    phase.Gigaflops is { } rate ? $"{rate:F1}" : "-");
            phaseTable.AddRow("step", $"{phases.TotalSeconds * 1e3:F1} ms", "100 %", $"{flops / phases.TotalSeconds / 1e9:F1}");
            BenchmarkOutput.WriteTable(parseResult, phaseTable);
            BenchmarkOutput.WriteLine(parseResult, $"SGEMM 1024³ at {s.Threads} thread{(s.Threads == 1 ? "" : "s")}: {sgemm:F1} GFLOP/s; the step reaches {gflops / sgemm:P0} of it.");
        }
        (backend as ProfilingBackend)?.WriteTable(parseResult);
    }

    /// <summary>How long each phase of a training step takes (the fastest of several steps) and the GFLOP/s of its GEMMs.</summary>
    private sealed class StepPhases : ITrainingPhaseObserver
    {
        private readonly double[] _current = new double[3];
        private readonly double[] _best = new double[3];
        private readonly double[] _flops;
        private long _last;

        private StepPhases(double forwardFlops, double backwardFlops) => _flops = [forwardFlops, backwardFlops, 0];

        /// <summary>The fastest measured step's time (infinite before the first).</summary>
        public double TotalSeconds { get; private set; } = double.PositiveInfinity;

        public IEnumerable<(string Key, string Name, double Seconds, double? Gigaflops)> Rows =>
            Enum.GetValues<TrainingPhase>().Select(phase => (phase.ToString().ToLowerInvariant(), Name(phase), _best[(int)phase],
                _flops[(int)phase] > 0 ? _flops[(int)phase] / _best[(int)phase] / 1e9 : (double?)null));

        public static StepPhases Measure(TrainingStep<LanguageModelBatch> step, LanguageModelBatch batch, int steps, double forwardFlops, double backwardFlops)
        {
            var phases = new StepPhases(forwardFlops, backwardFlops);
            step.PhaseObserver = phases;
            try
            {
                for (int i = 0; i < steps; i++)
                {
                    Array.Clear(phases._current);
                    phases._last = System.Diagnostics.Stopwatch.GetTimestamp();
                    step.Run(batch, null);
                    double total = phases._current.Sum();
                    if (total < phases.TotalSeconds)
                    {
                        phases.TotalSeconds = total;
                        phases._current.CopyTo(phases._best, 0);
                    }
                }
            }
            finally
            {
                step.PhaseObserver = null;
            }
            return phases;
        }

        public void PhaseEnded(TrainingPhase phase)
        {
            long now = System.Diagnostics.Stopwatch.GetTimestamp();
            _current[(int)phase] += System.Diagnostics.Stopwatch.GetElapsedTime(_last, now).TotalSeconds;
            _last = now;
        }

        public object[] ToJson() => Rows.Select(row => (object)new Dictionary<string, object>
        {
            ["phase"] = row.Key,
            ["seconds"] = row.Seconds,
            ["share"] = row.Seconds / TotalSeconds,
            ["gflops"] = row.Gigaflops!,
        }.Where(figure => figure.Value is not null).ToDictionary()).ToArray();

        private static string Name(TrainingPhase phase) => phase switch
        {
            TrainingPhase.Forward => "forward (embedding, LSTM, decoder, loss)",
            TrainingPhase.Backward => "backward",
            _ => "update (clip, Adam)",
        };
    }

    private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record Settings(int Hidden, int Batch, int Steps, int Threads, int Repeat, Option<bool> JsonOption, bool Profile)
    {
        /// <summary>The CPU backend, wrapped in a <see cref="ProfilingBackend"/> with <c>--profile</c>.</summary>
        public IBackend CreateBackend() => Profile ? new ProfilingBackend(new CpuBackend(Threads)) : new CpuBackend(Threads);
    }

    /// <summary>The options both LSTM benchmarks share.</summary>
    private sealed class SharedOptions
    {
        private readonly Option<int> _hidden = new("--hidden") { Description = "Hidden size H.", DefaultValueFactory = _ => 512 };
        private readonly Option<int> _batch = new("--batch-size") { Description = "Batch size B.", DefaultValueFactory = _ => 32 };
        private readonly Option<int> _steps = new("--sequence-length") { Description = "Time steps T.", DefaultValueFactory = _ => 128 };
        // The names before 0.3, kept hidden for scripts: --batch and --steps.
        private readonly Option<int?> _oldBatch = new("--batch") { Hidden = true };
        private readonly Option<int?> _oldSteps = new("--steps") { Hidden = true };
        private readonly Option<int> _threads = new("--threads") { Description = "Threads for the GEMMs.", DefaultValueFactory = _ => Environment.ProcessorCount };
        private readonly Option<int> _repeat = new("--repeat") { Description = "Timed runs; best and median are reported.", DefaultValueFactory = _ => 5 };
        private readonly Option<bool> _json = new("--json") { Description = "Print one JSON object instead of a table." };
        private readonly Option<bool> _profile = ProfilingBackend.CreateOption();

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { _hidden, _batch, _steps, _threads, _repeat, _json, _profile, _oldBatch, _oldSteps }) command.Options.Add(option);
        }

        public Settings Read(ParseResult parseResult) => new(parseResult.GetValue(_hidden),
            parseResult.GetValue(_oldBatch) ?? parseResult.GetValue(_batch), parseResult.GetValue(_oldSteps) ?? parseResult.GetValue(_steps),
            Math.Max(1, parseResult.GetValue(_threads)), parseResult.GetValue(_repeat), _json, parseResult.GetValue(_profile));
    }
}
