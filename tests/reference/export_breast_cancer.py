#!/usr/bin/env python3
"""Exports scikit-learn's breast-cancer data set (Debian python3-sklearn) to the CSV fixture the roc-pr-prg experiment
reads: the 30 features (names with spaces as underscores) and `malignant` (1 = malignant, the positive class; scikit-learn's
target is 0 for malignant). Run once to write the fixture; --check compares a fixture with scikit-learn's copy.

usage: export_breast_cancer.py PATH | export_breast_cancer.py --check PATH
"""
import csv
import sys

import numpy as np
from sklearn.datasets import load_breast_cancer


def table():
    data = load_breast_cancer()
    header = [name.replace(" ", "_") for name in data.feature_names] + ["malignant"]
    return header, data.data, (data.target == 0).astype(int)


def main():
    header, features, malignant = table()
    if sys.argv[1] == "--check":
        with open(sys.argv[2], newline="") as f:
            rows = list(csv.reader(f))
        ok = rows[0] == header and np.array_equal(np.array(rows[1:], dtype=float), np.column_stack([features, malignant]))
        print("same" if ok else "different")
        sys.exit(0 if ok else 1)

    with open(sys.argv[1], "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for row, label in zip(features, malignant):
            writer.writerow([repr(float(v)) for v in row] + [int(label)])


if __name__ == "__main__":
    main()
