using System.Buffers.Binary;
using System.Text;

namespace LstmText.Tests.IO;

/// <summary>Builds safetensors files byte by byte, so tests can make them wrong in precise ways.</summary>
internal static class RawSafeTensors
{
    /// <summary>The 8-byte little-endian length, the header text as UTF-8, then <paramref name="data"/>.</summary>
    public static byte[] Build(string header, byte[]? data = null) => Build(Encoding.UTF8.GetBytes(header), data);

    public static byte[] Build(byte[] header, byte[]? data = null) =>
        [.. LengthPrefix((ulong)header.Length), .. header, .. data ?? []];

    public static byte[] LengthPrefix(ulong length)
    {
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, length);
        return prefix;
    }

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }
}
