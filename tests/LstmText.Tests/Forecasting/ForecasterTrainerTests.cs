using System.Text.Json;
using LstmText.Forecasting;
using LstmText.Layers;
using LstmText.Optimizers;
using LstmText.Training;
using LstmText.Tests.IO;

namespace LstmText.Tests.Forecasting;

/// <summary>The forecaster as a kind of the shared trainer: checkpoints, log, exact resume, refused changes, cancellation.</summary>
public sealed class ForecasterTrainerTests
{
    private static readonly TimeSeries Series = ForecasterEndToEndTests.Synthetic(160);

    private static ForecasterBuilder Tiny(int lookback = 12) => Forecaster.Configure().Lookback(lookback).Lstm(8).Difference(first: true);

    private static float[][] Weights(Forecaster model) => model.Network.Parameters.Select(p => p.Value.ToArray()).ToArray();

    [Fact]
    public void A_run_writes_the_model_the_checkpoints_the_log_and_the_curve_beside_it()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("m.safetensors");
        var model = Tiny().Train([Series], t => t.MaxSteps(12).BatchSize(16).ValidateEvery(4).LearningRate(3e-3f).SaveTo(path));

        foreach (var beside in new[] { "m.safetensors", "m.last.ckpt.safetensors", "m.best.ckpt.safetensors", "m.log.jsonl", "m.loss.svg" })
            Assert.True(File.Exists(folder.File(beside)), beside);
        var lines = File.ReadAllLines(folder.File("m.log.jsonl"));
        Assert.Equal(3, lines.Length); // validations at steps 4, 8, 12
        using (var last = JsonDocument.Parse(lines[^1]))
        {
            Assert.Equal(12, last.RootElement.GetProperty("step").GetInt32());
            Assert.True(last.RootElement.GetProperty("validation_mae").GetDouble() > 0);
        }

        var record = model.Training!;
        Assert.Equal(12, record.Steps);
        Assert.Equal("max-steps", record.StoppedBecause);
        Assert.NotNull(record.ValidationMae);
        Assert.Contains(record.KeptWeights, new[] { "best", "last" });
        // The model file and the checkpoints load as forecasters, with the shared training record.
        var loaded = Forecaster.Load(path);
        Assert.Equal(12, loaded.Training!.Steps);
        Assert.Equal(Weights(model), Weights(loaded));
        var checkpoint = Forecaster.Load(folder.File("m.last.ckpt.safetensors"));
        Assert.Equal(12, checkpoint.Training!.Steps);
    }

    [Fact]
    public void Interrupted_and_resumed_training_equals_uninterrupted_training()
    {
        using var folder = new TemporaryFolder();
        var straight = new List<TrainingProgress>();
        var whole = Tiny().Train([Series], t => t.MaxSteps(14).BatchSize(16).ValidateEvery(5).Seed(4).LearningRate(3e-3f)
            .SaveTo(folder.File("whole.safetensors")).ReportProgress(new Collect(straight)));

        var resumed = new List<TrainingProgress>();
        string half = folder.File("half.safetensors");
        Tiny().Train([Series], t => t.MaxSteps(5).BatchSize(16).ValidateEvery(5).Seed(4).LearningRate(3e-3f).SaveTo(half).ReportProgress(new Collect(resumed)));
        var final = Tiny().Train([Series], t => t.MaxSteps(14).BatchSize(16).ValidateEvery(5).Seed(4).LearningRate(3e-3f).SaveTo(half)
            .ResumeFrom(folder.File("half.last.ckpt.safetensors")).ReportProgress(new Collect(resumed)));

        Assert.Equal(14, straight.Count);
        Assert.Equal(straight.Select(p => p.Loss), resumed.Select(p => p.Loss));
        Assert.Equal(straight.Select(p => p.ValidationLoss), resumed.Select(p => p.ValidationLoss));
        Assert.Equal(14, final.Training!.Steps);
        Assert.Equal(whole.Training!.KeptStep, final.Training.KeptStep);
        Assert.Equal(Weights(whole), Weights(final));
        Assert.Equal(File.ReadAllLines(folder.File("whole.log.jsonl")).Select(WithoutSeconds), File.ReadAllLines(folder.File("half.log.jsonl")).Select(WithoutSeconds));
    }

    [Fact]
    public void Resuming_with_a_changed_option_or_other_data_is_refused_naming_it()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("m.safetensors");
        Tiny().Train([Series], t => t.MaxSteps(3).BatchSize(16).SaveTo(path));
        string checkpoint = folder.File("m.last.ckpt.safetensors");

        var lookback = Assert.Throws<TrainingException>(() => Tiny(lookback: 10).Train([Series], t => t.MaxSteps(6).BatchSize(16).SaveTo(path).ResumeFrom(checkpoint)));
        Assert.Contains("lookback 12 in the checkpoint, 10 asked", lookback.Message);
        var batch = Assert.Throws<TrainingException>(() => Tiny().Train([Series], t => t.MaxSteps(6).BatchSize(8).SaveTo(path).ResumeFrom(checkpoint)));
        Assert.Contains("batch size 16", batch.Message);
        var data = Assert.Throws<TrainingException>(() => Tiny().Train([ForecasterEndToEndTests.Synthetic(160, seed: 9)],
            t => t.MaxSteps(6).BatchSize(16).SaveTo(path).ResumeFrom(checkpoint)));
        Assert.Contains("the series differ", data.Message);
    }

    [Fact]
    public void Cancelling_writes_a_checkpoint_and_the_model_and_the_run_resumes_from_it()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("c.safetensors");
        using var cancellation = new CancellationTokenSource();
        var error = Assert.Throws<OperationCanceledException>(() => Tiny().Train([Series],
            t => t.MaxSteps(20).BatchSize(16).SaveTo(path).CancelWith(cancellation.Token).ReportProgress(new CancelAfter(3, cancellation))));
        Assert.Contains("step 3", error.Message);
        Assert.Equal("cancelled", Forecaster.Load(path).Training!.StoppedBecause);
        var resumed = Tiny().Train([Series], t => t.MaxSteps(5).BatchSize(16).SaveTo(path).ResumeFrom(folder.File("c.last.ckpt.safetensors")));
        Assert.Equal(5, resumed.Training!.Steps);
    }

    [Fact]
    public void A_diverging_run_stops_with_the_last_good_checkpoint_named()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("d.safetensors");
        var error = Assert.Throws<TrainingDivergedException>(() => Tiny().Train([Series],
            t => t.MaxSteps(200).BatchSize(16).ValidateEvery(2).Sgd().LearningRate(1e4f).NoGradientClipping().SaveTo(path)));
        Assert.Contains("training diverged at step", error.Message);
    }

    private static string WithoutSeconds(string line)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(line)!.AsObject();
        node.Remove("seconds");
        return node.ToJsonString();
    }

    private sealed class Collect(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }

    private sealed class CancelAfter(int steps, CancellationTokenSource source) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step == steps) source.Cancel();
        }
    }
}
