namespace LstmText.Onnx.Tests;

/// <summary>Files of the repository the tests run in (the bundled models and corpora).</summary>
internal static class RepositoryFiles
{
    public static string PathOf(string relativePath)
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "LstmText.sln"))) folder = folder.Parent;
        var root = folder?.FullName ?? throw new InvalidOperationException("The test does not run inside the repository.");
        return Path.Combine(root, relativePath);
    }
}
