using System.CommandLine;
using System.Globalization;
using LstmText.Compute;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tensors;
using Spectre.Console;

namespace LstmText.Cli;

/// <summary>
/// <c>lstmtext bench generate</c>: batch-1 sampling from a character language model (embedding → stacked LSTM → linear →
/// softmax → draw), one token per step, through the network <c>lstmtext generate</c> runs. The twin of the TorchSharp
/// anchor's <c>generate --cell 1</c> (an LSTMCell loop) and of tools/bench/generate_torch.py, with the same sizes and
/// JSON fields.
/// </summary>
internal static class GenerateBenchCommand
{
    public static Command Create()
    {
        var vocabulary = new Option<int>("--vocab") { Description = "Vocabulary size V.", DefaultValueFactory = _ => 69 };
        var embedding = new Option<int>("--embedding") { Description = "Embedding size E.", DefaultValueFactory = _ => 64 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden size H.", DefaultValueFactory = _ => 512 };
        var layers = new Option<int>("--layers") { Description = "Stacked LSTM layers.", DefaultValueFactory = _ => 2 };
        var tokens = new Option<int>("--tokens") { Description = "Tokens generated per timed run.", DefaultValueFactory = _ => 2000 };
        var threads = new Option<int>("--threads") { Description = "Threads for the products.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var repeat = new Option<int>("--repeat") { Description = "Timed runs; best and median are reported.", DefaultValueFactory = _ => 3 };
        var int8 = new Option<bool>("--int8") { Description = "Multiply by int8 weights (dynamic quantization) instead of float." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var profile = ProfilingBackend.CreateOption();
        var command = new Command("generate",
            "Time batch-1 sampling from a character language model (one token per step) and report tokens/s.\n" +
            "Example: lstmtext bench generate --hidden 512 --layers 2 --tokens 2000 --threads 1 --json")
        { vocabulary, embedding, hidden, layers, tokens, threads, repeat, int8, json, profile };
        command.SetAction(parse =>
        {
            int v = parse.GetValue(vocabulary), e = parse.GetValue(embedding), h = parse.GetValue(hidden), l = parse.GetValue(layers);
            int count = parse.GetValue(tokens);
            bool quantized = parse.GetValue(int8);
            var cpu = new CpuBackend(Math.Max(1, parse.GetValue(threads)));
            IBackend backend = parse.GetValue(profile) ? new ProfilingBackend(cpu) : cpu;
            // The network `lstmtext generate` runs (a language model's inference replica), one token per call.
            var network = new LanguageModelNetwork(new LanguageModelArchitecture(v, e, h, l), new RandomSource(1), backend);
            if (quantized)
            {
                network.Lstm.QuantizeWeights();
                network.Decoder.QuantizeWeights();
            }
            var state = LstmState.Zeros(l, 1, h, backend);
            var probabilities = Tensor.Zeros(1, v);
            var sampler = new RandomSource(2);
            var token = new int[1];
            void Run(int n)
            {
                state.Hidden.Clear();
                state.Cell.Clear();
                token[0] = 0;
                for (int k = 0; k < n; k++)
                {
                    var logits = network.Forward(token, 1, 1, state, null);
                    backend.Copy(network.Lstm.FinalState.Hidden, state.Hidden);
                    backend.Copy(network.Lstm.FinalState.Cell, state.Cell);
                    backend.Softmax(logits, 1, v, probabilities);
                    token[0] = Draw(probabilities.HostSpan, sampler.NextDouble());
                }
            }
            Run(200);
            var timing = BenchmarkClock.Measure(() => Run(count), parse.GetValue(repeat), TimeSpan.FromSeconds(0.5));
            double perSecond = count / timing.Best;
            if (parse.GetValue(json))
            {
                BenchmarkOutput.WriteJson(parse, new Dictionary<string, object>
                {
                    ["engine"] = "lstmtext " + backend.Name,
                    ["mode"] = quantized ? "generate-int8" : "generate",
                    ["threads"] = cpu.Threads,
                    ["vocab"] = v,
                    ["embedding"] = e,
                    ["hidden"] = h,
                    ["layers"] = l,
                    ["tokens"] = count,
                    ["int8_kernel"] = quantized ? Int8Instructions.Active : "none",
                    ["seconds_best"] = timing.Best,
                    ["seconds_median"] = timing.Median,
                    ["tokens_per_second"] = perSecond,
                    ["tokens_per_second_median"] = count / timing.Median,
                    ["profile"] = backend is ProfilingBackend p ? p.ToJson() : null!,
                }.Where(figure => figure.Value is not null).ToDictionary());
                return 0;
            }
            var table = new Table().AddColumns("engine", "weights", "V", "E", "H", "layers", "tokens", "best", "median", "tokens/s");
            table.AddRow(backend.Name, quantized ? "int8" : "float32", Format(v), Format(e), Format(h), Format(l), Format(count),
                $"{timing.Best * 1e3:F1} ms", $"{timing.Median * 1e3:F1} ms", $"[bold]{perSecond:F0}[/]");
            BenchmarkOutput.WriteTable(parse, table);
            (backend as ProfilingBackend)?.WriteTable(parse);
            return 0;
        });
        return command;
    }

    /// <summary>The token whose cumulative probability first passes <paramref name="u"/> (the last one on rounding).</summary>
    private static int Draw(ReadOnlySpan<float> probabilities, double u)
    {
        double cumulative = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            cumulative += probabilities[i];
            if (u < cumulative) return i;
        }
        return probabilities.Length - 1;
    }

    private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
}
