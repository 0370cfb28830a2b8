#!/usr/bin/python3
"""The PyTorch side of the training-step benchmark: the same models (tests/reference/models.py), the
same batch shapes, the same optimiser and the same thread count as the C# side. Prints JSON."""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import models  # noqa: E402

SHAPES = {"lenet5": (1, 32, 32), "small-inception": (1, 28, 28)}


def build(name):
    return models.LeNet5() if name == "lenet5" else models.SmallInception()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--models", default="lenet5,small-inception")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "models": {}}
    for name in args.models.split(","):
        model = build(name).train()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x = torch.randn(args.batch, *SHAPES[name])
        y = torch.randint(0, 10, (args.batch,))

        def step():
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y).backward()
            opt.step()

        for _ in range(args.warmup):
            step()
        per_step = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            for _ in range(args.steps):
                step()
            per_step.append((time.perf_counter() - start) * 1000 / args.steps)
        result["models"][name] = {"median_ms": statistics.median(per_step), "min_ms": min(per_step)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
