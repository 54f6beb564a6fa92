using LstmText.Forecasting;
using LstmText.Tensors;
using LstmText.Tests.Layers;
using LstmText.Tests.Parity;

namespace LstmText.Tests.Forecasting;

/// <summary>The regressor network, the MSE loss and the pinball loss against PyTorch 1.13 (tools/fixtures/make_forecast_fixtures.py).</summary>
public sealed class ForecastNetworkParityTests
{
    [Theory]
    [InlineData("forecast_network_keras")]
    [InlineData("forecast_network_direct")]
    [InlineData("forecast_network_2layer_quantiles")]
    public void Network_output_loss_and_gradients_match_PyTorch(string name)
    {
        var fixture = PyTorchFixture.Load(name);
        var c = fixture.Case;
        int skip = c.GetProperty("skip").GetInt32();
        var network = new ForecastNetwork(c.GetProperty("features").GetInt32(), c.GetProperty("hidden").GetInt32(), c.GetProperty("layers").GetInt32(),
            skip, c.GetProperty("outputs").GetInt32(), new RandomSource(7));
        foreach (var (parameterName, parameter) in network.NamedParameters) parameter.Load(fixture[parameterName]);

        var prediction = network.Forward(fixture["x"], skip > 0 ? fixture["skip"] : null);
        Closeness.AssertClose(fixture["prediction"], prediction, "prediction");
        double loss;
        Tensor gradient;
        if (c.GetProperty("quantiles").ValueKind == System.Text.Json.JsonValueKind.Null)
        {
            var mse = new MeanSquaredErrorLoss();
            loss = mse.Forward(prediction, fixture["target"]);
            gradient = mse.Gradient!;
        }
        else
        {
            var quantiles = c.GetProperty("quantiles").EnumerateArray().Select(q => q.GetDouble()).ToArray();
            var pinball = new QuantileLoss(quantiles);
            loss = pinball.Forward(prediction, fixture["target"]);
            gradient = pinball.Gradient!;
        }
        Assert.Equal(fixture["loss"][0], loss, 5);
        network.Backward(gradient);
        foreach (var (parameterName, parameter) in network.NamedParameters)
            Closeness.AssertClose(fixture[parameterName + ".grad"], parameter.Gradient, parameterName + " gradient", 1e-4f, 1e-6f);
    }

    [Fact]
    public void Losses_and_their_gradients_match_PyTorch()
    {
        var fixture = PyTorchFixture.Load("forecast_losses");
        var mse = new MeanSquaredErrorLoss();
        Assert.Equal(fixture["mse"][0], mse.Forward(fixture["prediction"], fixture["target"]), 5);
        Closeness.AssertClose(fixture["mse.grad"], mse.Gradient!, "MSE gradient");
        var pinball = new QuantileLoss([0.1, 0.5, 0.9]);
        Assert.Equal(fixture["pinball"][0], pinball.Forward(fixture["prediction"], fixture["quantile_target"]), 5);
        Closeness.AssertClose(fixture["pinball.grad"], pinball.Gradient!, "pinball gradient");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Network_gradients_match_finite_differences(bool quantiles)
    {
        var random = new RandomSource(11);
        const int steps = 6, batch = 3, features = 3, skip = 4;
        int outputs = quantiles ? 6 : 2;
        var network = new ForecastNetwork(features, 5, 1, skip, outputs, random);
        var x = FiniteDifferences.RandomTensor(random, steps, batch, features);
        var direct = FiniteDifferences.RandomTensor(random, batch, skip);
        var target = FiniteDifferences.RandomTensor(random, batch, quantiles ? 2 : outputs);
        var mse = new MeanSquaredErrorLoss();
        var pinball = new QuantileLoss([0.2, 0.5, 0.8]);
        double Loss()
        {
            var output = network.Forward(x, direct);
            return quantiles ? pinball.Forward(output, target) : mse.Forward(output, target);
        }
        foreach (var p in network.Parameters) p.ZeroGradient();
        Loss();
        network.Backward(quantiles ? pinball.Gradient! : mse.Gradient!);
        var checks = network.NamedParameters.Select(p => (p.Name, p.Parameter.Value, p.Parameter.Gradient)).ToList();
        // The pinball loss has kinks; a finite step across one is not a derivative, so its check is looser and uses a smaller step's worth of samples.
        FiniteDifferences.AssertGradients(Loss, checks, samples: 10, relative: quantiles ? 5e-2f : 2e-2f, absolute: quantiles ? 4e-3f : 2e-3f);
    }

    [Fact]
    public void Mse_loss_matches_a_hand_computation()
    {
        var loss = new MeanSquaredErrorLoss();
        double value = loss.Forward(Tensor.FromValues([1f, 2f, 4f, 0f], 2, 2), Tensor.FromValues([0f, 2f, 1f, 1f], 2, 2));
        Assert.Equal((1 + 0 + 9 + 1) / 4.0, value, 6);
        Assert.Equal([0.5f, 0f, 1.5f, -0.5f], loss.Gradient!.ToArray());
    }
}
