using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Tests.Compute;

public sealed class TensorStorageTests
{
    [Fact]
    public void TheCpuBackendAllocatesHostStorageThatKernelsAndHostViewsShare()
    {
        var tensor = Tensor.Zeros(new CpuBackend(1), 2, 2);
        Assert.True(tensor.IsOnHost);
        Assert.IsType<HostStorage>(tensor.Storage);
        Assert.Equal("host", tensor.Storage.Location);
        new CpuBackend(1).Fill(tensor, 3f);
        Assert.Equal([3f, 3, 3, 3], tensor.HostSpan.ToArray());
        tensor[1, 0] = 5f;
        Assert.Equal(5f, tensor.Reshape(4)[2]); // a reshape shares the storage
    }

    [Theory]
    [InlineData(16 * 1024)]
    [InlineData(16 * 1024 + 5)]
    [InlineData(1 << 20)]
    public unsafe void A_large_tensor_starts_at_a_64_byte_boundary_and_every_view_and_transfer_sees_the_same_elements(int length)
    {
        // Eight in a row: the allocator puts an array's elements at 8-byte steps, so eight aligned by chance is unlikely.
        for (int i = 0; i < 8; i++)
        {
            var tensor = Tensor.Zeros(length);
            fixed (float* first = tensor.HostSpan) Assert.Equal(0L, (long)first % 64);
            fixed (float* first = tensor.All.Span) Assert.Equal(0L, (long)first % 64);
            tensor.Storage.Upload([1f, 2f, 3f], length - 3);
            tensor.HostSpan[0] = 9f;
            Assert.Equal([9f, 0f], tensor.ToArray()[..2]);
            Assert.Equal([1f, 2f, 3f], tensor.Slice(length - 3, 3).Span.ToArray());
            var copy = Tensor.Zeros(length);
            tensor.CopyTo(copy);
            Assert.Equal(tensor.ToArray(), copy.ToArray());
            copy.Storage.Clear(length - 2, 2);
            Assert.Equal([1f, 0f, 0f], copy.ToArray()[^3..]);
            Assert.Equal(1f, tensor.Reshape(length, 1)[length - 3, 0]);
        }
    }

    [Fact]
    public void TransfersCheckTheirLengthsAndRanges()
    {
        var tensor = Tensor.Zeros(3);
        Assert.Throws<ArgumentException>(() => tensor.Upload([1f, 2f]));
        Assert.Throws<ArgumentException>(() => tensor.Download(new float[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => tensor.Storage.Download(2, new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => tensor.Storage.Clear(1, 3));
        Assert.Throws<ArgumentException>(() => tensor.CopyTo(Tensor.Zeros(4)));
        Assert.Throws<ArgumentException>(() => tensor.Slice(1, 2).Upload([1f]));
    }

    [Fact]
    public void CopiesCrossBetweenHostAndDeviceStorageBothWays()
    {
        var device = new HostRefusingBackend();
        var host = Tensor.FromValues([1f, 2f, 3f, 4f], 2, 2);
        var onDevice = Tensor.Zeros(device, 2, 2);
        host.CopyTo(onDevice);
        onDevice.Slice(1, 2).Upload([7f, 8f]);
        var back = Tensor.Zeros(2, 2);
        onDevice.CopyTo(back);
        Assert.Equal([1f, 7f, 8f, 4f], back.HostSpan.ToArray());
        onDevice.Clear();
        Assert.Equal([0f, 0f, 0f, 0f], onDevice.ToArray());
        Assert.Equal([1f, 7f, 8f, 4f], back.ToArray());
    }

    [Fact]
    public void AGradientAndOptimizerStateLiveWhereTheirParameterLives()
    {
        var device = new HostRefusingBackend();
        var parameter = new LstmText.Layers.Parameter("weight", Tensor.Zeros(device, 3));
        Assert.False(parameter.Gradient.IsOnHost);
        Assert.Same(device, parameter.Gradient.Storage.Allocator);
        var adam = new LstmText.Optimizers.Adam([parameter], new AdamSettings(0.1f), device);
        Assert.False(adam.MomentsOf(0).First.IsOnHost);
        var sgd = new LstmText.Optimizers.Sgd([parameter], new SgdSettings(0.1f, Momentum: 0.9f), device);
        Assert.False(sgd.VelocityOf(0)!.IsOnHost);
    }
}
