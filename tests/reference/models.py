"""PyTorch twins of the C# models in src/Models/Zoo, built in the same order and with the same
state-dict names, so that weights, gradients and optimiser steps can be compared element by element."""
import torch
from torch import nn
import torch.nn.functional as F


class WorkedExampleMlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.fc2 = nn.Linear(3, 2)
        self.fc3 = nn.Linear(2, 1)

    def forward(self, x):
        return F.relu(self.fc3(F.relu(self.fc2(F.relu(self.fc1(x))))))


class LeNet5(nn.Module):
    def __init__(self, in_channels=1, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2, 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2, 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class ConvModule(nn.Module):
    def __init__(self, cin, cout, kernel, stride, padding):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, padding)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class InceptionModule(nn.Module):
    def __init__(self, cin, ch1, ch3):
        super().__init__()
        self.branch1 = ConvModule(cin, ch1, 1, 1, 0)
        self.branch3 = ConvModule(cin, ch3, 3, 1, 1)

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch3(x)], 1)


class DownsampleModule(nn.Module):
    def __init__(self, cin, ch3):
        super().__init__()
        self.conv = ConvModule(cin, ch3, 3, 2, 0)

    def forward(self, x):
        return torch.cat([self.conv(x), F.max_pool2d(x, 3, 2)], 1)


class SmallInception(nn.Module):
    def __init__(self, in_channels=1, num_classes=10, dropout=0.5):
        super().__init__()
        self.conv1 = ConvModule(in_channels, 96, 3, 1, 1)
        self.blocks = nn.Sequential(
            InceptionModule(96, 32, 32), InceptionModule(64, 32, 48), DownsampleModule(80, 80),
            InceptionModule(160, 112, 48), InceptionModule(160, 96, 64), InceptionModule(160, 80, 80),
            InceptionModule(160, 48, 96), DownsampleModule(144, 96),
            InceptionModule(240, 176, 160), InceptionModule(336, 176, 160))
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(336, num_classes)

    def forward(self, x):
        x = self.blocks(self.conv1(x))
        x = torch.flatten(F.adaptive_avg_pool2d(x, (1, 1)), 1)
        return self.fc(self.dropout(x))


def conv_bn_relu(conv, channels):
    return nn.Sequential(conv, nn.BatchNorm2d(channels), nn.ReLU())


class UNet(nn.Module):
    def __init__(self, kernel, num_filters, num_colours, num_in_channels):
        super().__init__()
        p, nf, nc = kernel // 2, num_filters, num_colours
        self.down1 = conv_bn_relu(nn.Conv2d(num_in_channels, nf, kernel, stride=2, padding=p), nf)
        self.down2 = conv_bn_relu(nn.Conv2d(nf, 2 * nf, kernel, stride=2, padding=p), 2 * nf)
        self.up1 = conv_bn_relu(nn.ConvTranspose2d(2 * nf, nf, kernel, stride=2, padding=p, output_padding=1), nf)
        self.up2 = conv_bn_relu(nn.ConvTranspose2d(nf + nf, nc, kernel, stride=2, padding=p, output_padding=1), nc)
        self.final = nn.Conv2d(nc + num_in_channels, nc, kernel, padding=p)

    def forward(self, x):
        d1 = self.down1(x)
        u1 = self.up1(self.down2(d1))
        u2 = self.up2(torch.cat([u1, d1], 1))
        return self.final(torch.cat([u2, x], 1))
