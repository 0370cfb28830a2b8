#!/usr/bin/python3
"""Writes the PyTorch reference fixtures that tests/Models.Tests/ParityTests.cs checks our C# stack against.

Run with Debian's python3-torch (the Python that owns the torch module is /usr/bin/python3):

    /usr/bin/python3 tests/reference/make_fixtures.py [--out tests/reference/fixtures]

Every fixture is a torch.save of a flat dict {name: tensor} (a .pt file), which the C# side reads with
TorchSharp.PyBridge (StateDictFile.Load) and Python with torch.load. For each model it writes
<model>.initial.pt (initial weights and buffers), <model>.batch.pt (one batch), and <model>.expected.pt:
the loss, every gradient, and the full state after 5 steps of each optimiser. Large tensors (over
SAMPLE_ABOVE elements) are stored as a fixed strided sample plus their sum and sum of squares, which
keeps the committed files small. Dropout is made reproducible by
seeding libtorch's generator right before every forward pass; the C# side does the same.
It also writes lr_schedules.json: learning-rate (and momentum) sequences of CyclicLR in its three
modes, StepLR and ExponentialLR.
"""
import argparse
import json
import os

import torch
import torch.nn.functional as F

import models

SAMPLE_ABOVE = 20000
SAMPLES = 2000
STEPS = 5
FORWARD_SEED = 1234


def save(path, tensors):
    """torch.save of a flat {name: tensor} dict, each tensor a contiguous copy with a storage of its own.

    torch.save writes a view's whole underlying storage with the view's offset and strides (a strided
    sample would drag along the full tensor it was taken from). TorchSharp.PyBridge cannot read that back:
    it rebuilds each tensor as torch.empty(shape).as_strided(shape, stride, offset), which must be
    contiguous and fit a storage of numel elements, and reads the first numel elements into it. A
    contiguous clone owns a storage of exactly its own elements at offset 0, so every entry reads back as
    written. Its dtypes need nothing else: float32, 0-dim float64 (the @sum and @sumsq scalars) and int64
    (labels, num_batches_tracked) all read as they are.
    """
    torch.save({k: v.detach().cpu().clone(memory_format=torch.contiguous_format) for k, v in tensors.items()}, path)


def compact(name, t, into):
    """Stores t whole, or (when large) as a strided sample with its sum and sum of squares."""
    t = t.detach().double() if t.is_floating_point() else t.detach()
    if t.numel() <= SAMPLE_ABOVE or not t.is_floating_point():
        into[name] = t.float() if t.is_floating_point() else t
        return
    flat = t.reshape(-1)
    stride = flat.numel() // SAMPLES
    into[name + "@sample"] = flat[::stride][:SAMPLES].float()
    into[name + "@sum"] = flat.sum().reshape(())
    into[name + "@sumsq"] = (flat * flat).sum().reshape(())


def loss_of(kind, output, target):
    if kind == "mse":
        return F.mse_loss(output, target)
    return F.cross_entropy(output, target)


OPTIMISERS = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9),
    "sgd_nesterov_wd": lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "adam": lambda p: torch.optim.Adam(p, lr=1e-3),
    "adamw": lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=1e-2),
    "rmsprop": lambda p: torch.optim.RMSprop(p, lr=1e-3, momentum=0.5),
}


def build(name):
    if name == "mlp-worked-example":
        return models.WorkedExampleMlp(), "mse", torch.randn(4, 2), torch.randn(4, 1).abs() * 5
    if name == "lenet5":
        return models.LeNet5(), "ce", torch.randn(8, 1, 32, 32), torch.randint(0, 10, (8,))
    if name == "small-inception":
        return models.SmallInception(), "ce", torch.randn(4, 1, 28, 28), torch.randint(0, 10, (4,))
    if name == "unet":
        return models.UNet(3, 16, 24, 1), "ce", torch.randn(4, 1, 32, 32), torch.randint(0, 24, (4, 32, 32))
    raise ValueError(name)


def fixture(name, out):
    torch.manual_seed(0)
    model, loss_kind, x, y = build(name)
    model.train()
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    save(os.path.join(out, f"{name}.initial.pt"), initial)
    save(os.path.join(out, f"{name}.batch.pt"), {"x": x, "y": y})

    expected = {}
    torch.manual_seed(FORWARD_SEED)
    loss = loss_of(loss_kind, model(x), y)
    loss.backward()
    expected["loss"] = loss.detach().reshape(())
    for k, p in model.named_parameters():
        compact("grad." + k, p.grad, expected)

    for opt_name, make in OPTIMISERS.items():
        model.load_state_dict(initial)
        model.zero_grad(set_to_none=True)
        opt = make(model.parameters())
        for step in range(STEPS):
            opt.zero_grad(set_to_none=True)
            torch.manual_seed(FORWARD_SEED + step)
            loss_of(loss_kind, model(x), y).backward()
            opt.step()
        for k, v in model.state_dict().items():
            compact(f"{opt_name}.{k}", v, expected)
    save(os.path.join(out, f"{name}.expected.pt"), expected)
    print(f"{name}: loss {expected['loss'].item():.6f}, {sum(p.numel() for p in model.parameters())} parameters")


def ops(out):
    """Each functional op on one input, and the gradient of their weighted sum with respect to it."""
    torch.manual_seed(7)
    x = torch.randn(2, 3, 8, 8, requires_grad=True)
    w = torch.randn(3, 3)
    target = torch.rand(2, 3, 8, 8)
    labels = torch.randint(0, 3, (2, 8, 8))
    results = {
        "avg_pool2d": F.avg_pool2d(x, 2),
        "max_pool2d": F.max_pool2d(x, 3, 2, 1),
        "adaptive_avg_pool2d": F.adaptive_avg_pool2d(x, (3, 3)),
        "sigmoid": torch.sigmoid(x),
        "tanh": torch.tanh(x),
        "relu": F.relu(x),
        "upsample_nearest": F.interpolate(x, scale_factor=2.0, mode="nearest"),
        "upsample_bilinear": F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False),
        "matmul": torch.matmul(x.permute(0, 2, 3, 1), w),
        "cat_flatten": torch.flatten(torch.cat([x, x * 2], 1), 1),
        "reshape": x.reshape(6, 64).sum(1),
        "softmax": torch.softmax(x, 1),
        "log_softmax": torch.log_softmax(x, 1),
        "mse_loss": F.mse_loss(x, target),
        "bce_loss": F.binary_cross_entropy(torch.sigmoid(x), target),
        "bce_with_logits": F.binary_cross_entropy_with_logits(x, target),
        "cross_entropy": F.cross_entropy(x, labels),
    }
    total = sum(((i + 1) * r.sum()) for i, r in enumerate(results.values()))
    total.backward()
    tensors = {"x": x.detach(), "w": w, "target": target, "labels": labels, "grad": x.grad}
    tensors.update({k: v.detach().reshape(v.shape) for k, v in results.items()})
    save(os.path.join(out, "ops.pt"), tensors)


def schedules(out):
    def run(make_scheduler, steps=40):
        p = torch.nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
        sched = make_scheduler(opt)
        lrs, momenta = [], []
        for _ in range(steps):
            lrs.append(opt.param_groups[0]["lr"])
            momenta.append(opt.param_groups[0]["momentum"])
            opt.step()
            sched.step()
        return {"lr": lrs, "momentum": momenta}

    cyclic = torch.optim.lr_scheduler.CyclicLR
    result = {
        "cyclic_triangular": run(lambda o: cyclic(o, base_lr=0.001, max_lr=0.1, step_size_up=4, step_size_down=6, mode="triangular")),
        "cyclic_triangular2": run(lambda o: cyclic(o, base_lr=0.001, max_lr=0.1, step_size_up=5, mode="triangular2")),
        "cyclic_exp_range": run(lambda o: cyclic(o, base_lr=0.001, max_lr=0.1, step_size_up=3, step_size_down=7, mode="exp_range", gamma=0.97)),
        "step": run(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5)),
        "exponential": run(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)),
    }
    with open(os.path.join(out, "lr_schedules.json"), "w") as f:
        json.dump({"torch": torch.__version__, "schedules": result}, f, indent=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    for name in ["mlp-worked-example", "lenet5", "small-inception", "unet"]:
        fixture(name, args.out)
    ops(args.out)
    schedules(args.out)


if __name__ == "__main__":
    main()
