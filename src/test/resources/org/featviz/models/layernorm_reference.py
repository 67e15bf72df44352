#!/usr/bin/python3
"""Exports a tiny token network with nn.LayerNorm (random weights under seed 0, eval mode) to ONNX at opset 17,
where PyTorch writes nn.LayerNorm as one LayerNormalization node, for LayerNormTorchTest, with PyTorch's answers:

  layernorm_reference.py OUT_DIR

The network maps x [2, 5, 6] (batch, tokens, features) by Linear(6, 16), LayerNorm(16), GELU, LayerNorm([5, 16])
(normalized over tokens and features; torch 1.13 exports one without affine parameters with an empty Scale, which
the ONNX checker refuses) and Linear(16, 4) with a last LayerNorm(4) to y
[2, 5, 4]. Writes OUT_DIR/model.onnx (input "x", output "y") and as little-endian float32: x.bin (seed 1), y.bin,
r.bin (a random seed for y, seed 2) and gx.bin (autograd's gradient of sum(r * y) with respect to x).
"""

import inspect
import os
import sys

import torch
from torch import nn


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(6, 16), nn.LayerNorm(16), nn.GELU(),
                        nn.LayerNorm([5, 16]), nn.Linear(16, 4), nn.LayerNorm(4))
    with torch.no_grad():  # affine parameters away from their initial ones and zeros
        for m in net:
            if isinstance(m, nn.LayerNorm) and m.elementwise_affine:
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
    net.eval()
    x = torch.randn(2, 5, 6, generator=torch.Generator().manual_seed(1))
    options = dict(input_names=["x"], output_names=["y"], opset_version=17, do_constant_folding=True)
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
