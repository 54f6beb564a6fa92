using System.Runtime.CompilerServices;
using System.Text;
using LstmText.Compute;
using LstmText.Generation;
using LstmText.Layers;
using LstmText.Tensors;
using LstmText.Tokenizers;

namespace LstmText.Models;

/// <summary>One generation call: its own copy of the layers, state and random source, so calls never share buffers.</summary>
internal sealed class TextGenerator
{
    private readonly LanguageModel _model;
    private readonly GenerationSettings _settings;
    private readonly ITokenizer _tokenizer;
    private readonly LanguageModelNetwork _network;
    private readonly RandomSource _random;

    public TextGenerator(LanguageModel model, GenerationSettings settings)
    {
        settings.Validate();
        _model = model;
        _settings = settings;
        _tokenizer = model.Tokenizer;
        _network = model.CreateInferenceNetwork();
        _random = new RandomSource(settings.RandomSeed ?? (ulong)Random.Shared.NextInt64());
    }

    private int Vocabulary => _model.Architecture.VocabularySize;

    public IReadOnlyList<GeneratedText> Run(string prompt)
    {
        var promptIds = EncodePrompt(prompt);
        return _settings.IsBeamSearch ? BeamSearch(promptIds) : Sample(promptIds);
    }

    private int[] EncodePrompt(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var ids = _tokenizer.Encode(prompt);
        if (_tokenizer.UnknownId is { } unknown && ids.Contains(unknown) && !prompt.Contains(_tokenizer.TokenOf(unknown), StringComparison.Ordinal))
        {
            int count = ids.Count(id => id == unknown);
            throw new ArgumentException($"the prompt has {count} token(s) the model does not know (they would read as {_tokenizer.TokenOf(unknown)})");
        }
        if (ids.Length == 0)
        {
            ids = _tokenizer.BeginOfSequenceId is { } bos ? [bos]
                : throw new ArgumentException("the prompt is empty and the tokenizer has no begin-of-sequence token to start from; give a prompt");
        }
        return ids;
    }

    /// <summary>Runs the prompt in one forward pass; returns the last position's logits and the state, copied into <paramref name="rows"/> rows.</summary>
    private (float[] Logits, LstmState State) Prime(int[] promptIds, int rows)
    {
        var logits = _network.Forward(promptIds, promptIds.Length, 1, null, null);
        var all = new float[rows * Vocabulary];
        logits.Slice((promptIds.Length - 1) * Vocabulary, Vocabulary).Download(all.AsSpan(0, Vocabulary));
        for (int r = 1; r < rows; r++) all.AsSpan(0, Vocabulary).CopyTo(all.AsSpan(r * Vocabulary));
        var final = _network.Lstm.FinalState;
        var backend = _network.Lstm.Backend;
        int layers = _model.Architecture.Layers, hidden = _model.Architecture.HiddenSize;
        var state = LstmState.Zeros(layers, rows, hidden, backend);
        for (int l = 0; l < layers; l++)
            for (int r = 0; r < rows; r++)
            {
                backend.Copy(final.Hidden.Slice(l * hidden, hidden), state.Hidden.Slice((l * rows + r) * hidden, hidden));
                backend.Copy(final.Cell.Slice(l * hidden, hidden), state.Cell.Slice((l * rows + r) * hidden, hidden));
            }
        return (all, state);
    }

    /// <summary>Feeds one token per row and returns the next logits, [rows·V]; the state moves on.</summary>
    private float[] Advance(int[] tokens, LstmState state)
    {
        var logits = _network.Forward(tokens, 1, tokens.Length, state, null);
        var final = _network.Lstm.FinalState;
        _network.Lstm.Backend.Copy(final.Hidden, state.Hidden);
        _network.Lstm.Backend.Copy(final.Cell, state.Cell);
        return logits.ToArray();
    }

    private int Choose(Span<float> logits, List<int> history, List<ILogitsProcessor> processors, out double logProbability)
    {
        var tokens = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history);
        foreach (var processor in processors) processor.Process(logits, tokens);
        var logProbabilities = Probabilities.LogSoftmax(logits);
        int chosen;
        if (_settings.IsGreedy)
        {
            chosen = 0;
            for (int i = 1; i < logits.Length; i++) if (logits[i] > logits[chosen]) chosen = i;
        }
        else
        {
            double u = _random.NextDouble(), cumulative = 0;
            chosen = -1;
            for (int i = 0; i < logProbabilities.Length; i++)
            {
                if (double.IsNegativeInfinity(logProbabilities[i])) continue;
                chosen = i;
                cumulative += Math.Exp(logProbabilities[i]);
                if (u < cumulative) break;
            }
            if (chosen < 0) throw new InvalidOperationException("every token was masked out; loosen top-k, top-p, min-p or the n-gram rule");
        }
        logProbability = logProbabilities[chosen];
        return chosen;
    }

    private GeneratedText[] Sample(int[] promptIds)
    {
        int rows = _settings.SampleCount;
        var (logits, state) = Prime(promptIds, rows);
        var processors = _settings.Processors(forBeamSearch: false);
        var histories = Enumerable.Range(0, rows).Select(_ => new List<int>(promptIds)).ToArray();
        var generated = Enumerable.Range(0, rows).Select(_ => new List<int>()).ToArray();
        var logProbabilities = new double[rows];
        var finish = new string?[rows];
        var texts = new string[rows];
        var next = new int[rows];
        for (int step = 0; step < _settings.MaxTokenCount; step++)
        {
            for (int r = 0; r < rows; r++)
            {
                if (finish[r] is not null) continue;
                int token = Choose(logits.AsSpan(r * Vocabulary, Vocabulary), histories[r], processors, out double lp);
                next[r] = token;
                histories[r].Add(token);
                generated[r].Add(token);
                logProbabilities[r] += lp;
                if (token == _tokenizer.EndOfSequenceId) finish[r] = "end";
                else if (StopIndex(_tokenizer.Decode(generated[r].ToArray(), skipSpecialTokens: true)) >= 0) finish[r] = "stop";
            }
            if (finish.All(f => f is not null) || step == _settings.MaxTokenCount - 1) break;
            logits = Advance(next, state);
        }
        var results = new GeneratedText[rows];
        for (int r = 0; r < rows; r++)
        {
            string text = _tokenizer.Decode(generated[r].ToArray(), skipSpecialTokens: true);
            int stop = StopIndex(text);
            results[r] = new GeneratedText(stop >= 0 ? text[..stop] : text, generated[r], logProbabilities[r], finish[r] ?? "length");
        }
        return results;
    }

    /// <summary>Where the first stop string begins in <paramref name="text"/>, or −1.</summary>
    private int StopIndex(string text)
    {
        int first = -1;
        foreach (var stop in _settings.StopStrings)
        {
            int at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        return first;
    }

    private sealed record Beam(List<int> Tokens, double LogProbability, int Row);

    private List<GeneratedText> BeamSearch(int[] promptIds)
    {
        int width = _settings.BeamCount;
        var processors = _settings.Processors(forBeamSearch: true);
        var (logits, state) = Prime(promptIds, 1);
        var beams = new List<Beam> { new([], 0, 0) };
        var finished = new List<(Beam Beam, string Reason)>();
        for (int step = 0; step < _settings.MaxTokenCount && beams.Count > 0; step++)
        {
            var candidates = new List<(int Parent, int Token, double Score)>();
            for (int b = 0; b < beams.Count; b++)
            {
                var row = logits.AsSpan(beams[b].Row * Vocabulary, Vocabulary);
                var history = new List<int>(promptIds);
                history.AddRange(beams[b].Tokens);
                foreach (var processor in processors) processor.Process(row, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history));
                var lp = Probabilities.LogSoftmax(row);
                // Only the top 2·width of each beam can make the next generation's top 2·width.
                foreach (int token in TopIndices(lp, 2 * width))
                    if (!double.IsNegativeInfinity(lp[token])) candidates.Add((b, token, beams[b].LogProbability + lp[token]));
            }
            candidates.Sort((x, y) => y.Score.CompareTo(x.Score));
            var next = new List<Beam>();
            var parents = new List<int>();
            bool lastStep = step == _settings.MaxTokenCount - 1;
            foreach (var (parent, token, score) in candidates)
            {
                var tokens = new List<int>(beams[parent].Tokens) { token };
                var beam = new Beam(tokens, score, next.Count);
                string? reason = token == _tokenizer.EndOfSequenceId ? "end"
                    : StopIndex(_tokenizer.Decode(tokens.ToArray(), skipSpecialTokens: true)) >= 0 ? "stop"
                    : lastStep ? "length" : null;
                if (reason is not null) finished.Add((beam, reason));
                else { parents.Add(beams[parent].Row); next.Add(beam); }
                if (next.Count == width) break;
            }
            if (_settings.StopEarly && finished.Count >= width) break;
            if (next.Count == 0 || lastStep) break;
            var reordered = LstmState.Zeros(_model.Architecture.Layers, next.Count, _model.Architecture.HiddenSize, _network.Lstm.Backend);
            CopyRows(_network.Lstm.Backend, state, reordered, parents);
            state = reordered;
            beams = next;
            logits = Advance(beams.Select(b => b.Tokens[^1]).ToArray(), state);
        }
        finished.AddRange(beams.Where(b => b.Tokens.Count > 0 && !finished.Any(f => f.Beam == b)).Select(b => (b, "length")));
        return finished
            .OrderByDescending(f => f.Beam.LogProbability / Math.Pow(f.Beam.Tokens.Count, _settings.LengthPenaltyValue))
            .Take(_settings.SampleCount)
            .Select(f =>
            {
                string text = _tokenizer.Decode(f.Beam.Tokens.ToArray(), skipSpecialTokens: true);
                int stop = StopIndex(text);
                return new GeneratedText(stop >= 0 ? text[..stop] : text, f.Beam.Tokens, f.Beam.LogProbability, f.Reason);
            })
            .ToList();
    }

    private static IEnumerable<int> TopIndices(double[] values, int count) =>
        Enumerable.Range(0, values.Length).OrderByDescending(i => values[i]).ThenBy(i => i).Take(count);

    private static void CopyRows(IBackend backend, LstmState from, LstmState to, List<int> sourceRows)
    {
        int layers = from.Hidden.Shape[0], oldRows = from.Hidden.Shape[1], hidden = from.Hidden.Shape[2], newRows = sourceRows.Count;
        for (int l = 0; l < layers; l++)
            for (int r = 0; r < newRows; r++)
            {
                int source = (l * oldRows + sourceRows[r]) * hidden, destination = (l * newRows + r) * hidden;
                backend.Copy(from.Hidden.Slice(source, hidden), to.Hidden.Slice(destination, hidden));
                backend.Copy(from.Cell.Slice(source, hidden), to.Cell.Slice(destination, hidden));
            }
    }

    public async IAsyncEnumerable<string> Stream(string prompt, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_settings.IsBeamSearch || _settings.SampleCount > 1)
            throw new ArgumentException("streaming yields one sample; it cannot be combined with beam search or several samples");
        var promptIds = EncodePrompt(prompt);
        var (logits, state) = Prime(promptIds, 1);
        var processors = _settings.Processors(forBeamSearch: false);
        var history = new List<int>(promptIds);
        var decoder = _tokenizer.CreateStreamingDecoder(skipSpecialTokens: true);
        var pending = new StringBuilder();
        for (int step = 0; step < _settings.MaxTokenCount; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int token = Choose(logits, history, processors, out _);
            history.Add(token);
            if (token == _tokenizer.EndOfSequenceId) break;
            pending.Append(decoder.Append(token));
            var (emit, stopped) = Release(pending, final: false);
            if (emit.Length > 0) yield return emit;
            if (stopped) yield break;
            await Task.Yield();
            if (step < _settings.MaxTokenCount - 1) logits = Advance([token], state);
        }
        pending.Append(decoder.Flush());
        var (rest, _) = Release(pending, final: true);
        if (rest.Length > 0) yield return rest;
    }

    /// <summary>
    /// Takes the text that can be shown now: everything before a stop string (then stops), or everything except
    /// a tail that could still grow into one; never a lone high surrogate.
    /// </summary>
    private (string Emit, bool Stopped) Release(StringBuilder pending, bool final)
    {
        string text = pending.ToString();
        int stop = StopIndex(text);
        if (stop >= 0)
        {
            pending.Clear();
            return (text[..stop], true);
        }
        int keep = 0;
        if (!final)
        {
            foreach (var s in _settings.StopStrings)
                for (int length = Math.Min(s.Length - 1, text.Length); length > keep; length--)
                    if (text.AsSpan(text.Length - length).SequenceEqual(s.AsSpan(0, length))) { keep = length; break; }
            int cut = text.Length - keep;
            if (cut > 0 && char.IsHighSurrogate(text[cut - 1])) keep++;
        }
        string emit = text[..(text.Length - keep)];
        pending.Remove(0, emit.Length);
        return (emit, false);
    }
}
