#!/usr/bin/python3
"""Exports one torchvision classifier (random weights under seed 0, eval mode) to ONNX for TorchvisionModelsTest, with
PyTorch's answers to compare featviz with:

  torchvision_reference.py NAME SIZE OPSET OUT_DIR [fixed]

writes OUT_DIR/model.onnx (input "input" [N, 3, SIZE, SIZE] with a dynamic batch, or batch 1 with "fixed", output
"logits"), and as
little-endian float32: x.bin (one input image, seed 1), y.bin (the logits), r.bin (a random seed for the logits,
seed 2) and gx.bin (autograd's gradient of sum(r * logits) with respect to x).
"""

import inspect
import os
import sys

import torch
import torchvision


def main():
    name, size, opset, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    fixed = sys.argv[5:] == ["fixed"]
    torch.manual_seed(0)
    build = getattr(torchvision.models, name)
    kwargs = {"weights": None} if "weights" in inspect.signature(build).parameters else {"pretrained": False}
    net = build(**kwargs).eval()
    if name.startswith("vit_"):
        # torchvision zeroes a ViT's head, which would make every logit 0 and the gradient nothing to compare
        torch.nn.init.normal_(net.heads.head.weight, std=0.02)
    x = torch.randn(1, 3, size, size, generator=torch.Generator().manual_seed(1))
    options = dict(input_names=["input"], output_names=["logits"], opset_version=opset, do_constant_folding=True)
    if not fixed:
        options["dynamic_axes"] = {"input": {0: "N"}, "logits": {0: "N"}}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        options["dynamo"] = False  # the TorchScript exporter, as bench/export_torchvision.py
    if name.startswith("vit_"):
        # under no_grad PyTorch takes its fused attention path, which does not export
        torch.onnx.export(net, x, os.path.join(out, "model.onnx"), **options)
    else:
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
