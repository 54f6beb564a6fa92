#!/usr/bin/env python3
"""Builds corpora/sentiment/uci-sentences.tsv from the UCI Sentiment Labelled Sentences (Kotzias et al. 2015,
CC BY 4.0): the Amazon, IMDb and Yelp files, 3,000 sentences, with the labels named negative/positive.

Usage: python3 tools/data/prepare_uci_sentiment.py [../shared/data/uci-sentiment]
"""
import csv
import os
import sys

source = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "uci-sentiment")
target = os.path.join(os.path.dirname(__file__), "..", "..", "corpora", "sentiment", "uci-sentences.tsv")
names = {"0": "negative", "1": "positive"}
rows = []
for name in ("amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt"):
    with open(os.path.join(source, name), encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            text, _, label = line.rstrip("\n").rpartition("\t")
            if label.strip() not in names or not text.strip():
                sys.exit(f"{name}:{number}: not 'sentence<TAB>0|1'")
            rows.append((text.strip(), names[label.strip()], name.split("_")[0]))
with open(target, "w", encoding="utf-8", newline="") as f:
    writer = csv.writer(f, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["text", "label", "source"])
    writer.writerows(rows)
print(f"wrote {len(rows)} sentences to {os.path.normpath(target)}")
