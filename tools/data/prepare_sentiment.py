#!/usr/bin/env python3
"""Makes the training, validation and test files of the bundled sentiment model (corpora/README.md) from the
labelled data we may use: IMDb's training half (Maas et al. 2011), SST-2's GLUE phrases (Socher et al. 2013) and
the UCI sentences (Kotzias et al. 2015). Every label becomes `negative`/`positive`; texts stay as distributed
(SST keeps its treebank tokens: the tokenizer's `--normalize treebank` reads them like plain text), except that
IMDb's `<br />` tags become spaces.

Held out, never trained on:
- test: IMDb: the 2,500 reviews (10 %, stratified) that tools/data/split_imdb.py holds out, the same seed, so the
  numbers compare with docs/benchmarks.md; SST-2: GLUE's dev set (872 sentences); UCI: 20 % of each label within
  each source (600 sentences).
- validation (for the checkpoint score and the temperature): 1,000 further IMDb reviews (500 per label); 500 SST
  training sentences (Kim's train.txt, 250 per label), with every GLUE phrase of three words or more that occurs
  inside one of them removed from the training phrases; 240 further UCI sentences (8 % of each label and source).

Usage: python3 tools/data/prepare_sentiment.py [SHARED_DATA] [UCI_TSV] [OUT_FOLDER]
Writes OUT_FOLDER/train-imdb.csv, train-sst2.tsv, train-uci.tsv (each UCI sentence twice), validation.tsv,
test-imdb.csv, test-sst2.tsv, test-uci.tsv; columns label and text.
"""
import csv
import os
import random
import sys

here = os.path.dirname(os.path.abspath(__file__))
shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "..", "shared", "data")
uci_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "..", "corpora", "sentiment", "uci-sentences.tsv")
out = sys.argv[3] if len(sys.argv) > 3 else "sentiment-data"
NAMES = {"neg": "negative", "pos": "positive", "0": "negative", "1": "positive", "negative": "negative", "positive": "positive"}


def write(name, rows, delimiter):
    with open(os.path.join(out, name), "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=delimiter, lineterminator="\n")
        writer.writerow(["label", "text"])
        writer.writerows(rows)
    print(f"{name}: {len(rows)} rows", file=sys.stderr)


def imdb():
    """split_imdb.py's split (seed 1, the first tenth of each shuffled label held out), then 500 per label more."""
    by_label = {}
    with open(os.path.join(shared, "imdb", "train.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            text = row["review"].replace("<br /><br />", "\n").replace("<br />", "\n").strip()
            by_label.setdefault(row["sentiment"], []).append(text)
    random.seed(1)
    train, valid, test = [], [], []
    for label in sorted(by_label):
        reviews = by_label[label]
        random.shuffle(reviews)
        held = len(reviews) // 10
        test += [(NAMES[label], r) for r in reviews[:held]]
        rest = [(NAMES[label], r) for r in reviews[held:]]
        valid += rest[:500]
        train += rest[500:]
    random.Random(3).shuffle(train)
    flat = lambda rows: [(label, " ".join(text.split())) for label, text in rows]
    return flat(train), flat(valid), flat(test)


def sst():
    phrases = []
    with open(os.path.join(shared, "sst2", "glue-train.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            label, _, text = line.rstrip("\n").partition("\t")
            phrases.append((NAMES[label], text.strip()))
    sentences = {"negative": [], "positive": []}
    with open(os.path.join(shared, "sst2", "train.txt"), encoding="utf-8") as f:
        for line in f:
            label, _, text = line.strip().partition(" ")
            sentences[NAMES[label]].append(text.strip())
    rng = random.Random(4)
    held = []
    for label in sorted(sentences):
        rng.shuffle(sentences[label])
        held += [(label, s) for s in sentences[label][:250]]
    haystack = "\n".join(" " + s + " " for _, s in held)
    kept = [(label, p) for label, p in phrases if len(p.split()) < 3 or (" " + p + " ") not in haystack]
    print(f"SST-2: {len(phrases) - len(kept)} of {len(phrases)} phrases lie inside the 500 validation sentences and were removed", file=sys.stderr)
    dev = []
    with open(os.path.join(shared, "sst2", "glue-dev.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            label, _, text = line.rstrip("\n").partition("\t")
            dev.append((NAMES[label], text.strip()))
    return kept, held, dev


def uci():
    groups = {}
    with open(uci_path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            groups.setdefault((row["source"], row["label"]), []).append((NAMES[row["label"]], row["text"].strip()))
    rng = random.Random(5)
    train, valid, test = [], [], []
    for key in sorted(groups):
        rows = groups[key]
        rng.shuffle(rows)
        n_test, n_valid = len(rows) // 5, len(rows) * 2 // 25
        test += rows[:n_test]
        valid += rows[n_test:n_test + n_valid]
        train += rows[n_test + n_valid:]
    rng.shuffle(train)
    return train, valid, test


os.makedirs(out, exist_ok=True)
imdb_train, imdb_valid, imdb_test = imdb()
sst_train, sst_valid, sst_test = sst()
uci_train, uci_valid, uci_test = uci()
write("train-imdb.csv", imdb_train, ",")
write("train-sst2.tsv", sst_train, "\t")
write("train-uci.tsv", uci_train + uci_train, "\t")
write("validation.tsv", imdb_valid + sst_valid + uci_valid, "\t")
write("test-imdb.csv", imdb_test, ",")
write("test-sst2.tsv", sst_test, "\t")
write("test-uci.tsv", uci_test, "\t")
