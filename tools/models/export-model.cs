#:project ../../src/LstmText/LstmText.csproj
#:property PublishAot=false
// Writes a checkpoint's (or any model file's) weights, config, tokenizer and training record as a plain model
// file: what the bundled models in corpora/ are made from (their best checkpoint, without optimizer state).
// Usage: dotnet run tools/models/export-model.cs -- CHECKPOINT.safetensors OUT.safetensors
using LstmText.IO;
using LstmText.Models;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: dotnet run tools/models/export-model.cs -- CHECKPOINT.safetensors OUT.safetensors");
    return 2;
}
var kind = ModelFile.Read(args[0]).Config.Kind;
if (kind == "classifier") TextClassifier.Load(args[0]).Save(args[1]);
else LanguageModel.Load(args[0]).Save(args[1]);
Console.Error.WriteLine($"{args[0]} ({kind}) -> {args[1]}: {new FileInfo(args[1]).Length:N0} bytes");
return 0;
