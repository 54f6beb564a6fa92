using LstmText.Compute;
using LstmText.Layers;

namespace LstmText.Optimizers;

/// <summary>Updates a fixed set of parameters from their gradients; frozen parameters are skipped.</summary>
public abstract class Optimizer
{
    /// <summary>Creates an optimizer over <paramref name="parameters"/>.</summary>
    protected Optimizer(IEnumerable<Parameter> parameters, float learningRate, IBackend? backend)
    {
        Parameters = parameters.ToArray();
        if (Parameters.Count == 0) throw new ArgumentException("An optimizer needs at least one parameter.", nameof(parameters));
        if (Parameters.Distinct().Count() != Parameters.Count)
            throw new ArgumentException("A parameter appears twice in the optimizer's list.", nameof(parameters));
        LearningRate = learningRate;
        Backend = backend ?? CpuBackend.Default;
        _rateFactors = new float[Parameters.Count];
        Array.Fill(_rateFactors, 1f);
    }

    private readonly float[] _rateFactors;

    /// <summary>The parameters this optimizer updates, in order.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The learning rate of the next step (a schedule may change it between steps).</summary>
    public float LearningRate { get; set; }

    /// <summary>
    /// Gives <paramref name="parameters"/> their own learning rate, <paramref name="factor"/> × <see cref="LearningRate"/>
    /// (as a PyTorch parameter group with a scaled rate would): a lower rate for a pretrained encoder, say.
    /// </summary>
    /// <exception cref="ArgumentException">A parameter is not one of this optimizer's.</exception>
    public void ScaleLearningRate(IEnumerable<Parameter> parameters, float factor)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegative(factor);
        foreach (var parameter in parameters)
        {
            int index = Array.IndexOf((Parameter[])Parameters, parameter);
            if (index < 0) throw new ArgumentException($"{parameter} is not updated by this optimizer.", nameof(parameters));
            _rateFactors[index] = factor;
        }
    }

    /// <summary>The learning rate of parameter <paramref name="index"/> for the next step: <see cref="LearningRate"/> × its factor.</summary>
    protected float LearningRateOf(int index) => LearningRate * _rateFactors[index];

    /// <summary>Steps taken so far.</summary>
    public int StepCount { get; protected set; }

    /// <summary>The backend that performs the updates.</summary>
    protected IBackend Backend { get; }

    /// <summary>
    /// Applies one update to every trainable parameter from its current gradient, and marks each updated parameter
    /// changed (<see cref="Parameter.MarkChanged"/>).
    /// </summary>
    public void Step()
    {
        StepCount++;
        for (int i = 0; i < Parameters.Count; i++)
        {
            if (!Parameters[i].IsTrainable) continue;
            Update(i, Parameters[i]);
            Parameters[i].MarkChanged();
        }
    }

    /// <summary>Sets every parameter's gradient to zero.</summary>
    public void ZeroGradients()
    {
        for (int i = 0; i < Parameters.Count; i++) Backend.Fill(Parameters[i].Gradient, 0f);
    }

    /// <summary>Updates parameter number <paramref name="index"/>.</summary>
    protected abstract void Update(int index, Parameter parameter);
}
