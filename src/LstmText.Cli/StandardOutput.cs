using System.Text;
using Microsoft.Win32.SafeHandles;

namespace LstmText.Cli;

/// <summary>Standard output was closed by its reader (a broken pipe, as in <c>lstmtext generate | head</c>).</summary>
internal sealed class StandardOutputClosedException(Exception cause) : IOException("standard output was closed by its reader", cause);

/// <summary>
/// Standard output that notices when its reader goes away. <see cref="Console.Out"/> ignores a broken pipe
/// (EPIPE) silently, so a command writing into <c>| head</c> would run to its end and report success; this
/// writer writes to file descriptor 1 itself, and on the first failed write marks itself closed, tells
/// whoever listens (the command's cancellation) and throws <see cref="StandardOutputClosedException"/>.
/// </summary>
internal sealed class StandardOutput : TextWriter
{
    private readonly TextWriter inner;
    private readonly Lock gate = new();
    private Action? onClosed;

    private StandardOutput(TextWriter inner) => this.inner = inner;

    /// <summary>Whether the reader has gone away; nothing more is written.</summary>
    public bool IsClosed { get; private set; }

    /// <inheritdoc/>
    public override Encoding Encoding => inner.Encoding;

    /// <summary>Standard output of this process (on Windows, <see cref="Console.Out"/>, which reports broken pipes itself).</summary>
    public static TextWriter Open()
    {
        if (OperatingSystem.IsWindows())
        {
            return Console.Out;
        }
        var stream = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        if (stream.CanSeek)
        {
            // A regular file (`> out.txt`, or a script's `exec > log`): its reader cannot go away, and a FileStream
            // writes at positions of its own, which would ignore (and overwrite) what the shell and earlier commands
            // wrote through the same descriptor. The console stream writes at the shared offset.
            stream.Dispose();
            return new StandardOutput(new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 14));
        }
        return new StandardOutput(new StreamWriter(stream, new UTF8Encoding(false), 1 << 14));
    }

    /// <summary>A writer over any text writer, for tests.</summary>
    internal static StandardOutput Over(TextWriter inner) => new(inner);

    /// <summary>Calls <paramref name="action"/> once when the output closes (at once if it has); dispose the result to stop listening.</summary>
    public IDisposable WhenClosed(Action action)
    {
        lock (gate)
        {
            if (!IsClosed)
            {
                onClosed += action;
                return new Listener(this, action);
            }
        }
        action();
        return new Listener(this, action);
    }

    /// <inheritdoc/>
    public override void Write(char value) => Guard(() => inner.Write(value), value == '\n');

    /// <inheritdoc/>
    public override void Write(char[] buffer, int index, int count) => Guard(() => inner.Write(buffer, index, count), buffer.AsSpan(index, count).Contains('\n'));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<char> buffer)
    {
        ThrowIfClosed();
        try
        {
            inner.Write(buffer);
            if (buffer.Contains('\n'))
            {
                inner.Flush();
            }
        }
        catch (IOException e)
        {
            throw Closed(e);
        }
    }

    /// <inheritdoc/>
    public override void Write(string? value) => Guard(() => inner.Write(value), value?.Contains('\n') == true);

    /// <inheritdoc/>
    public override void WriteLine(string? value) => Guard(() => inner.WriteLine(value), lineEnds: true);

    /// <inheritdoc/>
    public override void Flush() => Guard(inner.Flush, lineEnds: true);

    /// <inheritdoc/>
    public override Task WriteAsync(char value) => Run(() => Write(value));

    /// <inheritdoc/>
    public override Task WriteAsync(string? value) => Run(() => Write(value));

    /// <inheritdoc/>
    public override Task WriteAsync(char[] buffer, int index, int count) => Run(() => Write(buffer, index, count));

    /// <inheritdoc/>
    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) => Run(() => Write(buffer.Span));

    /// <inheritdoc/>
    public override Task WriteLineAsync(string? value) => Run(() => WriteLine(value));

    /// <inheritdoc/>
    public override Task WriteLineAsync() => Run(WriteLine);

    /// <inheritdoc/>
    public override Task FlushAsync() => Run(Flush);

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => Run(Flush);

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !IsClosed)
        {
            try
            {
                inner.Flush();
            }
            catch (IOException)
            {
                IsClosed = true;
            }
        }
        base.Dispose(disposing);
    }

    private static Task Run(Action write)
    {
        try
        {
            write();
            return Task.CompletedTask;
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    /// <summary>Writes, and flushes when a line ends, as C's standard output does on a terminal, so lines appear as they are written.</summary>
    private void Guard(Action write, bool lineEnds = false)
    {
        ThrowIfClosed();
        try
        {
            write();
            if (lineEnds)
            {
                inner.Flush();
            }
        }
        catch (IOException e)
        {
            throw Closed(e);
        }
    }

    private void ThrowIfClosed()
    {
        if (IsClosed)
        {
            throw new StandardOutputClosedException(new IOException("Broken pipe"));
        }
    }

    private StandardOutputClosedException Closed(IOException cause)
    {
        Action? listeners;
        lock (gate)
        {
            IsClosed = true;
            listeners = onClosed;
            onClosed = null;
        }
        listeners?.Invoke();
        return new StandardOutputClosedException(cause);
    }

    private sealed class Listener(StandardOutput output, Action action) : IDisposable
    {
        public void Dispose()
        {
            lock (output.gate)
            {
                output.onClosed -= action;
            }
        }
    }
}
