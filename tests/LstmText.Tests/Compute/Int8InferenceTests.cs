using System.Text.Json;
using LstmText.Compute.Cpu;
using LstmText.Generation;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tensors;
using LstmText.Tokenizers;

namespace LstmText.Tests.Compute;

/// <summary>
/// Int8 inference (<see cref="Int8Product"/>, <see cref="Int8Matrix"/>, the layers' int8 path): exact integer
/// arithmetic against a dequantized double reference, every kernel giving the same bits, the documented error bound
/// against float, and PyTorch's <c>quantize_dynamic</c> (tools/fixtures/make_int8_fixtures.py) as the yardstick.
/// </summary>
public sealed class Int8InferenceTests
{
    public static TheoryData<int, int, int, float> Shapes() => new()
    {
        { 1, 1, 1, 0f }, { 1, 31, 3, 0f }, { 2, 33, 5, 1f }, { 3, 70, 130, 0f }, { 5, 64, 128, 1f }, { 4, 2048, 512, 1f },
        { 32, 512, 128, 0f }, { 7, 69, 512, 0.5f }, { 9, 37, 17, 1f }, { 6, 95, 130, 0f },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_product_equals_the_dequantized_product_in_double(int m, int n, int k, float beta)
    {
        var random = new Random(m * 1000 + n + k);
        float[] a = RandomValues(random, m * (k + 3)), w = RandomValues(random, n * k), c = RandomValues(random, m * (n + 2));
        var before = (float[])c.Clone();
        var matrix = Int8Matrix.Quantize(w, n, k);
        Int8Product.Multiply(a, m, k + 3, matrix, beta, c, n + 2);
        var activation = new byte[(k + 3) / 4 * 4 + 4];
        for (int i = 0; i < m; i++)
        {
            Int8Product.QuantizeRow(a.AsSpan(i * (k + 3), k), activation, out float scale, out int zero);
            for (int j = 0; j < n; j++)
            {
                double expected = 0;
                for (int p = 0; p < k; p++) expected += scale * (double)(activation[p] - zero) * matrix.DequantizedAt(j, p);
                expected += beta * before[i * (n + 2) + j];
                Assert.True(Math.Abs(c[i * (n + 2) + j] - expected) <= 1e-5 * (1 + Math.Abs(expected)),
                    $"C[{i}, {j}] = {c[i * (n + 2) + j]}, expected {expected}");
            }
            // the gap between C's rows is untouched
            Assert.Equal(before[i * (n + 2) + n], c[i * (n + 2) + n]);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_kernel_gives_the_same_bits(int m, int n, int k, float beta)
    {
        if (Int8Product.Fastest == Int8Kernel.Scalar) return; // nothing to compare on a CPU without AVX-VNNI
        var random = new Random(n * 7 + k);
        float[] a = RandomValues(random, m * k), w = RandomValues(random, n * k), c = RandomValues(random, m * n);
        var matrix = Int8Matrix.Quantize(w, n, k);
        float[] scalar = (float[])c.Clone(), vnni = (float[])c.Clone();
        Int8Product.Multiply(a, m, k, matrix, beta, scalar, n, Int8Kernel.Scalar);
        Int8Product.Multiply(a, m, k, matrix, beta, vnni, n, Int8Kernel.AvxVnni);
        Assert.Equal(scalar, vnni);
    }

    [Theory]
    [InlineData(1, 8, 5, 3)]
    [InlineData(2, 40, 17, 7)]
    [InlineData(3, 33, 130, 2)]
    [InlineData(5, 64, 128, 11)]
    [InlineData(7, 512, 128, 50)]
    [InlineData(9, 95, 9, 4)]
    [InlineData(13, 72, 100, 20)]
    public void Adding_table_rows_equals_the_product_plus_the_dequantized_rows_on_every_kernel(int m, int n, int k, int tableRows)
    {
        var random = new Random(m * 31 + n + k);
        float[] a = RandomValues(random, m * (k + 1)), w = RandomValues(random, n * k), values = RandomValues(random, tableRows * n);
        var matrix = Int8Matrix.Quantize(w, n, k);
        var table = Int8Rows.Quantize(values, tableRows, n);
        int[] ids = Enumerable.Range(0, m).Select(i => (i * 7 + 3) % tableRows).ToArray();
        var kernels = Int8Product.Fastest == Int8Kernel.AvxVnni ? new[] { Int8Kernel.Scalar, Int8Kernel.AvxVnni } : [Int8Kernel.Scalar];
        var results = new List<float[]>();
        var before = RandomValues(random, m * (n + 2));
        foreach (var kernel in kernels)
        {
            var product = new float[m * (n + 2)];
            var sum = (float[])before.Clone();
            Int8Product.Multiply(a, m, k + 1, matrix, 0f, product, n + 2, kernel);
            Int8Product.MultiplyAddingRows(a, m, k + 1, matrix, table, ids, sum, n + 2, kernel);
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                    Assert.Equal(product[i * (n + 2) + j] + table.DequantizedAt(ids[i], j), sum[i * (n + 2) + j]);
                Assert.Equal(before[i * (n + 2) + n], sum[i * (n + 2) + n]); // the gap between C's rows is untouched
            }
            results.Add(sum);
        }
        Assert.Equal(results[0], results[^1]);
    }

    [Fact]
    public void Int8_rows_stay_within_half_a_step_of_the_values_and_refuse_bad_input()
    {
        var random = new Random(9);
        float[] values = RandomValues(random, 6 * 37);
        for (int c = 0; c < 37; c++) values[2 * 37 + c] = 0f; // a zero row stays exactly zero
        values[4 * 37 + 5] = 40f;                               // one large value sets its row's step
        var rows = Int8Rows.Quantize(values, 6, 37);
        for (int r = 0; r < 6; r++)
        {
            float largest = values.AsSpan(r * 37, 37).ToArray().Max(Math.Abs);
            for (int c = 0; c < 37; c++)
                Assert.InRange(Math.Abs(rows.DequantizedAt(r, c) - values[r * 37 + c]), 0, largest / 254 * 1.0001 + 1e-7);
        }
        Assert.Equal(0f, rows.Scales[2]);
        Assert.Equal(127, rows.Values[4 * 37 + 5]);
        Assert.Throws<ArgumentException>(() => Int8Rows.Quantize([1f, float.NaN], 1, 2));
        Assert.Throws<ArgumentException>(() => Int8Rows.Quantize([1f, 2f], 2, 2));
        var matrix = Int8Matrix.Quantize([1f, 2f, 3f, 4f], 2, 2);
        Assert.Throws<ArgumentException>(() => Int8Product.MultiplyAddingRows([1f, 1f], 1, 2, matrix, Int8Rows.Quantize([1f, 2f], 1, 2), [1], new float[2], 2));
        Assert.Throws<ArgumentException>(() => Int8Product.MultiplyAddingRows([1f, 1f], 1, 2, matrix, Int8Rows.Quantize([1f, 2f, 3f], 1, 3), [0], new float[2], 2));
    }

    [Theory]
    [InlineData(1, false, 24)]
    [InlineData(2, true, 24)]
    [InlineData(1, true, 5)]
    public void An_int8_classifier_predicts_the_same_bits_with_its_int8_token_table_as_without_it(int layers, bool bidirectional, int hidden)
    {
        var tokenizer = CharTokenizer.Build(["abcdefghij "]);
        var int8 = new TextClassifier(tokenizer, ["a", "b", "c"], new TextClassifierArchitecture
        {
            EmbeddingSize = 8, HiddenSize = hidden, Layers = layers, Bidirectional = bidirectional, Pooling = SequencePooling.Concat,
        }, new RandomSource(7)).WithInt8Weights();
        string[] texts = ["abc def", "jihgfedcba", "a", "bead cafe bad", "ab", "fig jab", "hij"];
        long limit = int8.TokenTable.MemoryLimit;
        int8.TokenTable.MemoryLimit = 0;
        var expected = int8.PredictBatch(texts, batchSize: 7);
        int8.TokenTable.MemoryLimit = limit;
        int8.TokenTable.BuildAfterTokens = 0;
        var actual = int8.PredictBatch(texts, batchSize: 7);
        Assert.True(int8.TokenTable.HasCurrentTable);
        // int8 rows with their scales: a quarter of the float table, plus 4 bytes a row
        int directions = bidirectional ? 2 : 1;
        Assert.Equal(directions * (long)tokenizer.VocabularySize * (4 * hidden + 4), int8.TokenTable.TableBytes);
        // Without the table the batch's own projection is kept as int8 rows the same way, so a prediction does not depend
        // on whether the table had been built yet.
        for (int i = 0; i < texts.Length; i++)
            Assert.Equal(expected[i].Probabilities.ToArray(), actual[i].Probabilities.ToArray());
        Assert.Equal(expected[3].Probabilities.ToArray(), int8.Predict(texts[3]).Probabilities.ToArray());
    }

    [Fact]
    public void The_error_against_float_stays_within_the_documented_bound()
    {
        const int m = 6, n = 40, k = 300;
        var random = new Random(3);
        float[] a = RandomValues(random, m * k), w = RandomValues(random, n * k), c = new float[m * n];
        var matrix = Int8Matrix.Quantize(w, n, k);
        Int8Product.Multiply(a, m, k, matrix, 0f, c, n);
        double worst = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double exact = 0;
                for (int p = 0; p < k; p++) exact += (double)a[i * k + p] * w[j * k + p];
                double bound = Int8Product.ErrorBound(a.AsSpan(i * k, k), matrix, j, w.AsSpan(j * k, k));
                double error = Math.Abs(c[i * n + j] - exact);
                Assert.True(error <= bound + 1e-5, $"C[{i}, {j}] is off by {error}, more than its bound {bound}");
                worst = Math.Max(worst, error / Math.Sqrt(k));
            }
        // and it is small in absolute terms: values ~U(−1, 1), so a dot product of 300 terms has a spread near 5.8
        Assert.True(worst < 0.01, $"worst error per √k: {worst}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(57)]
    [InlineData(128)]
    [InlineData(200)]
    public void A_quantized_row_equals_the_scalar_formula_at_every_length(int length)
    {
        // Lengths that end in each of the vector loops (16 and 8 wide) and the scalar tail; rows that lie all above 0,
        // all below 0 and across it, so the zero point takes both of its ends (0 and 255).
        var random = new Random(length);
        foreach (var (offset, spread) in new[] { (0f, 1f), (3f, 1f), (-3f, 1f), (0.2f, 5f) })
        {
            var row = new float[length];
            for (int c = 0; c < length; c++) row[c] = offset + spread * (float)(random.NextDouble() * 2 - 1);
            row[length / 2] = offset + spread * 1.5f;
            var codes = Enumerable.Repeat((byte)77, length + 9).ToArray();
            Int8Product.QuantizeRow(row, codes, out float scale, out int zeroPoint);

            float low = Math.Min(0f, row.Min()), high = Math.Max(0f, row.Max());
            float expectedScale = (high - low) / 255f, inverse = 1f / expectedScale;
            int expectedZero = Math.Clamp((int)MathF.Round(-low * inverse, MidpointRounding.ToEven), 0, 255);
            Assert.Equal(expectedScale, scale);
            Assert.Equal(expectedZero, zeroPoint);
            for (int c = 0; c < length; c++)
                Assert.Equal((byte)Math.Clamp((int)MathF.Round(row[c] * inverse, MidpointRounding.ToEven) + expectedZero, 0, 255), codes[c]);
            Assert.All(codes[length..], code => Assert.Equal(0, code)); // padding past the row is cleared
            // the row's extreme away from 0 takes an end code
            Assert.True(codes.AsSpan(0, length).Contains((byte)255) || codes.AsSpan(0, length).Contains((byte)0), "no code at 0 or 255");
        }
    }

    [Fact]
    public void Zero_rows_and_zero_activations_give_exact_zeros()
    {
        var w = new float[3 * 8];
        for (int p = 0; p < 8; p++) w[8 + p] = p - 3.5f; // rows 0 and 2 are zero
        var matrix = Int8Matrix.Quantize(w, 3, 8);
        float[] a = [1, -2, 3, 0.5f, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0];
        var c = new float[6];
        Int8Product.Multiply(a, 2, 8, matrix, 0f, c, 3);
        Assert.Equal(0f, c[0]);
        Assert.Equal(0f, c[2]);
        Assert.NotEqual(0f, c[1]);
        Assert.Equal([0f, 0f, 0f], c[3..]);
    }

    [Fact]
    public void A_weight_that_is_not_finite_and_an_activation_that_is_not_finite_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Int8Matrix.Quantize([1f, float.NaN], 1, 2));
        var matrix = Int8Matrix.Quantize([1f, 2f], 1, 2);
        Assert.Throws<ArgumentException>(() => Int8Product.Multiply([1f, float.PositiveInfinity], 1, 2, matrix, 0f, new float[1], 1));
    }

    [Fact]
    public void The_int8_lstm_stays_within_tolerance_of_float_and_cannot_be_trained()
    {
        var random = new RandomSource(5);
        var lstm = new Lstm(40, 64, random, layers: 2, bidirectional: true);
        var x = Tensor.Zeros(30, 4, 40);
        random.FillNormal(x, 0f, 1f);
        int[] lengths = [30, 17, 1, 25];
        var expected = lstm.Forward(x, null, lengths).ToArray();
        var quantized = lstm.WithOwnBuffers();
        quantized.QuantizeWeights();
        var actual = quantized.Forward(x, null, lengths).ToArray();
        Assert.Equal(expected, lstm.Forward(x, null, lengths).ToArray()); // the float layer is unchanged by its int8 copy
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= LstmTolerance, $"int8 LSTM output differs from float by {worst}");
        Assert.True(worst > 0, "the int8 path was not taken");
        // padding: outputs past a row's length stay exactly 0
        for (int t = 1; t < 30; t++) Assert.All(actual.AsSpan((t * 4 + 2) * 128, 128).ToArray(), v => Assert.Equal(0f, v));
        Assert.Throws<InvalidOperationException>(() => quantized.Backward(Tensor.Zeros(30, 4, 128)));
    }

    [Fact]
    public void An_int8_language_model_scores_close_to_its_float_model_which_stays_float()
    {
        var tokenizer = CharTokenizer.Build(["the quick brown fox jumps over the lazy dog"]);
        var model = LanguageModel.Create(tokenizer, new LanguageModelArchitecture(tokenizer.VocabularySize, 16, 48, 2), seed: 4);
        var ids = tokenizer.Encode("the lazy dog jumps over the quick brown fox");
        var expected = model.ComputeLogits(ids).ToArray();
        var int8 = model.WithInt8Weights();
        Assert.True(int8.UsesInt8Weights);
        Assert.False(model.UsesInt8Weights);
        var actual = int8.ComputeLogits(ids).ToArray();
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.InRange(worst, 1e-7, 0.02);
        Assert.Equal(expected, model.ComputeLogits(ids).ToArray());
    }

    [Fact]
    public void An_int8_classifier_predicts_close_to_its_float_classifier()
    {
        var tokenizer = CharTokenizer.Build(["abcdefghij "]);
        var classifier = new TextClassifier(tokenizer, ["a", "b", "c"], new TextClassifierArchitecture
        {
            EmbeddingSize = 8, HiddenSize = 24, Bidirectional = true, Pooling = SequencePooling.Concat,
        }, new RandomSource(7));
        string[] texts = ["abc def", "jihgfedcba", "a", "bead cafe bad"];
        var expected = classifier.PredictBatch(texts);
        var actual = classifier.WithInt8Weights().PredictBatch(texts);
        double worst = 0;
        for (int i = 0; i < texts.Length; i++)
            worst = Math.Max(worst, expected[i].Probabilities.Zip(actual[i].Probabilities, (e, a) => Math.Abs(e - a)).Max());
        Assert.InRange(worst, 1e-9, 0.01);
        Assert.Throws<InvalidOperationException>(() =>
        {
            var int8 = classifier.WithInt8Weights();
            int8.ForwardBatch([1, 2, 3], [3], new RandomSource(1));
            int8.Backward(Tensor.Zeros(1, 3));
        });
    }

    /// <summary>The documented tolerance of the int8 LSTM's outputs (|h| ≤ 1) against float: docs/performance.md.</summary>
    private const double LstmTolerance = 0.02;

    [Fact]
    public void The_linear_layer_error_is_no_larger_than_pytorchs_quantize_dynamic()
    {
        var c = Fixture().GetProperty("linear");
        int input = c.GetProperty("in_features").GetInt32(), output = c.GetProperty("out_features").GetInt32(), rows = c.GetProperty("rows").GetInt32();
        var linear = new Linear(input, output, new RandomSource(0));
        linear.Weight.Load(Tensor.FromValues(Values(c, "weight"), output, input));
        linear.Bias!.Load(Tensor.FromValues(Values(c, "bias"), output));
        linear.QuantizeWeights();
        var ours = linear.Forward(Tensor.FromValues(Values(c, "input"), rows, input)).ToArray();
        var (ourError, torchError) = Errors(c, ours);
        Assert.True(ourError <= torchError * 1.5, $"ours {ourError} against PyTorch's {torchError}");
        Assert.True(ourError > 0);
    }

    [Fact]
    public void The_lstm_error_is_no_larger_than_pytorchs_quantize_dynamic()
    {
        var c = Fixture().GetProperty("lstm");
        int input = c.GetProperty("input_size").GetInt32(), hidden = c.GetProperty("hidden_size").GetInt32();
        int layers = c.GetProperty("num_layers").GetInt32(), steps = c.GetProperty("steps").GetInt32(), batch = c.GetProperty("batch").GetInt32();
        var lstm = new Lstm(input, hidden, new RandomSource(0), layers);
        var parameters = c.GetProperty("parameters");
        foreach (var p in lstm.Parameters) p.Load(Tensor.FromValues(Values(parameters, p.Name), p.Value.Shape.Dimensions));
        var x = Tensor.FromValues(Values(c, "input"), steps, batch, input);
        Assert.True(Max(Values(c, "float_output"), lstm.Forward(x).ToArray()) < 1e-5, "the float LSTM does not match PyTorch");
        lstm.QuantizeWeights();
        var (ourError, torchError) = Errors(c, lstm.Forward(x).ToArray());
        Assert.True(ourError <= torchError * 1.5, $"ours {ourError} against PyTorch's {torchError}");
    }

    private static (double Ours, double Torch) Errors(JsonElement c, float[] ours)
    {
        var reference = Values(c, "float_output");
        return (Max(reference, ours), Max(reference, Values(c, "torch_int8_output")));
    }

    private static double Max(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();

    private static float[] Values(JsonElement element, string name) =>
        element.GetProperty(name).EnumerateArray().Select(v => v.GetSingle()).ToArray();

    private static JsonElement Fixture()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "int8_dynamic.json")));
        return document.RootElement.Clone();
    }

    private static float[] RandomValues(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
