namespace LstmText.Data;

/// <summary>Examples divided into a training part and a validation part.</summary>
/// <param name="Training">The examples to train on, in their original order.</param>
/// <param name="Validation">The examples to validate on, in their original order.</param>
public sealed record DataSplit(IReadOnlyList<LabelledExample> Training, IReadOnlyList<LabelledExample> Validation)
{
    /// <summary>
    /// Holds out <paramref name="validationFraction"/> of each class for validation, so every class keeps its
    /// share in both parts. Each class gives <c>round(fraction × count)</c> of its examples (at least one when it has
    /// two or more and the fraction is positive), picked by a shuffle seeded with <paramref name="seed"/>: the same
    /// examples, fraction and seed always give the same split.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not in [0, 1).</exception>
    public static DataSplit Stratified(IReadOnlyList<LabelledExample> examples, double validationFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (!(validationFraction >= 0 && validationFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be at least 0 and less than 1.");
        }
        var byClass = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < examples.Count; i++)
        {
            if (!byClass.TryGetValue(examples[i].Label, out var members))
            {
                byClass[examples[i].Label] = members = [];
            }
            members.Add(i);
        }
        var random = new Random(seed);
        var held = new bool[examples.Count];
        // Classes in ordinal order, so the random draws do not depend on the order classes first appear in.
        foreach (var (_, members) in byClass.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            var take = (int)Math.Round(validationFraction * members.Count, MidpointRounding.AwayFromZero);
            if (take == 0 && validationFraction > 0 && members.Count >= 2)
            {
                take = 1;
            }
            var shuffled = members.ToArray();
            random.Shuffle(shuffled);
            foreach (var index in shuffled.AsSpan(0, take))
            {
                held[index] = true;
            }
        }
        var training = new List<LabelledExample>(examples.Count);
        var validation = new List<LabelledExample>();
        for (var i = 0; i < examples.Count; i++)
        {
            (held[i] ? validation : training).Add(examples[i]);
        }
        return new DataSplit(training, validation);
    }

    /// <summary>Training and validation examples read from two files (or any two sources) as they are.</summary>
    public static DataSplit FromSeparateSets(IEnumerable<LabelledExample> training, IEnumerable<LabelledExample> validation)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(validation);
        return new DataSplit(training.ToArray(), validation.ToArray());
    }
}
