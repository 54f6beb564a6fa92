using FsCheck;
using FsCheck.Fluent;

namespace LstmText.Tests.Tokenizers;

/// <summary>Generators of valid Unicode text that lean on the hard cases: astral planes, marks, emoji, white space.</summary>
internal static class RandomUnicode
{
    private static readonly string[] awkward =
    [
        " ", "  ", "\n", "\t", "\r\n", "'", "'s", "'ll", "\u00A0", "\u3000", "\u0301", "\u200D", "\uFE0F",
        "\U0001F600", "\U0001F44D\U0001F3FD", "\U0001F1EB\U0001F1F7", "\U0001D400", "\U00010400", "\U0010FFFD",
        "e\u0301", "\u4E2D", "\uD55C", "\u0663", "\u00BD", "a", "Z", "9", ".", ",", "!", "\"",
    ];

    /// <summary>Any scalar value, surrogates excluded, weighted towards the four planes text actually uses.</summary>
    public static Gen<string> ScalarValue { get; } = Gen.Frequency(
        (4, Gen.Choose(0x20, 0x7E)),
        (2, Gen.Choose(0x80, 0xD7FF)),
        (1, Gen.Choose(0xE000, 0xFFFD)),
        (2, Gen.Choose(0x10000, 0x10FFFF)),
        (1, Gen.Choose(0, 0x1F))).Select(char.ConvertFromUtf32);

    /// <summary>Strings of random scalar values and awkward fragments.</summary>
    public static Arbitrary<string> Text { get; } = Gen.Frequency(
            (3, ScalarValue),
            (2, Gen.Elements(awkward)))
        .ArrayOf()
        .Select(string.Concat)
        .ToArbitrary();

    /// <summary>A seeded random string for theories that do not use FsCheck.</summary>
    public static string Seeded(int seed, int length)
    {
        var random = new Random(seed);
        var text = new System.Text.StringBuilder();
        for (var index = 0; index < length; index++)
        {
            var pick = random.Next(5);
            var scalar = pick switch
            {
                0 => random.Next(0x20, 0x7F),
                1 => random.Next(0x80, 0xD800),
                2 => random.Next(0xE000, 0xFFFE),
                3 => random.Next(0x10000, 0x110000),
                _ => -1,
            };
            text.Append(scalar < 0 ? awkward[random.Next(awkward.Length)] : char.ConvertFromUtf32(scalar));
        }
        return text.ToString();
    }
}
