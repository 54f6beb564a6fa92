using LstmText.Layers;
using LstmText.Metrics;
using LstmText.Training;

namespace LstmText.Models;

/// <summary>Scores ids as one sequence from a zero state, carrying the state across windows.</summary>
internal static class Evaluator
{
    public static Evaluation Evaluate(LanguageModel model, int[] ids, int windowLength) =>
        Evaluate(model.CreateInferenceNetwork(), ids, windowLength);

    public static Evaluation Evaluate(LanguageModelNetwork network, int[] ids, int windowLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowLength);
        if (ids.Length < 2)
            throw new TrainingException($"the text has {ids.Length} token(s); scoring needs at least 2");
        var loss = new CrossEntropyLoss(backend: network.Backend);
        LstmState? state = null;
        double sum = 0;
        for (int start = 0; start < ids.Length - 1; start += windowLength)
        {
            int length = Math.Min(windowLength, ids.Length - 1 - start);
            var logits = network.Forward(ids.AsSpan(start, length), length, 1, state, null);
            loss.Forward(logits, ids.AsSpan(start + 1, length));
            sum += loss.LossSum;
            state = network.Lstm.FinalState.Copy();
        }
        return new Evaluation(sum / (ids.Length - 1), ids.Length);
    }
}
