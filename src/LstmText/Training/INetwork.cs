using LstmText.Compute;
using LstmText.Layers;
using LstmText.Tensors;

namespace LstmText.Training;

/// <summary>
/// What every model kind's network is to the trainer and to its facade: layers built on one <see cref="IBackend"/>,
/// parameters under their PyTorch names, a forward and a backward pass over one batch of the kind's own shape, hooks
/// around the optimizer step, and replicas for inference on other threads.
/// </summary>
/// <typeparam name="TBatch">The kind's batch: time-major ids for a language model, a padded labelled batch for a
/// classifier, windows of values for a regressor. The kind's batch source fills it; its loss reads the targets from it.</typeparam>
/// <remarks>
/// <para>A network's layers reuse their buffers between calls, so one network serves one thread. The trainer owns one;
/// <see cref="WithOwnBuffers"/> makes another over the same <see cref="Parameter"/> objects (not copies) for another
/// thread, and while replicas run the weights are read-only.</para>
/// <para>To add a kind: implement this interface (constructor taking the architecture, a <see cref="RandomSource"/> and an
/// <see cref="IBackend"/>), a batch source (<c>Training.IBatchSource&lt;TBatch&gt;</c>) and a loss
/// (<c>Training.IBatchLoss&lt;TBatch&gt;</c>); <c>Training.TrainingStep&lt;TBatch&gt;</c> and
/// <c>Training.TrainingLoop</c> do the rest. docs/architecture.md walks through it.</para>
/// </remarks>
internal interface INetwork<TBatch>
{
    /// <summary>The backend every layer of this network computes on.</summary>
    IBackend Backend { get; }

    /// <summary>Every parameter under its PyTorch state-dict name, in a fixed order (that of the model file).</summary>
    IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters { get; }

    /// <summary>
    /// The parameters an optimizer updates: all of <see cref="NamedParameters"/> unless some are views of others
    /// (a tied decoder weight is the embedding's, and is left out).
    /// </summary>
    IReadOnlyList<(string Name, Parameter Parameter)> OptimizedParameters => NamedParameters;

    /// <summary>
    /// Runs one batch and returns the output (logits, predictions), a buffer reused by the next call. Dropout is on when
    /// <paramref name="random"/> is given (training).
    /// </summary>
    Tensor Forward(TBatch batch, RandomSource? random);

    /// <summary>Back-propagates the gradient of the last <see cref="Forward"/>'s output, adding to every parameter's gradient.</summary>
    void Backward(Tensor outputGradient);

    /// <summary>Called after the backward pass and before gradient clipping and the optimizer step (tied weights gather their gradients).</summary>
    void BeforeOptimizerStep()
    {
    }

    /// <summary>Called after the optimizer step (tied weights copy the updated values).</summary>
    void AfterOptimizerStep()
    {
    }

    /// <summary>A network over the same parameters with buffers of its own, for inference on another thread.</summary>
    INetwork<TBatch> WithOwnBuffers();
}
