namespace LstmText.Generation;

/// <summary>
/// How to generate, set fluently: <c>g =&gt; g.Temperature(0.8).TopP(0.95).MaxTokens(400)</c>.
/// </summary>
/// <remarks>
/// Logits processors apply in this order: repetition penalty, no-repeat n-gram, custom processors (in the order
/// added), temperature, top-k, top-p, min-p; then a token is sampled, or the likeliest is taken when greedy.
/// Beam search uses the first three and ranks beams by their summed log-probabilities divided by
/// length^<see cref="LengthPenalty"/>.
/// </remarks>
public sealed class GenerationSettings
{
    private readonly List<ILogitsProcessor> _custom = [];
    private readonly List<string> _stops = [];

    internal int MaxTokenCount { get; private set; } = 200;
    internal ulong? RandomSeed { get; private set; }
    internal int SampleCount { get; private set; } = 1;
    internal bool IsGreedy { get; private set; }
    internal float? TemperatureValue { get; private set; }
    internal int? TopKValue { get; private set; }
    internal float? TopPValue { get; private set; }
    internal float? MinPValue { get; private set; }
    internal float? RepetitionPenaltyValue { get; private set; }
    internal int? NoRepeatNgramValue { get; private set; }
    internal int BeamCount { get; private set; } = 1;
    internal float LengthPenaltyValue { get; private set; } = 1f;
    internal bool StopEarly { get; private set; } = true;
    internal IReadOnlyList<string> StopStrings => _stops;

    /// <summary>Generate at most this many tokens (default 200).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is less than 1.</exception>
    public GenerationSettings MaxTokens(int maxTokens) { MaxTokenCount = AtLeastOne(maxTokens, nameof(maxTokens), "max tokens"); return this; }

    /// <summary>Fix the random seed, so the same call gives the same text (default: a fresh seed each call).</summary>
    public GenerationSettings Seed(ulong seed) { RandomSeed = seed; return this; }

    /// <summary>Generate this many samples together as one batch (with beam search: return this many best beams).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numSamples"/> is less than 1.</exception>
    public GenerationSettings Samples(int numSamples) { SampleCount = AtLeastOne(numSamples, nameof(numSamples), "The number of samples"); return this; }

    /// <summary>Always take the likeliest token.</summary>
    public GenerationSettings Greedy() { IsGreedy = true; return this; }

    /// <summary>Divide logits by <paramref name="temperature"/> before sampling.</summary>
    public GenerationSettings Temperature(float temperature) { _ = new TemperatureProcessor(temperature); TemperatureValue = temperature; return this; }

    /// <summary>Sample among the <paramref name="k"/> likeliest tokens only.</summary>
    public GenerationSettings TopK(int k) { _ = new TopKProcessor(k); TopKValue = k; return this; }

    /// <summary>Sample from the smallest set of tokens holding probability <paramref name="p"/>.</summary>
    public GenerationSettings TopP(float p) { _ = new TopPProcessor(p); TopPValue = p; return this; }

    /// <summary>Sample among tokens at least <paramref name="p"/> times as likely as the likeliest.</summary>
    public GenerationSettings MinP(float p) { _ = new MinPProcessor(p); MinPValue = p; return this; }

    /// <summary>Discourage tokens already present (CTRL's penalty; 1.1–1.3 is typical).</summary>
    public GenerationSettings RepetitionPenalty(float penalty) { _ = new RepetitionPenaltyProcessor(penalty); RepetitionPenaltyValue = penalty; return this; }

    /// <summary>Never repeat an n-gram of this size.</summary>
    public GenerationSettings NoRepeatNgram(int size) { _ = new NoRepeatNgramProcessor(size); NoRepeatNgramValue = size; return this; }

    /// <summary>Stop a sample when its text contains one of these strings (the stop string is left out).</summary>
    public GenerationSettings Stop(params string[] stops)
    {
        ArgumentNullException.ThrowIfNull(stops);
        foreach (var s in stops)
        {
            if (string.IsNullOrEmpty(s)) throw new ArgumentException("A stop text is empty; give the text to stop at.", nameof(stops));
            _stops.Add(s);
        }
        return this;
    }

    /// <summary>Add a custom processor; it runs after the penalties and before temperature.</summary>
    public GenerationSettings Processor(ILogitsProcessor processor) { ArgumentNullException.ThrowIfNull(processor); _custom.Add(processor); return this; }

    /// <summary>Beam search with <paramref name="beams"/> beams instead of sampling.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="beams"/> is less than 1.</exception>
    public GenerationSettings Beams(int beams) { BeamCount = AtLeastOne(beams, nameof(beams), "beams"); return this; }

    /// <summary>Beam search: rank by log-probability / length^<paramref name="exponent"/> (default 1; above 1 favours longer text).</summary>
    public GenerationSettings LengthPenalty(float exponent) { LengthPenaltyValue = exponent; return this; }

    /// <summary>Beam search: stop once as many beams have finished as there are beams (default true).</summary>
    public GenerationSettings EarlyStopping(bool stopEarly = true) { StopEarly = stopEarly; return this; }

    /// <summary>A count that must be at least 1, or an exception whose message names it (<paramref name="what"/>) and the value.</summary>
    private static int AtLeastOne(int value, string parameter, string what) =>
        value >= 1 ? value : throw new ArgumentOutOfRangeException(parameter, $"{what} must be at least 1, not {value}.");

    /// <summary>Whether beam search is asked for.</summary>
    internal bool IsBeamSearch => BeamCount > 1;

    /// <summary>Rejects combinations that contradict each other.</summary>
    /// <exception cref="ArgumentException">Two settings conflict; the message names both.</exception>
    internal void Validate()
    {
        var samplers = new List<string>();
        if (TemperatureValue is not null) samplers.Add("temperature");
        if (TopKValue is not null) samplers.Add("top-k");
        if (TopPValue is not null) samplers.Add("top-p");
        if (MinPValue is not null) samplers.Add("min-p");
        if (IsGreedy && samplers.Count > 0)
            throw new ArgumentException($"greedy decoding always takes the likeliest token, so it cannot be combined with {string.Join(", ", samplers)}");
        if (IsGreedy && SampleCount > 1)
            throw new ArgumentException("greedy decoding gives one answer; several samples need sampling or beam search");
        if (IsBeamSearch && samplers.Count > 0)
            throw new ArgumentException($"beam search does not sample, so it cannot be combined with {string.Join(", ", samplers)}");
        if (IsBeamSearch && IsGreedy)
            throw new ArgumentException("choose greedy decoding or beam search, not both");
        if (IsBeamSearch && SampleCount > BeamCount)
            throw new ArgumentException($"beam search with {BeamCount} beams cannot return {SampleCount} results");
    }

    /// <summary>The processors in their documented order.</summary>
    internal List<ILogitsProcessor> Processors(bool forBeamSearch)
    {
        var list = new List<ILogitsProcessor>();
        if (RepetitionPenaltyValue is { } r) list.Add(new RepetitionPenaltyProcessor(r));
        if (NoRepeatNgramValue is { } n) list.Add(new NoRepeatNgramProcessor(n));
        list.AddRange(_custom);
        if (forBeamSearch) return list;
        if (TemperatureValue is { } t) list.Add(new TemperatureProcessor(t));
        if (TopKValue is { } k) list.Add(new TopKProcessor(k));
        if (TopPValue is { } p) list.Add(new TopPProcessor(p));
        if (MinPValue is { } m) list.Add(new MinPProcessor(m));
        return list;
    }
}
