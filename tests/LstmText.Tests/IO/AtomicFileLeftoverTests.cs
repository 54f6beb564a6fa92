using LstmText.IO;

namespace LstmText.Tests.IO;

/// <summary>
/// Temporary files that a killed writer left beside its target (issue 11, item 9) are removed by the next write to that
/// target, and nothing else is: not a fresh one, not one a writer holds open, not another target's, not another name.
/// </summary>
public sealed class AtomicFileLeftoverTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Leftover(string target, string suffix, TimeSpan age)
    {
        string path = _folder.File($".{target}.tmp-{suffix}");
        File.WriteAllBytes(path, new byte[64]);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }

    private static string NewSuffix() => Guid.NewGuid().ToString("N");

    [Fact]
    public void The_next_write_to_a_target_removes_the_stale_temporary_files_a_killed_writer_left()
    {
        string target = _folder.File("model.safetensors");
        string stale = Leftover("model.safetensors", NewSuffix(), TimeSpan.FromMinutes(5));
        string older = Leftover("model.safetensors", NewSuffix(), TimeSpan.FromDays(3));

        AtomicFile.Write(target, stream => stream.Write([1, 2, 3]));

        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(older));
        Assert.Equal([target], Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void Fresh_locked_foreign_and_other_targets_temporary_files_are_left_alone()
    {
        string target = _folder.File("model.safetensors");
        var old = TimeSpan.FromMinutes(5);
        string fresh = Leftover("model.safetensors", NewSuffix(), TimeSpan.Zero);
        string otherTarget = Leftover("model.last.ckpt.safetensors", NewSuffix(), old);
        string notAGuid = Leftover("model.safetensors", "notes", old);
        string upperCase = Leftover("model.safetensors", NewSuffix().ToUpperInvariant(), old);
        string held = Leftover("model.safetensors", NewSuffix(), old);
        string[] kept = [fresh, otherTarget, notAGuid, upperCase, held];

        using (new FileStream(held, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            AtomicFile.Write(target, stream => stream.Write([7]));

        Assert.All(kept, path => Assert.True(File.Exists(path), path));
        Assert.Equal([7], File.ReadAllBytes(target));
    }

    [Fact]
    public void Two_writers_of_one_target_at_once_both_succeed_and_leave_one_whole_file()
    {
        string target = _folder.File("model.bin");
        var first = new byte[200_000];
        var second = new byte[200_000];
        Array.Fill(first, (byte)1);
        Array.Fill(second, (byte)2);

        Parallel.For(0, 40, i => AtomicFile.Write(target, stream =>
        {
            stream.Write(i % 2 == 0 ? first : second);
        }));

        var written = File.ReadAllBytes(target);
        Assert.True(written.SequenceEqual(first) || written.SequenceEqual(second));
        Assert.Equal([target], Directory.GetFiles(_folder.Path));
    }
}
