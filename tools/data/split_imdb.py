#!/usr/bin/env python3
"""Splits the IMDb training half (../shared/data/imdb/train.csv, 25,000 reviews) into the 90 % / 10 % stratified
train / validation sets that docs/benchmarks.md uses, and writes the training reviews' text alone as the corpus
for the IMDb language model (so transfer never sees a validation review). `<br />` tags become line breaks.

Usage: python3 tools/data/split_imdb.py [SOURCE_CSV] [OUT_FOLDER]
Writes OUT_FOLDER/imdb-train.csv, imdb-valid.csv (columns sentiment,review), imdb-train-text.txt and
imdb-valid-text-200.txt (200 validation reviews, for the language model's validation only).
"""
import csv
import os
import random
import sys

here = os.path.dirname(__file__)
source = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "..", "shared", "data", "imdb", "train.csv")
out = sys.argv[2] if len(sys.argv) > 2 else "."
by_label = {}
with open(source, encoding="utf-8", newline="") as f:
    for number, row in enumerate(csv.DictReader(f), 2):
        if row["sentiment"] not in ("neg", "pos") or not row["review"].strip():
            sys.exit(f"{source}:{number}: no sentiment or no review")
        text = row["review"].replace("<br /><br />", "\n").replace("<br />", "\n").strip()
        by_label.setdefault(row["sentiment"], []).append(text)
random.seed(1)
train, valid = [], []
for label in sorted(by_label):
    reviews = by_label[label]
    random.shuffle(reviews)
    held = len(reviews) // 10
    valid += [(label, r) for r in reviews[:held]]
    train += [(label, r) for r in reviews[held:]]
random.shuffle(train)
os.makedirs(out, exist_ok=True)
for name, rows in (("imdb-train.csv", train), ("imdb-valid.csv", valid)):
    with open(os.path.join(out, name), "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["sentiment", "review"])
        writer.writerows(rows)
with open(os.path.join(out, "imdb-train-text.txt"), "w", encoding="utf-8") as f:
    for _, review in train:
        f.write(review.replace("\n", " ") + "\n")
held_out = list(valid)
random.Random(2).shuffle(held_out)
with open(os.path.join(out, "imdb-valid-text-200.txt"), "w", encoding="utf-8") as f:
    for _, review in held_out[:200]:
        f.write(review.replace("\n", " ") + "\n")
print(f"wrote {len(train)} training and {len(valid)} validation reviews to {os.path.normpath(out)}")
