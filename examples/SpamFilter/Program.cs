using SpamFilter;

return await TrainAndFilter.RunAsync(args, Console.Out, Console.Error);
