#!/usr/bin/python3
"""Exports a small network made of the ops that torchvision-style models and heads add (PReLU, InstanceNorm2d with
affine weights, F.interpolate nearest and bilinear with and without align_corners, Tensor.repeat, ConvTranspose2d
with groups, stride and output_padding, LogSoftmax) to ONNX for ImageOpsTorchTest, with PyTorch's answers:

  image_ops_reference.py OPSET OUT_DIR

writes OUT_DIR/model.onnx (input "input" [1, 3, 8, 8], output "logits" [1, 10]) and, as little-endian float32,
x.bin (the input, seed 1), y.bin (the log-probabilities), r.bin (a random seed for them, seed 2) and gx.bin
(autograd's gradient of sum(r * y) with respect to x).
"""

import inspect
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.prelu = nn.PReLU(4)
        self.norm = nn.InstanceNorm2d(4, affine=True)
        self.deconv = nn.ConvTranspose2d(8, 6, 3, stride=2, padding=1, output_padding=1, groups=2)
        self.head = nn.Linear(6, 10)
        self.log_softmax = nn.LogSoftmax(dim=1)

    def forward(self, x):
        x = self.norm(self.prelu(self.conv(x)))
        a = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        b = F.interpolate(x, scale_factor=2, mode="nearest")
        c = F.interpolate(x, size=(16, 16), mode="bilinear", align_corners=True)
        t = x.repeat(1, 1, 2, 2)
        y = self.deconv(torch.cat([a + b, c * t], dim=1))
        return self.log_softmax(self.head(y.mean(dim=(2, 3))))


def main():
    opset, out = int(sys.argv[1]), sys.argv[2]
    torch.manual_seed(0)
    net = Net().eval()
    with torch.no_grad():  # weights away from their initial ones and zeros
        net.prelu.weight.uniform_(-0.5, 0.5)
        net.norm.weight.uniform_(0.5, 1.5)
        net.norm.bias.uniform_(-0.5, 0.5)
    x = torch.randn(1, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    options = dict(input_names=["input"], output_names=["logits"], opset_version=opset, do_constant_folding=True)
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        options["dynamo"] = False
    with torch.no_grad():
        torch.onnx.export(net, x, os.path.join(out, "model.onnx"), **options)
    x.requires_grad_(True)
    y = net(x)
    r = torch.rand(y.shape, generator=torch.Generator().manual_seed(2)) * 2 - 1
    (gx,) = torch.autograd.grad((y * r).sum(), x)
    for file, t in (("x", x), ("y", y), ("r", r), ("gx", gx)):
        t.detach().numpy().astype("<f4").tofile(os.path.join(out, file + ".bin"))


if __name__ == "__main__":
    main()
