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

    [Fact]
    public void A_new_shape_of_the_same_rank_reshapes_the_same_tensor_without_allocating()
    {
        var buffer = new TensorBuffer(HostMemory.Instance);
        var first = buffer.Reuse(6, 4);
        buffer.Reuse(2, 4);
        buffer.Reuse(5, 3);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var reshaped = buffer.Reuse(3, 7);
        var again = buffer.ReuseUninitialized(6, 4);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Same(first, reshaped);
        Assert.Same(first, again);
        Assert.True(first.HasShape(6, 4));
        Assert.Equal(24, first.Length);
        // Another rank is another tensor.
        Assert.NotSame(first, buffer.Reuse(24));
    }

    [Fact]
    public void A_tensor_made_from_a_buffers_shape_keeps_its_own_shape()
    {
        var buffer = new TensorBuffer(HostMemory.Instance);
        var current = buffer.Reuse(2, 3);
        var like = Tensor.ZerosLike(current);
        var zeros = Tensor.Zeros(HostMemory.Instance, current.Shape);
        buffer.Reuse(1, 2);
        Assert.True(current.HasShape(1, 2));
        Assert.True(like.HasShape(2, 3));
        Assert.True(zeros.HasShape(2, 3));
        Assert.Equal(6, like.Length);
    }
}
