#!/usr/bin/env python3
"""Turns the Stanford Sentiment Treebank files of ../shared/data/sst2 and sst5 into TSV files (columns
label<TAB>sentence) whose text reads like ordinary English, so that a model trained on them also reads raw review
text, and so that SST and IMDb (or any other raw text) share one word vocabulary.

SST is tokenised PTB-style and lower-cased: "does n't", "it 's", "-lrb- sic -rrb-", "`` quoted ''". This script
rejoins the clitics ("doesn't", "it's", "can't", "won't"), turns the bracket and quote tokens back into
characters, and leaves everything else (lower case, spaces around punctuation) as it is: LstmText's
words-and-punctuation tokenizer splits punctuation anyway. Labels 0/1 of SST-2 become `neg`/`pos` (IMDb's
names, so that an IMDb classifier can be fine-tuned on SST); SST-5's 0-4 stay as they are.

Usage: python3 tools/data/prepare_sst.py INPUT OUTPUT.tsv
INPUT is either a `label sentence` file (Kim's train.txt / dev.txt) or GLUE's glue-train.tsv / glue-dev.tsv.
"""
import csv
import re
import sys

CLITICS = re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m)\b")
TOKENS = {"-lrb-": "(", "-rrb-": ")", "-lsb-": "[", "-rsb-": "]", "-lcb-": "{", "-rcb-": "}", "``": '"', "''": '"'}


def detokenize(text):
    words = [TOKENS.get(word, word) for word in text.split()]
    return CLITICS.sub(r"\1", " ".join(words))


def rows(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    glue = lines and lines[0].split("\t")[0] == "label"
    for number, line in enumerate(lines[1:] if glue else lines, 2 if glue else 1):
        if not line.strip():
            continue
        label, sep, text = line.partition("\t" if glue else " ")
        if not sep or not label.strip().isdigit() or not text.strip():
            sys.exit(f"{path}:{number}: expected a numeric label and a sentence")
        yield label.strip(), text.strip()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, target = sys.argv[1], sys.argv[2]
    data = list(rows(source))
    binary = {label for label, _ in data} <= {"0", "1"}
    with open(target, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t", lineterminator="\n")  # quotes a sentence that holds a '"'
        writer.writerow(["label", "sentence"])
        for label, text in data:
            writer.writerow([{"0": "neg", "1": "pos"}[label] if binary else label, detokenize(text)])
    print(f"{target}: {len(data)} rows", file=sys.stderr)


if __name__ == "__main__":
    main()
