using LstmText.IO;
using LstmText.Optimizers;
using LstmText.Tensors;

namespace LstmText.Training;

/// <summary>
/// Saves an optimizer's per-parameter state (Adam's moments and step counts, SGD's momentum buffers) into a
/// checkpoint's <c>training.optimizer.*</c> tensors and restores it, for any trainer.
/// </summary>
internal static class OptimizerState
{
    /// <summary>
    /// Adds the state of every parameter (named by <paramref name="names"/>, in the optimizer's order) to
    /// <paramref name="tensors"/> and returns the per-parameter step counts (Adam) and started flags (SGD).
    /// </summary>
    public static (int[] Steps, bool[] Started) Capture(Optimizer optimizer, IReadOnlyList<string> names, IDictionary<string, Tensor> tensors)
    {
        var steps = new int[optimizer.Parameters.Count];
        var started = new bool[optimizer.Parameters.Count];
        for (int i = 0; i < names.Count; i++)
        {
            if (optimizer is Adam adam)
            {
                var (first, second, count) = adam.MomentsOf(i);
                tensors[TrainingCheckpoint.MomentName(names[i], "exp_avg")] = first;
                tensors[TrainingCheckpoint.MomentName(names[i], "exp_avg_sq")] = second;
                steps[i] = count;
            }
            else if (optimizer is Sgd sgd)
            {
                if (sgd.VelocityOf(i) is { } velocity) tensors[TrainingCheckpoint.MomentName(names[i], "momentum_buffer")] = velocity;
                started[i] = sgd.HasStarted(i);
            }
        }
        return (steps, started);
    }

    /// <summary>Restores what <see cref="Capture"/> saved.</summary>
    /// <exception cref="ModelFileFormatException">The checkpoint's state does not fit the parameters.</exception>
    public static void Restore(Optimizer optimizer, IReadOnlyList<string> names, TrainingCheckpoint checkpoint, string path)
    {
        try
        {
            for (int i = 0; i < names.Count; i++)
            {
                if (optimizer is Adam adam)
                {
                    adam.RestoreMoments(i, checkpoint.Tensors[TrainingCheckpoint.MomentName(names[i], "exp_avg")],
                        checkpoint.Tensors[TrainingCheckpoint.MomentName(names[i], "exp_avg_sq")], checkpoint.OptimizerSteps[i]);
                }
                else if (optimizer is Sgd sgd)
                {
                    checkpoint.Tensors.TryGetValue(TrainingCheckpoint.MomentName(names[i], "momentum_buffer"), out var velocity);
                    sgd.RestoreVelocity(i, velocity, checkpoint.OptimizerStarted[i]);
                }
            }
        }
        catch (Exception e) when (e is KeyNotFoundException or IndexOutOfRangeException or ArgumentException)
        {
            throw new ModelFileFormatException(path, $"the checkpoint's optimizer state does not fit the model: {e.Message}", e);
        }
    }
}
