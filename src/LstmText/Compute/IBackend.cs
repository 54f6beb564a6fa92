using LstmText.Tensors;

namespace LstmText.Compute;

/// <summary>
/// The seam between layers and the hardware: every heavy operation a layer performs goes through here.
/// </summary>
/// <remarks>
/// Matrices are row-major slices with an explicit leading dimension (the distance between rows), as in BLAS.
/// Layers never index tensor memory for their math, so a device backend can replace <see cref="CpuBackend"/>
/// without touching them. Implementations must be safe to call from one thread at a time per buffer set;
/// they may use several threads inside one call.
/// <para>A backend is also the allocator of the tensors it computes on (<see cref="ITensorAllocator.Allocate"/>): layers
/// make their weights and buffers through it, so a device backend's tensors live in device memory and the host
/// touches them only through <see cref="TensorStorage.Download"/> and <see cref="TensorStorage.Upload"/>. Every slice
/// passed to a member lives in storage this backend allocated (or host storage, for the CPU backend). This interface
/// depends on nothing above <c>Compute/</c> and <c>Tensors/</c>.</para>
/// </remarks>
public interface IBackend : ITensorAllocator
{
    /// <summary>A short name for reports, e.g. "cpu-avx512 (2 threads)".</summary>
    string Name { get; }

    /// <summary>
    /// C = alpha·op(A)·op(B) + beta·C, where op(A) is m×k, op(B) is k×n and C is m×n (row-major).
    /// With beta = 1 this accumulates into C; with beta = 0 the old contents of C are ignored (even NaN).
    /// </summary>
    void Gemm(Transpose transposeA, Transpose transposeB, int m, int n, int k, float alpha,
        TensorSlice a, int lda, TensorSlice b, int ldb, float beta, TensorSlice c, int ldc);

    /// <summary>How many items of <see cref="RunConcurrently"/> can run at the same time (the CPU backend: its threads).</summary>
    int Concurrency { get; }

    /// <summary>
    /// Runs <paramref name="item"/>(0) … item(<paramref name="count"/> − 1), up to <see cref="Concurrency"/> of them at
    /// once, and returns when all have finished; items must touch disjoint buffers. Independent pieces of work of some
    /// size (padded batches, the two directions of an LSTM) run concurrently this way, each with the backend calls it
    /// makes kept on its own thread, instead of splitting every small GEMM across threads. A single item keeps every
    /// thread for its own calls; calls nested inside an item run their items one after another. Allocates nothing.
    /// </summary>
    /// <remarks>The first exception an item throws is rethrown here once the running items have ended; items not yet
    /// started are then skipped.</remarks>
    void RunConcurrently(int count, Action<int> item);

    /// <summary>Floats that <see cref="PackWeight"/> needs for a weight of <paramref name="rows"/>×<paramref name="columns"/>.</summary>
    int PackedWeightLength(int rows, int columns);

    /// <summary>
    /// Copies a row-major weight W (<paramref name="rows"/>×<paramref name="columns"/>, no gaps) into this backend's
    /// layout for <see cref="GemmPackedWeight"/>: pack once, multiply many times (an LSTM's W_hh over every step).
    /// </summary>
    void PackWeight(TensorSlice weight, int rows, int columns, TensorSlice packed);

    /// <summary>
    /// C = A·Wᵀ + beta·C, where A is m×k, W (n×k) was packed by <see cref="PackWeight"/> and C is m×n (row-major): the
    /// same product as <see cref="Gemm"/> with B = W transposed and alpha = 1, up to float rounding.
    /// </summary>
    void GemmPackedWeight(int m, int n, int k, TensorSlice a, int lda, TensorSlice packedWeight, float beta, TensorSlice c, int ldc);

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    void Fill(TensorSlice destination, float value);

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (same length).</summary>
    void Copy(TensorSlice source, TensorSlice destination);

    /// <summary>Copies <paramref name="rows"/> rows of <paramref name="rowLength"/> values between strided layouts.</summary>
    void CopyRows(TensorSlice source, int sourceStride, TensorSlice destination, int destinationStride, int rows, int rowLength);

    /// <summary>destination = a + b, element-wise.</summary>
    void Add(TensorSlice a, TensorSlice b, TensorSlice destination);

    /// <summary>destination += alpha·source, element-wise.</summary>
    void AddScaled(TensorSlice source, float alpha, TensorSlice destination);

    /// <summary>destination = a ⊙ b, element-wise.</summary>
    void Multiply(TensorSlice a, TensorSlice b, TensorSlice destination);

    /// <summary>destination *= factor.</summary>
    void Scale(TensorSlice destination, float factor);

    /// <summary>Σ x², accumulated in double precision.</summary>
    double SumOfSquares(TensorSlice values);

    /// <summary>Adds <paramref name="vector"/> (length <paramref name="columns"/>) to every row of a rows×columns matrix.</summary>
    void AddToEachRow(TensorSlice matrix, int rows, int columns, TensorSlice vector);

    /// <summary>accumulator[j] += Σᵢ matrix[i, j] over a rows×columns matrix (bias gradients).</summary>
    void AddColumnSums(TensorSlice matrix, int rows, int columns, TensorSlice accumulator);

    /// <summary>destination row r = table row ids[r] (rows of <paramref name="rowLength"/> values).</summary>
    void Gather(TensorSlice table, int rowLength, ReadOnlySpan<int> ids, TensorSlice destination);

    /// <summary>tableGradient row ids[r] += gradient row r, skipping rows whose id is <paramref name="skippedId"/> (use -1 for none).</summary>
    void ScatterAdd(TensorSlice gradient, int rowLength, ReadOnlySpan<int> ids, TensorSlice tableGradient, int skippedId);

    /// <summary>Fills <paramref name="mask"/> with 0 (probability p) or 1/(1−p), drawing from <paramref name="random"/>.</summary>
    void DropoutMask(TensorSlice mask, float probability, RandomSource random);

    /// <summary>Row-wise softmax of a rows×columns matrix.</summary>
    void Softmax(TensorSlice logits, int rows, int columns, TensorSlice probabilities);

    /// <summary>Row-wise log-softmax of a rows×columns matrix.</summary>
    void LogSoftmax(TensorSlice logits, int rows, int columns, TensorSlice logProbabilities);

    /// <summary>
    /// Mean cross-entropy of softmax(logits) against <paramref name="targets"/> over rows whose target is not
    /// <paramref name="ignoreIndex"/>; writes d(mean loss)/d(logits) into <paramref name="logitGradient"/>
    /// (zero rows for ignored targets). Returns the summed loss and the number of counted rows.
    /// </summary>
    (double LossSum, int Count) SoftmaxCrossEntropy(TensorSlice logits, int rows, int columns,
        ReadOnlySpan<int> targets, int ignoreIndex, TensorSlice logitGradient);

    /// <summary>
    /// LSTM cell forward for one step: activates <see cref="LstmStep.Gates"/> in place (σ, σ, tanh, σ), then
    /// c = f⊙c₋₁ + i⊙g, h = o⊙tanh(c), and writes h to the output rows. Inactive rows carry state and output 0.
    /// </summary>
    void LstmCellForward(in LstmStep step);

    /// <summary>
    /// LSTM cell backward for one step: from the activated gates, states, output gradient, hidden gradient and
    /// cell gradient, writes gate gradients, the previous cell's gradient (in place) and the non-recurrent part
    /// of the previous hidden state's gradient.
    /// </summary>
    void LstmCellBackward(in LstmStep step);

    /// <summary>
    /// Masked weighted sum over time: destination[b, :] = Σ_{t &lt; lengths[b]} weights[t, b] · sequence[t, b, :], where
    /// <paramref name="sequence"/> is time-major [steps, batch, features] and <paramref name="weights"/> is [steps, batch].
    /// Steps past a row's length never contribute (mean pooling uses weights 1/length; attention its probabilities).
    /// </summary>
    void WeightedSumOverTime(TensorSlice sequence, TensorSlice weights, int steps, int batch, int features,
        ReadOnlySpan<int> lengths, TensorSlice destination);

    /// <summary>
    /// Backward of <see cref="WeightedSumOverTime"/>: sequenceGradient[t, b, :] += weights[t, b] · outputGradient[b, :]
    /// for t &lt; lengths[b] (other steps untouched); when <paramref name="weightGradient"/> is not empty it is set to
    /// outputGradient[b, :] · sequence[t, b, :] at valid steps and 0 past a row's length.
    /// </summary>
    void WeightedSumOverTimeBackward(TensorSlice outputGradient, TensorSlice sequence, TensorSlice weights, int steps, int batch,
        int features, ReadOnlySpan<int> lengths, TensorSlice sequenceGradient, TensorSlice weightGradient);

    /// <summary>
    /// Masked maximum over time: destination[b, f] = max_{t &lt; lengths[b]} sequence[t, b, f] ([steps, batch, features]
    /// time-major, every length at least 1); <paramref name="positions"/>[b·features + f] receives the step of the
    /// maximum (the first on ties), for the backward pass.
    /// </summary>
    void MaxOverTime(TensorSlice sequence, int steps, int batch, int features, ReadOnlySpan<int> lengths,
        TensorSlice destination, Span<int> positions);

    /// <summary>
    /// Backward of <see cref="MaxOverTime"/>: sequenceGradient[positions[b·features + f], b, f] += outputGradient[b, f].
    /// </summary>
    void MaxOverTimeBackward(TensorSlice outputGradient, ReadOnlySpan<int> positions, int batch, int features,
        TensorSlice sequenceGradient);

    /// <summary>
    /// Masked softmax over time of time-major scores [steps, batch]: for each row b, a softmax over steps
    /// t &lt; lengths[b] (every length at least 1); probabilities past a row's length are exactly 0.
    /// </summary>
    void SoftmaxOverTime(TensorSlice scores, int steps, int batch, ReadOnlySpan<int> lengths, TensorSlice probabilities);

    /// <summary>
    /// Backward of <see cref="SoftmaxOverTime"/>: scoreGradient[t, b] = p[t, b] · (dp[t, b] − Σ_τ p[τ, b] · dp[τ, b]) at valid
    /// steps and 0 past a row's length (overwritten, not accumulated).
    /// </summary>
    void SoftmaxOverTimeBackward(TensorSlice probabilities, TensorSlice probabilityGradient, int steps, int batch,
        ReadOnlySpan<int> lengths, TensorSlice scoreGradient);

    /// <summary>output = f(input), element-wise, for the activation <paramref name="kind"/>.</summary>
    void Activate(ActivationKind kind, TensorSlice input, TensorSlice output);

    /// <summary>
    /// inputGradient = f′ · outputGradient, with f′ computed from the activation's <em>output</em> (ReLU: output &gt; 0;
    /// tanh: 1 − output²), so the input need not be kept.
    /// </summary>
    void ActivationBackward(ActivationKind kind, TensorSlice output, TensorSlice outputGradient, TensorSlice inputGradient);

    /// <summary>One SGD step (PyTorch semantics: weight decay, momentum with dampening, Nesterov).</summary>
    void SgdStep(TensorSlice parameter, TensorSlice gradient, TensorSlice velocity, in SgdSettings settings, bool firstStep);

    /// <summary>One Adam or AdamW step (PyTorch semantics), <paramref name="step"/> counting from 1.</summary>
    void AdamStep(TensorSlice parameter, TensorSlice gradient, TensorSlice firstMoment, TensorSlice secondMoment,
        in AdamSettings settings, int step);
}
