using GenerateText;

return await TrainAndGenerate.RunAsync(args, Console.Out, Console.Error);
