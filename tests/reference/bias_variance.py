#!/usr/bin/env python3
"""Independent reference for the bias-variance experiment.

Reads the draws (x, noise) the experiment wrote to DIR/draws-*.csv, rebuilds y = x + sin(1.5x) + noise, and computes
with numpy and scikit-learn what the experiment reports: the sample fits on the grid of DIR/fits.csv, bias^2, variance
and test MSE for each polynomial degree, and the same for ridge on standardised polynomial features. Prints one JSON
object.

Polynomials are fitted with numpy.polyfit in u = (x - 5) / 5, which spans [-1, 1]: the same least-squares polynomial as
in x, but with a Vandermonde matrix that stays well conditioned up to degree 15 (in x on [0, 10] it would not).

usage: bias_variance.py DIR [MAX_DEGREE RIDGE_DEGREE RIDGE_ALPHA]
"""
import json
import os
import sys

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler


def f(x):
    return x + np.sin(1.5 * x)


def polynomial(x, y, degree):
    coefficients = np.polyfit((x - 5.0) / 5.0, y, degree)
    return lambda t: np.polyval(coefficients, (t - 5.0) / 5.0)


def ridge(x, y, degree, alpha):
    model = make_pipeline(PolynomialFeatures(degree), StandardScaler(), Ridge(alpha=alpha))
    model.fit(x.reshape(-1, 1), y)
    return lambda t: model.predict(np.asarray(t).reshape(-1, 1))


def decompose(models, test_x, test_y):
    predictions = np.array([m(test_x) for m in models])  # sets x test points
    mean = predictions.mean(axis=0)
    return {
        "bias2": float(np.mean((mean - f(test_x)) ** 2)),
        "variance": float(np.mean(predictions.var(axis=0))),
        "test_mse": float(np.mean((predictions - test_y) ** 2)),
    }


def main():
    directory = sys.argv[1]
    max_degree, ridge_degree, alpha = (int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])) if len(sys.argv) > 4 else (15, 10, 10.0)

    def load(name):
        return np.genfromtxt(os.path.join(directory, name), delimiter=",", names=True)

    sample, test, training, grid = load("draws-sample.csv"), load("draws-test.csv"), load("draws-training.csv"), load("fits.csv")
    sample_y = f(sample["x"]) + sample["noise"]
    fits = {f"g{d}": polynomial(sample["x"], sample_y, d)(grid["x"]).tolist() for d in (1, 3, 10)}

    test_y = f(test["x"]) + test["noise"]
    sets = [training[training["set"] == k] for k in np.unique(training["set"])]
    data = [(s["x"], f(s["x"]) + s["noise"]) for s in sets]
    by_degree = [decompose([polynomial(x, y, d) for x, y in data], test["x"], test_y) for d in range(1, max_degree + 1)]
    ridged = decompose([ridge(x, y, ridge_degree, alpha) for x, y in data], test["x"], test_y)
    print(json.dumps({
        "grid_x": grid["x"].tolist(),
        "fits": fits,
        "sets": len(sets),
        "by_degree": by_degree,
        "best_degree": 1 + int(np.argmin([r["test_mse"] for r in by_degree])),
        "ridge": ridged,
    }))


if __name__ == "__main__":
    main()
