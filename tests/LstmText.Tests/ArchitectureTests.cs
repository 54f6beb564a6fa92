using System.Text.RegularExpressions;

namespace LstmText.Tests;

/// <summary>
/// The library's namespaces depend on each other in one direction only (docs/architecture.md): each folder of
/// src/LstmText may use the namespaces below it in <see cref="Layering"/> and none above it, so no cycle can come back.
/// </summary>
public sealed partial class ArchitectureTests
{
    /// <summary>From the bottom (tensors) to the top (the facades and the forecasting slice).</summary>
    private static readonly string[] Layering =
        ["Tensors", "Compute", "Layers", "Optimizers", "Tokenizers", "IO", "Data", "Metrics", "Generation", "Training", "Models", "Forecasting"];

    [GeneratedRegex(@"^\s*using\s+LstmText\.(\w+)\s*;|\bLstmText\.(\w+)\.", RegexOptions.Multiline)]
    private static partial Regex NamespaceUse();

    [Fact]
    public void Every_folder_uses_only_the_namespaces_below_it()
    {
        var library = Path.Combine(RepositoryFolder.Root(), "src", "LstmText");
        var folders = Directory.GetDirectories(library).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")).ToArray();
        Assert.Equal(Layering.Order(), folders.Order()!);
        var upward = new List<string>();
        foreach (var folder in Layering)
        {
            int level = Array.IndexOf(Layering, folder);
            foreach (var file in Directory.GetFiles(Path.Combine(library, folder), "*.cs", SearchOption.AllDirectories))
                foreach (Match match in NamespaceUse().Matches(File.ReadAllText(file)))
                {
                    string used = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
                    int usedLevel = Array.IndexOf(Layering, used);
                    if (usedLevel > level) upward.Add($"{folder}/{Path.GetFileName(file)} uses LstmText.{used}");
                }
        }
        Assert.Empty(upward);
    }
}
