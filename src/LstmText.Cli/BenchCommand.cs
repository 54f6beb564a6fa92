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
        return bench;
    }
}
