using LstmText.Compute;
using LstmText.Layers;
using LstmText.Optimizers;
using LstmText.Tensors;

namespace LstmText.Tests.Parity;

/// <summary>
/// Embedding → 2-layer LSTM → Linear → cross-entropy with clipping and three optimizer steps, against PyTorch.
/// </summary>
public sealed class TrainingStepParityTests
{
    [Theory]
    [InlineData("sgd_momentum")]
    [InlineData("sgd_nesterov")]
    [InlineData("adam")]
    [InlineData("adamw")]
    public void Three_clipped_steps_match_pytorch(string optimizerName)
    {
        var fixture = PyTorchFixture.Load("optimizer_" + optimizerName);
        var model = new TinyLanguageModel(fixture);
        foreach (var (name, p) in model.NamedParameters) p.Load(fixture["initial." + name]);
        Optimizer optimizer = optimizerName switch
        {
            "sgd_momentum" => new Sgd(model.Parameters, new SgdSettings(0.5f, Momentum: 0.9f, WeightDecay: 0.01f)),
            "sgd_nesterov" => new Sgd(model.Parameters, new SgdSettings(0.3f, Momentum: 0.8f, Nesterov: true)),
            "adam" => new Adam(model.Parameters, new AdamSettings(0.01f, WeightDecay: 0.001f)),
            "adamw" => Adam.AdamW(model.Parameters, 0.01f, weightDecay: 0.1f),
            _ => throw new ArgumentOutOfRangeException(nameof(optimizerName)),
        };
        var losses = fixture["losses"].ToArray();
        var norms = fixture["norms"].ToArray();
        for (int step = 0; step < 3; step++)
        {
            optimizer.ZeroGradients();
            float loss = model.ForwardAndBackward();
            if (step == 0)
            {
                Closeness.AssertClose(fixture["logits"], model.Logits, "logits");
                foreach (var (name, p) in model.NamedParameters)
                    Closeness.AssertClose(fixture["grad." + name], p.Gradient, "gradient of " + name);
            }
            float norm = GradientClipping.ClipByGlobalNorm(model.Parameters, 0.5f);
            optimizer.Step();
            Closeness.AssertClose([losses[step]], [loss], $"loss at step {step + 1}");
            Closeness.AssertClose([norms[step]], [norm], $"gradient norm at step {step + 1}");
            foreach (var (name, p) in model.NamedParameters)
                Closeness.AssertClose(fixture[$"step{step + 1}." + name], p.Value, $"{name} after step {step + 1}");
        }
    }

    [Fact]
    public void Padding_row_of_the_embedding_gets_no_gradient()
    {
        var fixture = PyTorchFixture.Load("optimizer_adam");
        var model = new TinyLanguageModel(fixture);
        model.ForwardAndBackward();
        Assert.Contains(0, fixture.Ints("ids"));
        Assert.All(model.Embedding.Weight.Gradient.HostSpan[..model.Embedding.Dimension].ToArray(), g => Assert.Equal(0f, g));
        Assert.Contains(model.Embedding.Weight.Gradient.ToArray(), g => g != 0f);
    }

    /// <summary>The same composition as the script's TinyLanguageModel, time-major.</summary>
    private sealed class TinyLanguageModel
    {
        private readonly int[] _ids;
        private readonly int[] _targets;
        private readonly int _steps, _batch, _vocabulary;
        private readonly CrossEntropyLoss _loss = new(ignoreIndex: -100);

        public TinyLanguageModel(PyTorchFixture fixture)
        {
            var c = fixture.Case;
            _vocabulary = c.GetProperty("vocab").GetInt32();
            int embed = c.GetProperty("embed").GetInt32(), hidden = c.GetProperty("hidden").GetInt32();
            _steps = c.GetProperty("steps").GetInt32();
            _batch = c.GetProperty("batch").GetInt32();
            var random = new RandomSource(3);
            Embedding = new Embedding(_vocabulary, embed, random, paddingIndex: 0);
            Lstm = new Lstm(embed, hidden, random, layers: 2);
            Decoder = new Linear(hidden, _vocabulary, random);
            _ids = fixture.Ints("ids");
            _targets = fixture.Ints("targets");
            NamedParameters =
            [
                .. Embedding.Parameters.Select(p => ("embedding." + p.Name, p)),
                .. Lstm.Parameters.Select(p => ("lstm." + p.Name, p)),
                .. Decoder.Parameters.Select(p => ("decoder." + p.Name, p)),
            ];
            Parameters = NamedParameters.Select(x => x.Parameter).ToArray();
        }

        public Embedding Embedding { get; }
        public Lstm Lstm { get; }
        public Linear Decoder { get; }
        public (string Name, Parameter Parameter)[] NamedParameters { get; }
        public Parameter[] Parameters { get; }
        public Tensor Logits { get; private set; } = Tensor.Zeros(0);

        public float ForwardAndBackward()
        {
            var embedded = Embedding.Forward(_ids, _steps, _batch);
            var hidden = Lstm.Forward(embedded);
            Logits = Decoder.Forward(hidden);
            float loss = _loss.Forward(Logits, _targets);
            var hiddenGradient = Decoder.Backward(_loss.Backward());
            var embeddedGradient = Lstm.Backward(hiddenGradient);
            Embedding.Backward(embeddedGradient);
            return loss;
        }
    }
}
