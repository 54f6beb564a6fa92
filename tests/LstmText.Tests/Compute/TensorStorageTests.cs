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
