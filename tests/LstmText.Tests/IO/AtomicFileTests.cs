using LstmText.IO;
using LstmText.Tensors;

namespace LstmText.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_new_file_holds_what_the_writer_wrote()
    {
        string path = _folder.File("new.bin");

        AtomicFile.Write(path, stream => stream.Write([1, 2, 3]));

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void Missing_folders_on_the_way_to_the_file_are_created()
    {
        string path = Path.Combine(_folder.Path, "run", "best", "model.bin");

        AtomicFile.Write(path, stream => stream.Write([4, 5]));

        Assert.Equal([4, 5], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void An_existing_file_is_replaced_whole()
    {
        string path = _folder.File("model.bin");
        File.WriteAllBytes(path, new byte[1000]);

        AtomicFile.Write(path, stream => stream.Write([9]));

        Assert.Equal([9], File.ReadAllBytes(path));
    }

    [Fact]
    public void A_writer_that_fails_half_way_leaves_the_old_file_byte_identical_and_no_temporary_file()
    {
        string path = _folder.File("model.bin");
        byte[] original = Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray();
        File.WriteAllBytes(path, original);

        var error = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100_000]);
            stream.Flush();
            throw new InvalidOperationException("disk on fire");
        }));

        Assert.Equal("disk on fire", error.Message);
        Assert.Equal(original, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void A_writer_that_fails_leaves_no_file_where_there_was_none()
    {
        string path = _folder.File("never.bin");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, _ => throw new IOException("no")));

        Assert.Empty(Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void The_data_is_written_beside_the_target_and_renamed_into_place()
    {
        string path = _folder.File("model.bin");
        string[] during = [];

        AtomicFile.Write(path, stream =>
        {
            stream.Write([1]);
            during = Directory.GetFiles(_folder.Path);
        });

        string temporary = Assert.Single(during);
        Assert.StartsWith(".model.bin.tmp-", Path.GetFileName(temporary));
        Assert.False(File.Exists(temporary));
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void A_refused_safetensors_write_leaves_the_previous_model_intact()
    {
        string path = _folder.File("model.safetensors");
        SafeTensorsFile.Write(path, [new("w", LstmText.Tensors.Tensor.Filled(1f, 3))]);
        byte[] before = File.ReadAllBytes(path);

        Assert.Throws<ArgumentException>(() => SafeTensorsFile.Write(path, [new("w", LstmText.Tensors.Tensor.Zeros(1)), new("w", LstmText.Tensors.Tensor.Zeros(1))]));

        Assert.Equal(before, File.ReadAllBytes(path));
    }
}
