#!/usr/bin/env python3
"""TF-IDF + logistic regression baseline for the bundled sentiment model (docs/benchmarks.md, section Sentiment).

Trained on the same labelled files as the model (tools/data/prepare_sentiment.py writes them), with the inverse
regularisation strength C picked on the validation file only, then scored on each held-out test file.
Features: lower-cased word 1- and 2-grams (words of one letter or more, plus ! and ?), sublinear tf, idf,
min_df 2; treebank tokens (-lrb-, ``, "does n't") are read like plain text first, as the model's tokenizer does.

Usage: python3 tools/baselines/tfidf_lr.py --train A.csv B.tsv ... --validation V.tsv --test T1.csv T2.tsv ... [--json OUT.json]
Each file has a header with the columns label and text (CSV or TSV by extension).
"""
import argparse
import csv
import json
import re
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

csv.field_size_limit(sys.maxsize)
TREEBANK = {"-lrb-": "(", "-rrb-": ")", "-lsb-": "[", "-rsb-": "]", "-lcb-": "{", "-rcb-": "}", "``": '"', "''": '"'}
CLITICS = re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m)\b")


def plain(text):
    words = [TREEBANK.get(w.lower(), w) for w in text.split()]
    return CLITICS.sub(r"\1", " ".join(words)).replace("\u2019", "'")


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t" if path.endswith(".tsv") else ","))
    return [plain(r["text"]) for r in rows], [r["label"] for r in rows]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", nargs="+", required=True)
    parser.add_argument("--validation", required=True)
    parser.add_argument("--test", nargs="+", required=True)
    parser.add_argument("--json")
    args = parser.parse_args()
    start = time.time()
    texts, labels = [], []
    for path in args.train:
        t, l = read(path)
        texts += t
        labels += l
    vectorizer = TfidfVectorizer(lowercase=True, ngram_range=(1, 2), sublinear_tf=True, min_df=2,
                                 token_pattern=r"(?u)\b\w[\w']*\b|[!?]")
    x = vectorizer.fit_transform(texts)
    valid_texts, valid_labels = read(args.validation)
    xv = vectorizer.transform(valid_texts)
    best = None
    for c in (0.25, 0.5, 1, 2, 4, 8, 16, 32):
        model = LogisticRegression(C=c, solver="liblinear", max_iter=1000).fit(x, labels)
        accuracy = accuracy_score(valid_labels, model.predict(xv))
        print(f"C={c}: validation accuracy {accuracy:.4f}", file=sys.stderr)
        if best is None or accuracy > best[0]:
            best = (accuracy, c, model)
    accuracy, c, model = best
    result = {"train_examples": len(texts), "features": x.shape[1], "C": c, "validation_accuracy": accuracy, "test": {}}
    for path in args.test:
        t, l = read(path)
        predicted = model.predict(vectorizer.transform(t))
        result["test"][path] = {"examples": len(t), "accuracy": accuracy_score(l, predicted),
                                "macro_f1": f1_score(l, predicted, average="macro")}
    result["seconds"] = round(time.time() - start, 1)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
