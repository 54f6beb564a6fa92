using ClassifyCsv;

return LabelTable.Run(args, Console.Error);
