using LstmText.Data;
using LstmText.Layers;
using LstmText.Optimizers;
using LstmText.Tensors;

namespace LstmText.Training;

/// <summary>
/// One optimizer step of any model kind: zero the gradients, forward, loss, backward, the network's hooks around the
/// step, gradient clipping over the trainable parameters, the optimizer's update. The trainer, <c>lstmtext bench train</c>
/// and the allocation test run this one step; in steady state (same batch shape) it allocates nothing.
/// </summary>
/// <typeparam name="TBatch">The kind's batch (see <see cref="INetwork{TBatch}"/>).</typeparam>
internal sealed class TrainingStep<TBatch>
{
    private readonly List<Parameter> _trainable = [];
    private readonly IReadOnlyList<(string Name, Parameter Parameter)> _all;

    /// <param name="network">The network to train.</param>
    /// <param name="loss">The kind's loss over the network's output and the batch's targets.</param>
    /// <param name="optimizer">An optimizer over the network's <see cref="INetwork{TBatch}.OptimizedParameters"/>.</param>
    /// <param name="clipNorm">The global gradient norm to clip to, or null for none.</param>
    public TrainingStep(INetwork<TBatch> network, IBatchLoss<TBatch> loss, Optimizer optimizer, float? clipNorm)
    {
        Network = network;
        Loss = loss;
        Optimizer = optimizer;
        ClipNorm = clipNorm;
        _all = network.NamedParameters;
        RefreshTrainable();
    }

    public INetwork<TBatch> Network { get; }

    public IBatchLoss<TBatch> Loss { get; }

    public Optimizer Optimizer { get; }

    public float? ClipNorm { get; }

    /// <summary>Told when each phase of a step ends (<c>lstmtext bench train</c> times the phases with it); null: nobody.</summary>
    public ITrainingPhaseObserver? PhaseObserver { get; set; }

    /// <summary>Re-reads which of the optimizer's parameters are trainable (after <see cref="ParameterFreezing.Apply"/> changed any).</summary>
    public void RefreshTrainable()
    {
        _trainable.Clear();
        var parameters = Optimizer.Parameters;
        for (int i = 0; i < parameters.Count; i++)
            if (parameters[i].IsTrainable) _trainable.Add(parameters[i]);
    }

    /// <summary>
    /// Takes the step on <paramref name="batch"/> (dropout on when <paramref name="random"/> is given) and returns the loss.
    /// A loss that is NaN or infinite is returned at once: no backward pass, the weights stay as they were.
    /// </summary>
    public float Run(TBatch batch, RandomSource? random)
    {
        for (int i = 0; i < _all.Count; i++) _all[i].Parameter.ZeroGradient();
        var output = Network.Forward(batch, random);
        float value = Loss.Forward(output, batch);
        PhaseObserver?.PhaseEnded(TrainingPhase.Forward);
        if (!float.IsFinite(value)) return value;
        Network.Backward(Loss.Backward());
        Network.BeforeOptimizerStep();
        PhaseObserver?.PhaseEnded(TrainingPhase.Backward);
        if (ClipNorm is { } clip && _trainable.Count > 0) GradientClipping.ClipByGlobalNorm(_trainable, clip, Network.Backend);
        Optimizer.Step();
        Network.AfterOptimizerStep();
        PhaseObserver?.PhaseEnded(TrainingPhase.Update);
        return value;
    }
}

/// <summary>The phases of one <see cref="TrainingStep{TBatch}"/>, in the order they run.</summary>
internal enum TrainingPhase
{
    /// <summary>Zeroing the gradients, the forward pass and the loss.</summary>
    Forward,

    /// <summary>The loss's gradient, the backward pass and the network's hook before the optimizer step.</summary>
    Backward,

    /// <summary>Gradient clipping, the optimizer's update and the network's hook after it.</summary>
    Update,
}

/// <summary>Told by a <see cref="TrainingStep{TBatch}"/> when each of its phases ends.</summary>
internal interface ITrainingPhaseObserver
{
    /// <summary>Called as <paramref name="phase"/> ends (the first phase starts when <see cref="TrainingStep{TBatch}.Run"/> is called).</summary>
    void PhaseEnded(TrainingPhase phase);
}

/// <summary>A model kind's loss over its network's output and the targets its batch carries.</summary>
/// <typeparam name="TBatch">The kind's batch.</typeparam>
internal interface IBatchLoss<in TBatch>
{
    /// <summary>The mean loss of <paramref name="output"/> against <paramref name="batch"/>'s targets.</summary>
    float Forward(Tensor output, TBatch batch);

    /// <summary>The gradient of the last <see cref="Forward"/>'s loss with respect to the output (a reused buffer).</summary>
    Tensor Backward();
}

/// <summary>Cross-entropy (optionally class-weighted) over logits and a batch's target ids: the loss of language models and classifiers.</summary>
internal sealed class CrossEntropyObjective<TBatch>(CrossEntropyLoss loss) : IBatchLoss<TBatch> where TBatch : IClassTargets
{
    /// <summary>The loss layer (its <see cref="CrossEntropyLoss.LossSum"/> and the like).</summary>
    public CrossEntropyLoss Layer { get; } = loss;

    public float Forward(Tensor output, TBatch batch) => Layer.Forward(output, batch.Targets);

    public Tensor Backward() => Layer.Backward();
}

/// <summary>Where a model kind's training batches come from: the batch at each place of each epoch.</summary>
/// <typeparam name="TBatch">The kind's batch.</typeparam>
internal interface IBatchSource<TBatch>
{
    /// <summary>Optimizer steps in one epoch.</summary>
    int StepsPerEpoch { get; }

    /// <summary>The positions of one epoch (tokens of a stream, batches): when the position reaches it, the epoch ends.</summary>
    int EpochLength { get; }

    /// <summary>
    /// The batch at <paramref name="position"/> of <paramref name="epoch"/> (the same for a resumed run), the positions it
    /// consumes and the tokens it reads. The batch may be a reused buffer, valid until the next call.
    /// </summary>
    (TBatch Batch, int Positions, long Tokens) Next(int epoch, int position);

    /// <summary>Called after each step has run on the batch (a language model carries its LSTM state on).</summary>
    void AfterStep()
    {
    }

    /// <summary>Called when an epoch ends.</summary>
    void EndEpoch()
    {
    }
}
