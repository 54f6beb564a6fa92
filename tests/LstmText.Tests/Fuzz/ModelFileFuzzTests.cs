using System.Buffers.Binary;
using System.Text;
using FsCheck.Fluent;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tensors;
using LstmText.Tokenizers;
using LstmText.Tests.IO;

namespace LstmText.Tests.Fuzz;

/// <summary>Valid model files of each kind and tokenizer, written once for every fuzz property of the class.</summary>
public sealed class FuzzSeedFiles : IDisposable
{
    private const string Corpus =
        "the cat sat on the mat. the dog sat on the log. a cat and a dog met on the mat by the log. Zürich, été, 😀! ";

    public FuzzSeedFiles()
    {
        var lmPath = Folder.File("char-lm.safetensors");
        LanguageModel.Create(CharTokenizer.Build([Corpus]), new LanguageModelArchitecture(CharTokenizer.Build([Corpus]).VocabularySize, 6, 6, 2), 5)
            .Save(lmPath);
        var bpe = BpeTokenizer.Train([Corpus, Corpus], new BpeTrainingOptions { VocabularySize = 280 });
        var bpePath = Folder.File("bpe-lm.safetensors");
        LanguageModel.Create(bpe, new LanguageModelArchitecture(bpe.VocabularySize, 6, 6, 1, TieWeights: true), 5).Save(bpePath);
        var words = WordTokenizer.Build([Corpus]);
        var classifierPath = Folder.File("word-classifier.safetensors");
        new TextClassifier(words, ["negative", "neutral", "positive"], new TextClassifierArchitecture
        {
            EmbeddingSize = 5, HiddenSize = 4, Layers = 2, Bidirectional = true, Pooling = SequencePooling.Attention, HeadHiddenSize = 3,
        }, new RandomSource(5)).Save(classifierPath);
        var concatPath = Folder.File("char-classifier.safetensors");
        new TextClassifier(CharTokenizer.Build([Corpus]), ["no", "yes"], new TextClassifierArchitecture
        {
            EmbeddingSize = 4, HiddenSize = 4, Pooling = SequencePooling.Concat,
        }, new RandomSource(5)).Save(concatPath);
        Seeds = [(lmPath, false), (bpePath, false), (classifierPath, true), (concatPath, true)];
    }

    public TemporaryFolder Folder { get; } = new();

    /// <summary>The seed files and whether each is a classifier (else a language model).</summary>
    public IReadOnlyList<(string Path, bool Classifier)> Seeds { get; }

    public void Dispose() => Folder.Dispose();
}

/// <summary>
/// Fuzzing (issue 11, item 10): valid model files and tokenizer JSON, mutated — bits flipped, cut short, header numbers,
/// shapes, offsets and config values changed, JSON values removed or retyped — must each give a usable model (or
/// tokenizer) or one of the documented exceptions, within a memory bound and without hanging. Cases per property:
/// <see cref="FuzzSettings.IterationsVariable"/>.
/// </summary>
[Trait("Category", FuzzSettings.Category)]
public sealed class ModelFileFuzzTests(FuzzSeedFiles seeds) : IClassFixture<FuzzSeedFiles>
{
    private const int MutationKinds = 6;
    private const string SampleText = "the cat sat on the mat, Zürich 😀 été";

    /// <summary>Applies mutation <paramref name="kind"/> to a valid file's bytes.</summary>
    private static byte[] Mutate(byte[] file, int kind, Random random)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        switch (kind)
        {
            case 0: // bit flips anywhere
            {
                var bytes = (byte[])file.Clone();
                for (int i = 0, n = 1 + random.Next(8); i < n; i++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            }
            case 1: // bit flips in the length prefix and header
            {
                var bytes = (byte[])file.Clone();
                for (int i = 0, n = 1 + random.Next(4); i < n; i++) bytes[random.Next(8 + headerLength)] ^= (byte)(1 << random.Next(8));
                return bytes;
            }
            case 2: // cut short
                return file[..random.Next(file.Length)];
            case 3: // grown: garbage appended, or a length prefix that lies
            {
                if (random.Next(2) == 0) return [.. file, .. Enumerable.Range(0, 1 + random.Next(64)).Select(_ => (byte)random.Next(256))];
                var bytes = (byte[])file.Clone();
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(headerLength + random.Next(-16, 17)));
                return bytes;
            }
            default: // the header's JSON: numbers (shapes, offsets, config values), types, keys; the metadata JSON inside it
            {
                string header = Encoding.UTF8.GetString(file, 8, headerLength);
                string mutated = JsonMutation.Mutate(header, random, intoJsonStrings: true);
                byte[] headerBytes = Encoding.UTF8.GetBytes(mutated);
                var result = new byte[8 + headerBytes.Length + file.Length - 8 - headerLength];
                BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)headerBytes.Length);
                headerBytes.CopyTo(result, 8);
                file.AsSpan(8 + headerLength).CopyTo(result.AsSpan(8 + headerBytes.Length));
                return result;
            }
        }
    }

    [Fact]
    public void Mutated_model_files_load_as_models_or_fail_with_a_documented_exception()
    {
        var originals = seeds.Seeds.Select(s => (s.Path, s.Classifier, Bytes: File.ReadAllBytes(s.Path))).ToArray();
        string path = seeds.Folder.File("mutated.safetensors");
        var property = FsCheck.Fluent.Prop.ForAll(FuzzSettings.Mutations(MutationKinds * originals.Length), mutation =>
        {
            var (seedPath, classifier, bytes) = originals[mutation.Kind % originals.Length];
            int kind = mutation.Kind / originals.Length;
            var mutated = Mutate(bytes, kind, new Random(mutation.Seed));
            File.WriteAllBytes(path, mutated);
            string description = $"{Path.GetFileName(seedPath)} mutation {kind} seed {mutation.Seed}";
            // Reading the file, the weights, their gradients and the tokenizer: a small multiple of the file, whatever it claims.
            long bound = 12L * mutated.Length + 8_000_000;
            bool loaded = false;
            var error = FuzzSettings.RunBounded(description, bound, () =>
            {
                if (classifier)
                {
                    var model = TextClassifier.Load(path);
                    loaded = true;
                    model.Predict(SampleText);
                }
                else
                {
                    var model = LanguageModel.Load(path);
                    loaded = true;
                    model.ComputeLogits(model.Tokenizer.Encode(SampleText).Take(8).ToArray());
                }
            });
            // Loading fails only with the format exceptions; a loaded model whose (mutated) tokenizer has no unknown token
            // may refuse text it cannot encode, with the ArgumentException that Encode documents.
            bool documented = loaded ? error is ArgumentException : error is SafeTensorsFormatException or ModelFileFormatException;
            if (error is not null && !documented)
                throw new Xunit.Sdk.XunitException($"{description}: {error.GetType().Name}: {error.Message}\n{error.StackTrace}");
        });
        FsCheck.Check.One(FuzzSettings.Config(ciDefault: 150), property);
    }

    [Fact]
    public void Mutated_tokenizer_json_loads_as_a_working_tokenizer_or_fails_with_a_tokenizer_format_exception()
    {
        var originals = seeds.Seeds.Select(s => ModelFile.Read(s.Path).Tokenizer!).Distinct().ToArray();
        var property = FsCheck.Fluent.Prop.ForAll(FuzzSettings.Mutations(2 * originals.Length), mutation =>
        {
            string json = originals[mutation.Kind % originals.Length];
            var random = new Random(mutation.Seed);
            string mutated = mutation.Kind / originals.Length == 0
                ? JsonMutation.Mutate(json, random, intoJsonStrings: false)
                : JsonMutation.MutateText(json, random);
            string description = $"tokenizer {mutation.Kind % originals.Length} mutation {mutation.Kind / originals.Length} seed {mutation.Seed}";
            bool loaded = false;
            var error = FuzzSettings.RunBounded(description, 40L * mutated.Length + 8_000_000, () =>
            {
                var tokenizer = Tokenizer.FromJson(mutated);
                loaded = true;
                var ids = tokenizer.Encode(SampleText);
                tokenizer.Decode(ids);
            });
            bool documented = loaded ? error is ArgumentException : error is TokenizerFormatException;
            if (error is not null && !documented)
                throw new Xunit.Sdk.XunitException($"{description}: {error.GetType().Name}: {error.Message}\n{error.StackTrace}");
        });
        FsCheck.Check.One(FuzzSettings.Config(ciDefault: 150), property);
    }
}
