"""Independent PyTorch results for the analysis suite's tests (tests/Experiments.Tests/Analysis), printed as one JSON object.

  analysis.py worked-example      gradients of the backprop worked example (models.WorkedExampleMlp)
  analysis.py lenet-gradients DIR  LeNet-5 gradients of one batch, from DIR/<init>-weights.pstsd and DIR/batch.pstsd
                                   as init-gradients wrote them (torch.save files of named tensors: StateDictFile.Save,
                                   save_py): per parameter, count, zeros, min, max, L2 norm
"""
import json
import sys

import torch
import torch.nn.functional as F

import models


def worked_example():
    net = models.WorkedExampleMlp()
    with torch.no_grad():
        net.fc1.weight.copy_(torch.tensor([[1., 0.], [3., 4.], [1., 2.]]))
        net.fc1.bias.copy_(torch.tensor([0., -2., 5.]))
        net.fc2.weight.copy_(torch.tensor([[2., 6., 1.], [0., 3., 1.]]))
        net.fc2.bias.copy_(torch.tensor([-23., -11.]))
        net.fc3.weight.copy_(torch.tensor([[-2., 3.]]))
        net.fc3.bias.copy_(torch.tensor([18.]))
    x = torch.tensor([[2., 1.]], requires_grad=True)
    y_hat = net(x)
    loss = ((10. - y_hat) ** 2).sum()
    loss.backward()
    result = {"prediction": y_hat.item(), "loss": loss.item(), "x": x.grad.flatten().tolist()}
    for layer, fc in enumerate([net.fc1, net.fc2, net.fc3], start=1):
        result[f"W{layer}"] = fc.weight.grad.flatten().tolist()
        result[f"b{layer}"] = fc.bias.grad.flatten().tolist()
    return result


def lenet_gradients(directory):
    batch = torch.load(f"{directory}/batch.pstsd")
    result = {}
    for init in ["default", "zero"]:
        net = models.LeNet5()
        net.load_state_dict(torch.load(f"{directory}/{init}-weights.pstsd"))
        loss = F.cross_entropy(net(batch["images"]), batch["labels"])
        loss.backward()
        result[init] = {
            "loss": loss.item(),
            "parameters": {
                name: {"count": p.grad.numel(), "zeros": int((p.grad == 0).sum()), "min": p.grad.min().item(),
                       "max": p.grad.max().item(), "l2": p.grad.norm().item()}
                for name, p in net.named_parameters()
            },
        }
    return result


if __name__ == "__main__":
    command = sys.argv[1]
    output = worked_example() if command == "worked-example" else lenet_gradients(sys.argv[2])
    print(json.dumps(output))
