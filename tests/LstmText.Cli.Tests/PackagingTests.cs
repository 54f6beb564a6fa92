using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace LstmText.Cli.Tests;

/// <summary>
/// Packs the two packages from the build these tests run on (<c>dotnet pack --no-build</c>, into a temporary folder
/// with a version of its own, so NuGet's caches never serve an older pack) and uses them as a new user would: the
/// tool installed into a temporary tool path and run from an empty folder elsewhere, the library restored into a
/// fresh console project that trains a tiny classifier and language model and runs the package README's snippets.
/// </summary>
public sealed partial class PackagingTests : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);
    private readonly string _folder = Directory.CreateTempSubdirectory("lstmtext-pack-").FullName;
    private readonly string _version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_tool_package_installs_the_lstmtext_command_with_its_bundled_models()
    {
        var feed = Pack("src/LstmText.Cli/LstmText.Cli.csproj");
        var package = Path.Combine(feed, $"LstmText.Cli.{_version}.nupkg");
        using (var zip = ZipFile.OpenRead(package))
        {
            var metadata = Metadata(zip, "LstmText.Cli");
            Assert.Equal("MIT", metadata.License);
            Assert.Contains("DotnetTool", metadata.PackageTypes);
            var settings = XDocument.Parse(Read(zip, "tools/net10.0/any/DotnetToolSettings.xml"));
            Assert.Equal("lstmtext", settings.Descendants("Command").Single().Attribute("Name")?.Value);
            Assert.NotNull(zip.GetEntry("tools/net10.0/any/corpora/shakespeare/shakespeare-char.safetensors"));
            Assert.NotNull(zip.GetEntry("tools/net10.0/any/corpora/sentiment/sentiment.safetensors"));
        }

        var tools = Path.Combine(_folder, "tools");
        var install = Dotnet(_folder, "tool", "install", "--tool-path", tools, "--add-source", feed, "LstmText.Cli", "--version", _version);
        Assert.Contains("lstmtext", install);

        // An empty folder outside the repository: the models can only come from inside the installed tool.
        var elsewhere = Directory.CreateDirectory(Path.Combine(_folder, "elsewhere")).FullName;
        var lstmtext = Path.Combine(tools, OperatingSystem.IsWindows() ? "lstmtext.exe" : "lstmtext");
        Assert.StartsWith("0.1.0", Run(lstmtext, elsewhere, "--version").Trim());
        Assert.Contains("lstmtext [command] [options]", Run(lstmtext, elsewhere, "--help"));

        var generated = Run(lstmtext, elsewhere, "generate", "--prompt", "ROMEO:", "--max-tokens", "50", "--seed", "1");
        Assert.Equal(50, generated.TrimEnd('\n').Length);
        var (_, inProcess, _) = CommandLine.Run("generate", "--prompt", "ROMEO:", "--max-tokens", "50", "--seed", "1");
        Assert.Equal(inProcess, generated);

        Assert.StartsWith("positive\t", Run(lstmtext, elsewhere, "classify", "--text", "a wonderful, moving film"));
    }

    [Fact]
    public void The_library_package_restores_into_a_fresh_project_that_trains_both_kinds_of_model()
    {
        var feed = Pack("src/LstmText/LstmText.csproj");
        string readme;
        using (var zip = ZipFile.OpenRead(Path.Combine(feed, $"LstmText.{_version}.nupkg")))
        {
            var metadata = Metadata(zip, "LstmText");
            Assert.Equal("MIT", metadata.License);
            Assert.Equal("README.md", metadata.Readme);
            Assert.Contains("lstm", metadata.Tags.Split(' '));
            Assert.Contains("LSTM", metadata.Description);
            Assert.Contains("System.Numerics.Tensors", metadata.Dependencies);
            Assert.NotNull(zip.GetEntry("lib/net10.0/LstmText.dll"));
            Assert.NotNull(zip.GetEntry("lib/net10.0/LstmText.xml"));
            readme = Read(zip, "README.md");
        }
        using (var symbols = ZipFile.OpenRead(Path.Combine(feed, $"LstmText.{_version}.snupkg")))
            Assert.NotNull(symbols.GetEntry("lib/net10.0/LstmText.pdb"));

        var project = Directory.CreateDirectory(Path.Combine(_folder, "consumer")).FullName;
        WriteConsumer(project, feed, readme);
        Dotnet(project, "restore");
        var output = Dotnet(project, "run", "--no-restore", "-c", "Release", "-p:UseSharedCompilation=false");

        Assert.Contains("classes: negative,positive", output);
        var accuracy = double.Parse(Regex.Match(output, @"accuracy: ([0-9.]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(accuracy >= 0.9, output);
        Assert.Contains("own prediction: positive", output);
        Assert.Contains("language model steps: 40", output);
        // The README's "Generate text" and "Classify" snippets, run on the two models just saved.
        var generated = Regex.Match(output, "--- Generate text\n(.*)\n--- Classify", RegexOptions.Singleline).Groups[1].Value;
        Assert.StartsWith("ROMEO:", generated);
        Assert.True(generated.Length > "ROMEO:".Length + 20, output);
        Assert.All(generated, c => Assert.Contains(c, ConsumerCorpus));
        Assert.Matches(@"--- Classify\npositive \(\d+\s?%\)\n", output);
    }

    private const string ConsumerCorpus = "ROMEO: the cat sat on the mat.\nJULIET: the dog sat on the log.\n";

    /// <summary>
    /// A console project outside the repository (so none of its build files apply) that references exactly this pack
    /// from <paramref name="feed"/> and takes its dependencies from the usual sources. Packages restore into a folder
    /// of its own, reading the machine's package folder as a fallback, so the user's cache never holds the test pack.
    /// </summary>
    private void WriteConsumer(string project, string feed, string readme)
    {
        foreach (var name in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
            File.WriteAllText(Path.Combine(project, name), "<Project />\n");
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string fallback = Directory.Exists(globalPackages) ? $"<RestoreFallbackFolders>{globalPackages}</RestoreFallbackFolders>" : "";
        File.WriteAllText(Path.Combine(project, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RestorePackagesPath>{Path.Combine(_folder, "packages")}</RestorePackagesPath>
                {fallback}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="LstmText" Version="[{_version}]" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="lstmtext-test-pack" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(project, "Program.cs"), $$"""
            using LstmText.Data;
            using LstmText.Models;

            // A tiny separable sentiment set: praise against complaints, among filler words.
            string[] filler = ["the", "film", "was", "a", "plot", "story", "really", "cast", "and", "so", "moving"];
            string[] praise = ["good", "great", "wonderful"], complaints = ["bad", "awful", "dull"];
            var random = new Random(7);
            var examples = new List<LabelledExample>();
            for (int i = 0; i < 48; i++)
            {
                bool negative = i % 2 == 0;
                var words = Enumerable.Range(0, 2 + random.Next(5)).Select(_ => filler[random.Next(filler.Length)]).ToList();
                words.Insert(random.Next(words.Count + 1), (negative ? complaints : praise)[i % 3]);
                examples.Add(new LabelledExample(string.Join(' ', words), negative ? "negative" : "positive", i + 2));
            }
            var classifier = TextClassifier.Configure().WordLevel().Embedding(8).Lstm(8, bidirectional: true)
                .Train(examples, t => t.Epochs(12).BatchSize(8).LearningRate(0.02f).Seed(1).SaveTo("sentiment.safetensors"));
            Console.WriteLine($"classes: {string.Join(",", classifier.ClassNames)}");
            Console.WriteLine(FormattableString.Invariant($"accuracy: {classifier.Evaluate(examples).Accuracy:F3}"));
            Console.WriteLine($"own prediction: {classifier.Predict("a wonderful, moving film").Label}");

            var corpus = string.Concat(Enumerable.Repeat({{Quote(ConsumerCorpus)}}, 8));
            var model = LanguageModel.Configure().CharacterLevel().Embedding(8).Lstm(16, layers: 1)
                .Train(corpus, t => t.MaxSteps(40).BatchSize(4).SequenceLength(16).LearningRate(1e-2f).Seed(1).SaveTo("shakespeare.safetensors"));
            Console.WriteLine($"language model steps: {model.Training!.Steps}");

            Console.WriteLine("--- Generate text");
            ReadmeSnippets.GenerateText();
            Console.WriteLine("--- Classify");
            ReadmeSnippets.Classify();
            Console.WriteLine("--- end");
            """);
        File.WriteAllText(Path.Combine(project, "ReadmeSnippets.cs"), SnippetsAsMethods(readme));
    }

    /// <summary>
    /// The README's C# blocks, each as a method named after its heading ("Generate text" → GenerateText), with their
    /// using directives on top: they must compile against the package; the test runs the two that need no data files.
    /// </summary>
    private static string SnippetsAsMethods(string readme)
    {
        var usings = new SortedSet<string>(StringComparer.Ordinal);
        var methods = new StringBuilder();
        string? heading = null;
        var names = new List<string>();
        foreach (Match block in SnippetOrHeading().Matches(readme.ReplaceLineEndings("\n")))
        {
            if (block.Groups["heading"].Success) { heading = block.Groups["heading"].Value.Trim(); continue; }
            var name = string.Concat(heading!.Split(' ').Select(word => char.ToUpperInvariant(word[0]) + word[1..]));
            names.Add(name);
            methods.Append(CultureInfo.InvariantCulture, $"    public static void {name}()\n    {{\n");
            foreach (var line in block.Groups["code"].Value.Split('\n'))
            {
                if (line.StartsWith("using ", StringComparison.Ordinal)) usings.Add(line);
                else methods.Append("        ").Append(line).Append('\n');
            }
            methods.Append("    }\n");
        }
        Assert.Equal(["GenerateText", "Classify", "Train"], names);
        return string.Join("\n", usings) + "\n\ninternal static class ReadmeSnippets\n{\n" + methods + "}\n";
    }

    [GeneratedRegex("^## (?<heading>[^\n]+)$|^```csharp\n(?<code>.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex SnippetOrHeading();

    private static string Quote(string text) => "\"" + text.Replace("\n", "\\n") + "\"";

    /// <summary>Packs <paramref name="project"/> (relative to the repository) from the configuration these tests were built in, without building it again.</summary>
    private string Pack(string project)
    {
        var feed = Path.Combine(_folder, "feed");
        var configuration = typeof(PackagingTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        Dotnet(RepositoryRoot(), "pack", project, "-c", configuration, "--no-build", "-o", feed,
            $"-p:PackageVersion={_version}", $"-p:NuspecOutputPath={Path.Combine(_folder, "nuspec")}");
        return feed;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LstmText.sln"))) return dir.FullName;
        throw new InvalidOperationException("LstmText.sln not found above " + AppContext.BaseDirectory);
    }

    private static string Dotnet(string workingDirectory, params string[] args) => Run("dotnet", workingDirectory, args);

    /// <summary>Runs a program to its end and returns its standard output; a non-zero exit fails the test with both streams.</summary>
    private static string Run(string program, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(program, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The test host's MSBuild and test-platform variables would steer the nested dotnet; a clean shell has none.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} ran past {CommandTimeout}:\n{output.Result}\n{error.Result}");
        }
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {process.ExitCode}:\n{output.Result}\n{error.Result}");
        return output.Result.ReplaceLineEndings("\n");
    }

    private static string Read(ZipArchive zip, string entry)
    {
        using var reader = new StreamReader(zip.GetEntry(entry)?.Open() ?? throw new InvalidOperationException($"{entry} is not in the package"));
        return reader.ReadToEnd();
    }

    private static PackageMetadata Metadata(ZipArchive zip, string id)
    {
        var nuspec = XDocument.Parse(Read(zip, id + ".nuspec"));
        XNamespace ns = nuspec.Root!.GetDefaultNamespace();
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        string Value(string name) => metadata.Element(ns + name)?.Value ?? "";
        return new PackageMetadata(Value("license"), Value("readme"), Value("tags"), Value("description"),
            string.Join(" ", metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")?.Value)),
            string.Join(" ", metadata.Descendants(ns + "packageType").Select(p => p.Attribute("name")?.Value)));
    }

    private sealed record PackageMetadata(string License, string Readme, string Tags, string Description, string Dependencies, string PackageTypes);
}
