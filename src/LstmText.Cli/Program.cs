using System.CommandLine;
using LstmText.Cli;

return await LstmTextCommandLine.Build().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(2) });
