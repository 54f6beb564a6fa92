namespace LstmText.Cli;

/// <summary>Finds a model that ships with the tool: under the current folder or the tool's own, or any folder above them.</summary>
internal static class BundledModel
{
    /// <summary>The full path of <paramref name="relativePath"/>, or a usage error that names it and <paramref name="whenMissing"/>.</summary>
    public static string Find(string relativePath, string whenMissing)
    {
        foreach (var folder in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relativePath);
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new UsageException($"no --model given and the bundled model {relativePath} was not found{whenMissing}");
    }
}
