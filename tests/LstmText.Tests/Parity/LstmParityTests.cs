using LstmText.Layers;
using LstmText.Tensors;

namespace LstmText.Tests.Parity;

/// <summary>torch.nn.LSTM against <see cref="Lstm"/>: outputs, final states and every gradient.</summary>
public sealed class LstmParityTests
{
    public static TheoryData<string> Cases => new()
    {
        "lstm_1layer_b1_t1",
        "lstm_1layer_b7_t50",
        "lstm_3layer_b7_t50",
        "lstm_3layer_bidir_b7_t50_state",
        "lstm_bidir_b1_t1",
        "lstm_2layer_padded_b7_t9",
        "lstm_2layer_bidir_padded_b7_t9",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_and_backward_match_pytorch(string name)
    {
        var fixture = PyTorchFixture.Load(name);
        var (lstm, initial, lengths) = Build(fixture);

        var output = lstm.Forward(fixture["input"], initial, lengths);
        Closeness.AssertClose(fixture["output"], output, "output");
        Closeness.AssertClose(fixture["final_hidden"], lstm.FinalState.Hidden, "final hidden state");
        Closeness.AssertClose(fixture["final_cell"], lstm.FinalState.Cell, "final cell state");

        var finalGradient = new LstmState(fixture["hidden_weights"], fixture["cell_weights"]);
        var inputGradient = lstm.Backward(fixture["output_weights"], finalGradient);
        Closeness.AssertClose(fixture["grad.input"], inputGradient, "input gradient");
        foreach (var p in lstm.Parameters)
            Closeness.AssertClose(fixture["grad.lstm." + p.Name], p.Gradient, "gradient of " + p.Name);
        if (initial is not null)
        {
            Closeness.AssertClose(fixture["grad.initial_hidden"], lstm.InitialStateGradient.Hidden, "initial hidden gradient");
            Closeness.AssertClose(fixture["grad.initial_cell"], lstm.InitialStateGradient.Cell, "initial cell gradient");
        }
    }

    [Fact]
    public void Parameter_names_and_order_are_pytorchs()
    {
        var lstm = new Lstm(3, 4, new RandomSource(1), layers: 2, bidirectional: true);
        Assert.Equal(
            ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
             "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
             "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
             "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"],
            lstm.Parameters.Select(p => p.Name));
        Assert.True(lstm.Parameters.Single(p => p.Name == "weight_ih_l1").Value.HasShape(16, 8));
    }

    internal static (Lstm Lstm, LstmState? Initial, int[]? Lengths) Build(PyTorchFixture fixture)
    {
        var c = fixture.Case;
        var lstm = new Lstm(c.GetProperty("input_size").GetInt32(), c.GetProperty("hidden_size").GetInt32(), new RandomSource(7),
            layers: c.GetProperty("num_layers").GetInt32(), bidirectional: c.GetProperty("bidirectional").GetBoolean());
        foreach (var p in lstm.Parameters) p.Load(fixture["lstm." + p.Name]);
        var initial = c.GetProperty("initial_state").GetBoolean()
            ? new LstmState(fixture["initial_hidden"], fixture["initial_cell"])
            : null;
        var lengthsJson = c.GetProperty("lengths");
        int[]? lengths = lengthsJson.ValueKind == System.Text.Json.JsonValueKind.Null
            ? null
            : lengthsJson.EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return (lstm, initial, lengths);
    }
}
