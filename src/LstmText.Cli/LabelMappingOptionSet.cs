using System.CommandLine;
using LstmText.Data;

namespace LstmText.Cli;

/// <summary>
/// How <c>evaluate</c> and <c>calibrate</c> score a file labelled in other words than the model's classes:
/// <c>--label-map neg=negative,pos=positive</c> renames labels, <c>--drop-label neutral</c> leaves rows out.
/// </summary>
internal sealed class LabelMappingOptionSet
{
    public Option<string?> LabelMap { get; } = new("--label-map")
    {
        Description = "Rename the file's labels to the model's classes: FILE_LABEL=CLASS pairs separated by commas, e.g. neg=negative,pos=positive or 0=negative,1=positive.",
    };

    public Option<string[]> DropLabel { get; } = new("--drop-label")
    {
        Description = "Leave out the rows with this label (as the file spells it); repeat the option or separate labels by commas, e.g. --drop-label neutral.",
        AllowMultipleArgumentsPerToken = false,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(LabelMap);
        command.Options.Add(DropLabel);
    }

    /// <summary>
    /// The examples with dropped labels left out and mapped labels renamed, every label one of <paramref name="classNames"/>;
    /// says on <paramref name="error"/> how many rows were dropped.
    /// </summary>
    /// <exception cref="UsageException">A pair of --label-map is malformed or names no class of the model, or a label is
    /// neither a class, nor mapped, nor dropped (the message names its file and line).</exception>
    public IReadOnlyList<LabelledExample> Apply(ParseResult parse, IReadOnlyList<LabelledExample> examples, IReadOnlyList<string> classNames, TextWriter error)
    {
        var map = ParseMap(parse.GetValue(LabelMap), classNames);
        var drop = (parse.GetValue(DropLabel) ?? []).SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToHashSet(StringComparer.Ordinal);
        var classes = classNames.ToHashSet(StringComparer.Ordinal);
        var kept = new List<LabelledExample>(examples.Count);
        int dropped = 0;
        foreach (var example in examples)
        {
            if (drop.Contains(example.Label)) { dropped++; continue; }
            var label = map.TryGetValue(example.Label, out var mapped) ? mapped : example.Label;
            if (!classes.Contains(label))
                throw new UsageException($"{example.Location}: the label '{example.Label}' is not a class of the model ({string.Join(", ", classNames)}); " +
                    $"map it with --label-map {example.Label}=CLASS or leave its rows out with --drop-label {example.Label}");
            kept.Add(ReferenceEquals(label, example.Label) ? example : example with { Label = label });
        }
        if (dropped > 0) error.WriteLine($"dropped {dropped} rows labelled {string.Join(", ", drop.Order(StringComparer.Ordinal))}");
        return kept;
    }

    /// <summary>Reads <c>neg=negative,pos=positive</c>; every target must be a class.</summary>
    private static Dictionary<string, string> ParseMap(string? text, IReadOnlyList<string> classNames)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (text is null) return map;
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = pair.IndexOf('=');
            if (equals <= 0 || equals == pair.Length - 1)
                throw new UsageException($"--label-map must be FILE_LABEL=CLASS pairs separated by commas (neg=negative,pos=positive), not '{text}'");
            string from = pair[..equals].Trim(), to = pair[(equals + 1)..].Trim();
            if (!classNames.Contains(to))
                throw new UsageException($"--label-map {pair}: '{to}' is not a class of the model ({string.Join(", ", classNames)})");
            if (!map.TryAdd(from, to) && map[from] != to)
                throw new UsageException($"--label-map maps '{from}' twice ({map[from]} and {to})");
        }
        return map;
    }
}
