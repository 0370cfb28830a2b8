"""Independent reference for the optimisation experiments: PyTorch's own optimisers on the same data.

usage: optimisers.py DATA.csv --steps N [--opt SPEC ...]
DATA.csv has columns x0..x(d-1), t (as the experiments write it). Every run minimises (1/n)||Xw - t||^2
(+ penalty * ||w||^2) full batch from w0 = 0 in float64. SPEC is NAME:key=value,... with NAME one of sgd,
rmsprop, adam, adamw; the keys are the optimiser's keyword arguments, plus `penalty` (an L2 term in the loss) and
`gamma` (an ExponentialLR schedule stepped after every update).
Prints one JSON object: {"lstsq": numpy's least-squares solution (the minimum-norm one when d > n),
"runs": {SPEC: final weights}}.
"""
import argparse
import json

import numpy as np
import torch

OPTIMISERS = {"sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}


def run(x, t, spec, steps):
    name, _, options = spec.partition(":")
    kwargs = {k: float(v) for k, v in (o.split("=") for o in options.split(",") if o)}
    penalty = kwargs.pop("penalty", 0.0)
    gamma = kwargs.pop("gamma", None)
    w = torch.zeros(x.shape[1], dtype=torch.float64, requires_grad=True)
    optimiser = OPTIMISERS[name]([w], **kwargs)
    schedule = torch.optim.lr_scheduler.ExponentialLR(optimiser, gamma) if gamma is not None else None
    for _ in range(steps):
        optimiser.zero_grad()
        loss = ((x @ w - t) ** 2).mean() + penalty * (w ** 2).sum()
        loss.backward()
        optimiser.step()
        if schedule is not None:
            schedule.step()
    return w.detach().tolist()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--opt", action="append", default=[])
    args = parser.parse_args()
    data = np.loadtxt(args.data, delimiter=",", skiprows=1, ndmin=2)
    x, t = torch.from_numpy(data[:, :-1].copy()), torch.from_numpy(data[:, -1].copy())
    lstsq = np.linalg.lstsq(data[:, :-1], data[:, -1], rcond=None)[0]
    print(json.dumps({"lstsq": lstsq.tolist(), "runs": {spec: run(x, t, spec, args.steps) for spec in args.opt}}))


if __name__ == "__main__":
    main()
