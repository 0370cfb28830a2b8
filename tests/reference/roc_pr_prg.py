#!/usr/bin/env python3
"""Independent reference for the roc-pr-prg experiment.

Reads DIR/scores.csv (classifier, sample, malignant, score on the test set) and prints, per classifier, scikit-learn's
roc_auc_score and average_precision_score, and the area under the precision-recall-gain curve computed by
calc_auprg below (written after Flach and Kull, "Precision-Recall-Gain Curves: PR Analysis Done Right", NIPS 2015, and
their prg package). It also fits scikit-learn's LogisticRegression (C = 1, standardised features) on the samples that
are not in the test set and prints its test log-odds, to check the experiment's own logistic regression.

usage: roc_pr_prg.py DIR FIXTURE
"""
import csv
import json
import os
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.preprocessing import StandardScaler


def prg_points(labels, scores):
    """Contingency counts at each distinct threshold, highest first, with the empty classifier in front."""
    order = np.argsort(-scores, kind="mergesort")
    s, y = scores[order], labels[order]
    last_of_tie = np.append(s[1:] != s[:-1], True)
    tp = np.append(0, np.cumsum(y)[last_of_tie]).astype(float)
    fp = np.append(0, np.cumsum(1 - y)[last_of_tie]).astype(float)
    return tp, fp


def calc_auprg(labels, scores):
    pos = float(labels.sum())
    neg = float(len(labels)) - pos
    tp, fp = prg_points(labels, scores)

    def gains(t, f):
        with np.errstate(divide="ignore", invalid="ignore"):
            precision_gain = 1 - (pos / neg) * (f / t)
            recall_gain = 1 - (pos / neg) * ((pos - t) / t)
        return recall_gain, precision_gain

    rg, pg = gains(tp, fp)
    rg[tp == 0] = -np.inf
    j = int(np.argmax(rg >= 0))
    curve = []
    if rg[j] > 0:
        # recall gain 0 <=> TP = pos^2 / (pos + neg): interpolate the counts between the thresholds around it
        delta = tp[j] - tp[j - 1]
        alpha = (pos * pos / (pos + neg) - tp[j - 1]) / delta if delta > 0 else 0.5
        t = tp[j - 1] + alpha * delta
        f = fp[j - 1] + alpha * (fp[j] - fp[j - 1])
        curve.append((0.0, float(gains(t, f)[1])))
    for x, y in zip(rg[j:], pg[j:]):
        if curve and curve[-1][1] * y < 0:  # crossing precision gain 0 inside the unit square's x range
            x0, y0 = curve[-1]
            curve.append((x0 + (-y0) / (y - y0) * (x - x0), 0.0))
        curve.append((float(x), float(y)))

    area = 0.0
    for (x0, y0), (x1, y1) in zip(curve, curve[1:]):
        if x0 >= 0:
            area += (x1 - x0) * (y0 + y1) / 2
    return area


def main():
    directory, fixture = sys.argv[1], sys.argv[2]
    with open(os.path.join(directory, "scores.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    result = {}
    for classifier in dict.fromkeys(r["classifier"] for r in rows):
        mine = [r for r in rows if r["classifier"] == classifier]
        labels = np.array([int(r["malignant"]) for r in mine])
        scores = np.array([float(r["score"]) for r in mine])
        result[classifier] = {
            "auroc": roc_auc_score(labels, scores),
            "aupr": average_precision_score(labels, scores),
            "auprg": calc_auprg(labels, scores),
            "positives": int(labels.sum()),
        }

    data = np.genfromtxt(fixture, delimiter=",", skip_header=1)
    features, malignant = data[:, :-1], data[:, -1].astype(int)
    test = [int(r["sample"]) for r in rows if r["classifier"] == rows[0]["classifier"]]
    train = np.setdiff1d(np.arange(len(malignant)), test)
    scaler = StandardScaler().fit(features[train])
    model = LogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(scaler.transform(features[train]), malignant[train])
    result["sklearn_logistic_scores"] = model.decision_function(scaler.transform(features[test])).tolist()
    result["test_samples"] = test
    print(json.dumps(result))


if __name__ == "__main__":
    main()
