namespace LstmText.Tensors;

/// <summary>
/// A seeded, reproducible random number generator (xoshiro256**) whose state can be saved and restored,
/// so initialisation, dropout, batching order and sampling repeat exactly from one seed.
/// </summary>
/// <remarks>Not thread-safe: give each thread its own source (see <see cref="Fork"/>).</remarks>
public sealed class RandomSource
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator whose whole sequence is fixed by <paramref name="seed"/>.</summary>
    public RandomSource(ulong seed)
    {
        Reseed(seed);
    }

    /// <summary>Starts the sequence of <paramref name="seed"/> again, as <c>new RandomSource(seed)</c> would, without allocating.</summary>
    internal void Reseed(ulong seed)
    {
        // SplitMix64 spreads any seed (even 0) over the four state words, as xoshiro's authors advise.
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>The generator's full state, for checkpoints.</summary>
    public ulong[] State => [_s0, _s1, _s2, _s3];

    /// <summary>Restores a state captured with <see cref="State"/>.</summary>
    /// <exception cref="ArgumentException">The state does not have four words or is all zero.</exception>
    public static RandomSource FromState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 4 || (state[0] | state[1] | state[2] | state[3]) == 0)
            throw new ArgumentException("A random state is four 64-bit words, not all zero.", nameof(state));
        var source = new RandomSource(0) { _s0 = state[0], _s1 = state[1], _s2 = state[2], _s3 = state[3] };
        return source;
    }

    /// <summary>A new independent generator seeded from this one's next output.</summary>
    public RandomSource Fork() => new(NextUInt64());

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="exclusiveMax"/>), without modulo bias.</summary>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        // Lemire's multiply-shift with rejection keeps every value equally likely.
        ulong range = (ulong)exclusiveMax;
        while (true)
        {
            ulong product = (NextUInt64() >> 32) * range;
            if ((uint)product >= (uint)((0x1_0000_0000UL - range) % range))
                return (int)(product >> 32);
        }
    }

    /// <summary>A standard normal sample (Box–Muller; each call uses two uniforms, so the state says it all).</summary>
    public double NextNormal()
    {
        double u1 = 1.0 - NextDouble(); // in (0, 1], so the logarithm is finite
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Fills a tensor with samples of U(<paramref name="low"/>, <paramref name="high"/>).</summary>
    public void FillUniform(Tensor tensor, float low, float high)
    {
        var span = tensor.Span;
        float width = high - low;
        for (int i = 0; i < span.Length; i++) span[i] = low + width * NextFloat();
    }

    /// <summary>Fills a tensor with samples of N(<paramref name="mean"/>, <paramref name="standardDeviation"/>²).</summary>
    public void FillNormal(Tensor tensor, float mean, float standardDeviation)
    {
        var span = tensor.Span;
        for (int i = 0; i < span.Length; i++) span[i] = (float)(mean + standardDeviation * NextNormal());
    }

    /// <summary>PyTorch's default LSTM and linear initialisation: U(−1/√fan, 1/√fan).</summary>
    public void FillScaledUniform(Tensor tensor, int fan)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fan);
        float bound = 1f / MathF.Sqrt(fan);
        FillUniform(tensor, -bound, bound);
    }

    /// <summary>Shuffles a span in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
