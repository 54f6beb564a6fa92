#!/usr/bin/env python3
"""The text for the sentiment language model (issue 10, ULMFiT-style transfer): every training text of
tools/data/prepare_sentiment.py's splits, one document per line, shuffled with a fixed seed, and 200 held-out
validation reviews for the LM's validation. Nothing held out for the classifier's tests enters the corpus.

- IMDb: train-imdb.csv (the 21,500 training reviews).
- SST: the SST-5 training sentences (a superset of SST-2's), minus the 500 SST sentences of validation.tsv and any
  SST-2 dev sentence (none is, as the splits differ; checked).
- UCI: train-uci.tsv.

Usage: python3 tools/data/make_sentiment_lm_corpus.py ../shared/data sentiment-data sentiment-lm
Writes sentiment-lm/lm-train.txt and sentiment-lm/lm-valid.txt.
"""
import csv
import os
import random
import sys

def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    shared, splits, out = sys.argv[1:]
    csv.field_size_limit(10**9)
    os.makedirs(out, exist_ok=True)
    docs = [r["text"] for r in csv.DictReader(open(os.path.join(splits, "train-imdb.csv"), encoding="utf-8"))]
    held = set()
    with open(os.path.join(splits, "validation-sst.tsv"), encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            held.add(r["text"].replace("\\/", "/").strip())
    with open(os.path.join(shared, "sst2", "dev.txt"), encoding="utf-8") as f:
        held.update(line.split(" ", 1)[1].strip() for line in f)
    with open(os.path.join(shared, "sst5", "train.txt"), encoding="utf-8") as f:
        for line in f:
            sentence = line.split(" ", 1)[1].strip()
            if sentence not in held and sentence.replace("\\/", "/") not in held:
                docs.append(sentence)
    with open(os.path.join(splits, "train-uci.tsv"), encoding="utf-8") as f:
        docs.extend(r["text"] for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    random.seed(1)
    random.shuffle(docs)
    with open(os.path.join(out, "lm-train.txt"), "w", encoding="utf-8") as f:
        for d in docs:
            f.write(d.replace("\n", " ") + "\n")
    with open(os.path.join(splits, "validation-imdb.tsv"), encoding="utf-8") as f:
        valid = [r["text"] for r in csv.DictReader(f, delimiter="\t")][:200]
    with open(os.path.join(out, "lm-valid.txt"), "w", encoding="utf-8") as f:
        for d in valid:
            f.write(d.replace("\n", " ") + "\n")
    print(f"{len(docs)} documents in lm-train.txt, {len(valid)} in lm-valid.txt")

if __name__ == "__main__":
    main()
