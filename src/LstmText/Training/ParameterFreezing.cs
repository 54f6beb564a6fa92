using LstmText.Layers;

namespace LstmText.Training;

/// <summary>
/// Which parameters stay frozen, and until which epoch: the one way every trainer freezes (a language model's embedding
/// and lower LSTM layers, a classifier's encoder for its first epochs). Parameters are named by identity, not by parsing
/// their names; <see cref="Apply"/> sets <see cref="Parameter.IsTrainable"/>, which optimizers and clipping follow.
/// </summary>
internal sealed class ParameterFreezing
{
    private readonly List<(Parameter Parameter, int UntilEpoch)> _rules = [];
    private int _appliedEpoch = -1;

    /// <summary>Freezes <paramref name="parameters"/> for epochs before <paramref name="untilEpoch"/> (<see cref="int.MaxValue"/>: for the whole run).</summary>
    public ParameterFreezing Freeze(IEnumerable<Parameter> parameters, int untilEpoch = int.MaxValue)
    {
        if (untilEpoch <= 0) return this;
        foreach (var parameter in parameters) _rules.Add((parameter, untilEpoch));
        _appliedEpoch = -1;
        return this;
    }

    /// <summary>
    /// Sets each rule's parameter trainable or frozen for <paramref name="epoch"/> (frozen while any of its rules says so);
    /// true when it set anything, false when nothing is frozen or the epoch was applied already.
    /// </summary>
    public bool Apply(int epoch)
    {
        if (epoch == _appliedEpoch || _rules.Count == 0) return false;
        _appliedEpoch = epoch;
        foreach (var (parameter, _) in _rules) parameter.IsTrainable = true;
        foreach (var (parameter, until) in _rules)
            if (epoch < until) parameter.IsTrainable = false;
        return true;
    }

    /// <summary>Makes every parameter it froze trainable again (at the end of a run: the model's parameters are left trainable).</summary>
    public void Release()
    {
        foreach (var (parameter, _) in _rules) parameter.IsTrainable = true;
        _appliedEpoch = -1;
    }
}
