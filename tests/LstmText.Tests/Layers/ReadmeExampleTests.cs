using LstmText.Compute;
using LstmText.Layers;
using LstmText.Optimizers;
using LstmText.Tensors;

namespace LstmText.Tests.Layers;

/// <summary>The README's training-step example, verbatim between the markers, so the README cannot drift from the API.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void Readme_training_step_runs_and_lowers_the_loss()
    {
        const int steps = 6, batch = 2;
        var ids = new int[steps * batch];
        var targets = new int[steps * batch];
        for (int i = 0; i < ids.Length; i++) (ids[i], targets[i]) = (i % 65, (i + 1) % 65);
        var losses = new List<float>();

        // README begin
        var random = new RandomSource(seed: 1);
        var embedding = new Embedding(vocabularySize: 65, dimension: 64, random);
        var lstm = new Lstm(inputSize: 64, hiddenSize: 512, random, layers: 2, dropout: 0.2f);
        var decoder = new Linear(512, 65, random);
        var loss = new CrossEntropyLoss();
        Parameter[] parameters = [.. embedding.Parameters, .. lstm.Parameters, .. decoder.Parameters];
        var adam = new Adam(parameters, new AdamSettings(LearningRate: 2e-3f));
        // README end

        for (int step = 0; step < 5; step++)
        {
            // README begin
            adam.ZeroGradients();
            var hidden = lstm.Forward(embedding.Forward(ids, steps, batch), random: random);   // time-major ids
            float value = loss.Forward(decoder.Forward(hidden), targets);
            embedding.Backward(lstm.Backward(decoder.Backward(loss.Backward())));
            GradientClipping.ClipByGlobalNorm(parameters, maxNorm: 5f);
            adam.Step();
            // README end
            losses.Add(value);
        }

        Assert.True(losses[^1] < losses[0], $"Loss went from {losses[0]} to {losses[^1]}.");
        var readme = File.ReadAllText(Path.Combine(RepositoryFolder.Root(), "README.md"));
        var source = File.ReadAllLines(Path.Combine(RepositoryFolder.Root(), "tests", "LstmText.Tests", "Layers", "ReadmeExampleTests.cs"));
        bool inside = false;
        int checkedLines = 0;
        foreach (var line in source)
        {
            if (line.Trim() == "// README begin") inside = true;
            else if (line.Trim() == "// README end") inside = false;
            else if (inside && line.Trim().Length > 0)
            {
                Assert.Contains(line.Trim(), readme);
                checkedLines++;
            }
        }
        Assert.Equal(13, checkedLines);
    }
}
