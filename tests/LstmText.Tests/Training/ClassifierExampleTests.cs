using System.Text;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tests.IO;

namespace LstmText.Tests.Training;

/// <summary>examples/SpamFilter and examples/ClassifyCsv run end to end with tiny settings on generated data.</summary>
public sealed class ClassifierExampleTests
{
    [Fact]
    public async Task The_spam_filter_trains_on_a_latin1_csv_and_labels_new_messages()
    {
        using var folder = new TemporaryFolder();
        var data = folder.File("sms.csv");
        var csv = new StringBuilder("v1,v2\n");
        for (int i = 0; i < 24; i++)
            csv.Append(i % 3 == 0 ? $"spam,\"FREE prize £{i}00! call now, très urgent\"\n" : $"ham,see you at the café at {i} o'clock\n");
        File.WriteAllBytes(data, Encoding.Latin1.GetBytes(csv.ToString()));

        var output = new StringWriter();
        var log = new StringWriter();
        int exit = await SpamFilter.TrainAndFilter.RunAsync([data, "1", "FREE prize £500! call now", "see you at the café"], output, log);

        Assert.Equal(0, exit);
        Assert.Contains("trained on", log.ToString());
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, line => Assert.Matches(@"^(ham|spam)\t", line));
        Assert.EndsWith("see you at the café", lines[1]);
    }

    [Fact]
    public void ClassifyCsv_labels_every_row_with_a_model_and_keeps_the_columns()
    {
        using var folder = new TemporaryFolder();
        var model = folder.File("tiny.safetensors");
        TextClassifier.Configure().WordLevel().Embedding(4).Lstm(4).Pooling(SequencePooling.Mean)
            .Train(ClassifierTrainerTests.TinySet(), t => t.MaxSteps(2).BatchSize(8).NoValidation()).Save(model);
        var input = folder.File("in.csv");
        File.WriteAllText(input, "id,review\n1,a good film\n2,\"so bad,\nreally\"\n3,\n");
        var output = folder.File("out.csv");
        var log = new StringWriter();

        Assert.Equal(0, ClassifyCsv.LabelTable.Run([input, output, model], log));

        Assert.Contains("3 rows: 2 labelled as negative/positive, 1 errors", log.ToString());
        var text = File.ReadAllText(output);
        Assert.StartsWith("id,review,label,confidence,p_negative,p_positive,error", text);
        Assert.Contains("\"so bad,\nreally\"", text);
        Assert.Equal(1, ClassifyCsv.LabelTable.Run([input, output, folder.File("missing.safetensors")], log));
    }
}
