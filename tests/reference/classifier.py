#!/usr/bin/python3
"""The classifier experiment's training loop in PyTorch (the classic tutorial loop), for its test and its benchmark.

LeNet-5 (models.LeNet5) on the first --train Fashion-MNIST training images, padded to 32x32, SGD lr 0.001 momentum 0.9,
cross-entropy; epoch e (from 1) visits the images in DeterministicShuffle.Permutation(n, seed, e) order (SplitMix64
Fisher-Yates, src/Models/Data/DeterministicShuffle.cs, reimplemented below); the last short batch is kept; the running
loss is the mean of the last --loss-every minibatch losses of an epoch; after each epoch the accuracy on the first --test
test images. --weights loads the C# run's initial weights (a .pstsd file: a torch.save of the state dict, as save_py
writes). Prints one JSON object:
{"torch", "threads", "runs": {"B": {"accuracy": [per epoch], "running_loss": [[epoch, minibatch, loss], ...], "seconds"}}}
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import models  # noqa: E402

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def permutation(n, seed, epoch=0):
    order = list(range(n))
    state = (seed & MASK) ^ ((GOLDEN * (epoch + 1)) & MASK)
    for i in range(n - 1, 0, -1):
        state = (state + GOLDEN) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        j = (z * (i + 1)) >> 64
        order[i], order[j] = order[j], order[i]
    return order


def load(directory, prefix, count):
    """The first `count` images of a split as float32 [N, 1, 32, 32] in [0, 1] (2-pixel zero border) and int64 labels."""
    with gzip.open(f"{directory}/{prefix}-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)[:count]
    with gzip.open(f"{directory}/{prefix}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)[:count]
    padded = np.pad(images, ((0, 0), (2, 2), (2, 2))).astype(np.float32) / np.float32(255)
    return torch.from_numpy(padded).unsqueeze(1), torch.from_numpy(labels.astype(np.int64))


def accuracy(net, images, labels):
    net.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(labels), 1000):
            correct += int((net(images[start:start + 1000]).argmax(1) == labels[start:start + 1000]).sum())
    net.train()
    return correct / len(labels)


def train(args, batch, data):
    train_x, train_y, test_x, test_y = data
    torch.manual_seed(args.seed)
    net = models.LeNet5().train()
    if args.weights:
        net.load_state_dict(torch.load(args.weights))
    optimizer = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    orders = [torch.tensor(permutation(len(train_y), args.seed, e)) for e in range(1, args.epochs + 1)]
    result = {"accuracy": [], "running_loss": []}
    start = time.perf_counter()
    for epoch, order in enumerate(orders, 1):
        running_loss = 0.0
        for i, first in enumerate(range(0, len(order), batch)):
            index = order[first:first + batch]
            inputs, labels = train_x[index], train_y[index]
            optimizer.zero_grad()
            loss = F.cross_entropy(net(inputs), labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            if i % args.loss_every == args.loss_every - 1:
                result["running_loss"].append([epoch, i + 1, running_loss / args.loss_every])
                running_loss = 0.0
        result["accuracy"].append(accuracy(net, test_x, test_y))
    result["seconds"] = time.perf_counter() - start
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.environ.get("PSTRAINING_FASHION_MNIST_DIR") or "/usr/share/datasets/fashion-mnist")
    parser.add_argument("--train", type=int, default=60000)
    parser.add_argument("--test", type=int, default=10000)
    parser.add_argument("--batches", default="4,16")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--loss-every", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--weights")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    data = (*load(args.data, "train", args.train), *load(args.data, "t10k", args.test))
    runs = {b: train(args, int(b), data) for b in args.batches.split(",")}
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "runs": runs}))


if __name__ == "__main__":
    main()
