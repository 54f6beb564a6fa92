namespace LstmText.Tests;

/// <summary>The repository's root folder, for tests that read its documents and sources.</summary>
internal static class RepositoryFolder
{
    /// <summary>The folder above the test binaries that holds LstmText.sln.</summary>
    public static string Root()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "LstmText.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("The test does not run inside the repository (LstmText.sln not found above it).");
    }
}
