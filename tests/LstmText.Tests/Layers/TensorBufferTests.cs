using LstmText.Tensors;

namespace LstmText.Tests.Layers;

public sealed class TensorBufferTests
{
    [Fact]
    public void A_smaller_shape_reuses_the_storage_and_a_larger_one_grows_it()
    {
        var buffer = new TensorBuffer(HostMemory.Instance);
        var first = buffer.ReuseUninitialized(4, 8);
        first.HostSpan.Fill(7f);
        var smaller = buffer.ReuseUninitialized(3, 8);
        Assert.Same(first.Storage, smaller.Storage);
        Assert.True(smaller.HasShape(3, 8));
        Assert.Equal(7f, smaller[0]); // uninitialised: the caller overwrites
        Assert.Same(smaller, buffer.ReuseUninitialized(3, 8));
        var larger = buffer.ReuseUninitialized(5, 8);
        Assert.NotSame(first.Storage, larger.Storage);
        Assert.Equal(40, larger.Length);
    }

    [Fact]
    public void Reuse_zeroes_the_contents_when_the_shape_changes_but_not_when_it_stays()
    {
        var buffer = new TensorBuffer(HostMemory.Instance);
        var first = buffer.Reuse(2, 3);
        first.HostSpan.Fill(1f);
        Assert.Equal(1f, buffer.Reuse(2, 3)[5]);
        var other = buffer.Reuse(3, 2);
        Assert.All(other.ToArray(), v => Assert.Equal(0f, v));
    }
}
