using LstmText.Compute;
using LstmText.Layers;
using LstmText.Tensors;

namespace LstmText.Tests.Parity;

/// <summary>Cross-entropy (with an ignore index and a large logit), softmax and log-softmax against PyTorch.</summary>
public sealed class FunctionalParityTests
{
    private readonly PyTorchFixture _fixture = PyTorchFixture.Load("functional");

    [Fact]
    public void Cross_entropy_loss_and_gradient_match_pytorch()
    {
        var logits = _fixture["logits"];
        var loss = new CrossEntropyLoss(ignoreIndex: -1);
        float value = loss.Forward(logits, _fixture.Ints("targets"));
        Closeness.AssertClose(_fixture["loss"].HostSpan, [value], "loss");
        Closeness.AssertClose(_fixture["grad.logits"], loss.Backward(), "logit gradient");
        Assert.Equal(8, loss.CountedTargets);
    }

    [Fact]
    public void Softmax_and_log_softmax_match_pytorch()
    {
        var logits = _fixture["logits"];
        int rows = logits.Shape[0], columns = logits.Shape[1];
        var probabilities = Tensor.Zeros(rows, columns);
        var logProbabilities = Tensor.Zeros(rows, columns);
        CpuBackend.Default.Softmax(logits, rows, columns, probabilities);
        CpuBackend.Default.LogSoftmax(logits, rows, columns, logProbabilities);
        Closeness.AssertClose(_fixture["softmax"], probabilities, "softmax");
        Closeness.AssertClose(_fixture["log_softmax"], logProbabilities, "log-softmax");
    }
}
