using LstmText.Data;

namespace LstmText.Tests.Data;

public sealed class DataSplitTests
{
    private static LabelledExample[] Examples(int positives, int negatives) =>
        [.. Enumerable.Range(0, positives + negatives).Select(i => new LabelledExample($"text {i}", i % (positives + negatives) < positives ? "pos" : "neg", i + 1))];

    [Fact]
    public void Each_class_keeps_its_share_in_validation()
    {
        var split = DataSplit.Stratified(Examples(900, 100), 0.2, seed: 7);

        Assert.Equal(180, split.Validation.Count(example => example.Label == "pos"));
        Assert.Equal(20, split.Validation.Count(example => example.Label == "neg"));
        Assert.Equal(800, split.Training.Count);
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_another()
    {
        var examples = Examples(50, 30);

        var first = DataSplit.Stratified(examples, 0.25, seed: 1);
        var again = DataSplit.Stratified(examples, 0.25, seed: 1);
        var other = DataSplit.Stratified(examples, 0.25, seed: 2);

        Assert.Equal(first.Validation, again.Validation);
        Assert.NotEqual(first.Validation, other.Validation);
    }

    [Fact]
    public void The_parts_are_disjoint_cover_everything_and_keep_the_original_order()
    {
        var examples = Examples(13, 8);

        var split = DataSplit.Stratified(examples, 0.3, seed: 3);

        Assert.Equal(examples.Length, split.Training.Count + split.Validation.Count);
        Assert.Empty(split.Training.Intersect(split.Validation));
        Assert.Equal(split.Training.OrderBy(example => example.Line), split.Training);
        Assert.Equal(split.Validation.OrderBy(example => example.Line), split.Validation);
    }

    [Fact]
    public void A_small_class_still_gives_one_example_and_a_fraction_of_zero_gives_none()
    {
        var examples = Examples(40, 2);

        Assert.Equal(1, DataSplit.Stratified(examples, 0.1, seed: 0).Validation.Count(example => example.Label == "neg"));
        Assert.Empty(DataSplit.Stratified(examples, 0, seed: 0).Validation);
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Stratified(examples, 1, seed: 0));
    }

    [Fact]
    public void Separate_sets_are_kept_as_they_are()
    {
        var split = DataSplit.FromSeparateSets(Examples(2, 1), Examples(1, 1));

        Assert.Equal(3, split.Training.Count);
        Assert.Equal(2, split.Validation.Count);
    }
}
