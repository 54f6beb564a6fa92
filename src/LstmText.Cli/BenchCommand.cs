using System.CommandLine;

namespace LstmText.Cli;

/// <summary><c>lstmtext bench</c>: measures the engine's kernels; each benchmark is a sub-command.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure the speed of the engine's kernels.\nExample: lstmtext bench gemm --size 1024 --threads 2");
        bench.Subcommands.Add(GemmBenchCommand.Create());
        bench.Subcommands.Add(LstmBenchCommand.CreateLayer());
        bench.Subcommands.Add(LstmBenchCommand.CreateTraining());
        bench.Subcommands.Add(ClassifyBenchCommand.Create());
        bench.Subcommands.Add(GenerateBenchCommand.Create());
        foreach (var option in bench.Subcommands.SelectMany(command => command.Options))
        {
            RequireAtLeastOne(option);
        }
        return bench;
    }

    /// <summary>Every size and count of a benchmark is at least 1 (--threads 0 means all cores, --repeat 0 once).</summary>
    private static void RequireAtLeastOne(Option option)
    {
        if (option.Name is "--threads" or "--repeat")
        {
            return;
        }
        void Check(System.CommandLine.Parsing.OptionResult result, int? value)
        {
            if (value < 1) result.AddError($"{option.Name} must be at least 1, not {value}");
        }
        switch (option)
        {
            case Option<int> whole:
                whole.Validators.Add(result => Check(result, result.GetValueOrDefault<int>()));
                break;
            case Option<int?> maybe:
                maybe.Validators.Add(result => Check(result, result.GetValueOrDefault<int?>()));
                break;
        }
    }
}
