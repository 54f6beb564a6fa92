using System.CommandLine;
using LstmText.Cli;

using var output = StandardOutput.Open();
return await LstmTextCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = output, ProcessTerminationTimeout = TimeSpan.FromMinutes(2) });
