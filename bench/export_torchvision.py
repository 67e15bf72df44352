#!/usr/bin/python3
"""Exports torchvision's VGG16 (up to conv5_3) and GoogLeNet (up to inception4a) to ONNX with random weights, for
the GPU throughput comparison of bench/gpu-first-run.sh (DESIGN.md section 5's peer numbers are on these layers).

The GPU host cannot download pretrained weights, and throughput does not depend on them: the weights are
torchvision's own random initialization under a fixed seed. Each file holds the network only up to its target
layer (nothing after it is run by featviz or by bench/peer_lucid.py), with a dynamic batch dimension, a fixed
3 x SIZE x SIZE image, ImageNet normalization as featviz metadata (featviz.input.mean / featviz.input.std) and the
target's output named after the layer:

  vgg16.onnx       torchvision.models.vgg16().features[0..28]   output "conv5_3" (features[28], before its ReLU)
  googlenet.onnx   conv1 .. inception4a (transform_input=False)  output "inception4a"

  bench/export_torchvision.py --out DIR [--size 224] [--models vgg16,googlenet]

Prints one line per model: file, size, node count and op types. Works with torch 1.13 (Debian) and 2.x, where the
TorchScript exporter is asked for explicitly (dynamo=False), falling back to the default exporter.
"""

import argparse
import inspect
import os
import sys
import time
from collections import Counter

import onnx
import torch
import torchvision

MEAN = "0.485,0.456,0.406"
STD = "0.229,0.224,0.225"


class GoogLeNetTo4a(torch.nn.Module):
    """torchvision's GoogLeNet from its input to inception4a's output (the stem, 3a, 3b, the pool, 4a)."""

    def __init__(self, net):
        super().__init__()
        self.parts = torch.nn.Sequential(net.conv1, net.maxpool1, net.conv2, net.conv3, net.maxpool2,
                                         net.inception3a, net.inception3b, net.maxpool3, net.inception4a)

    def forward(self, x):
        return self.parts(x)


def build(name):
    """The truncated network in eval mode, weights from torchvision's initialization under seed 0."""
    torch.manual_seed(0)
    m = torchvision.models
    kwargs = {"weights": None} if "weights" in inspect.signature(m.vgg16).parameters else {"pretrained": False}
    if name == "vgg16":
        return m.vgg16(**kwargs).features[:29].eval(), "conv5_3"
    if name == "googlenet":
        net = m.googlenet(aux_logits=False, transform_input=False, init_weights=True, **kwargs)
        return GoogLeNetTo4a(net).eval(), "inception4a"
    sys.exit(f"export: unknown model {name} (vgg16, googlenet)")


def export(name, out_dir, size):
    net, layer = build(name)
    path = os.path.join(out_dir, name + ".onnx")
    x = torch.zeros(1, 3, size, size)
    options = dict(input_names=["input"], output_names=[layer], dynamic_axes={"input": {0: "N"}, layer: {0: "N"}},
                   opset_version=13, do_constant_folding=True)
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        options["dynamo"] = False  # torch >= 2.5: the TorchScript exporter, whose graphs featviz and the peer read
    t0 = time.time()
    with torch.no_grad():
        try:
            torch.onnx.export(net, x, path, **options)
        except Exception as e:  # a newer torch whose TorchScript exporter fails: try its default exporter
            if "dynamo" not in options:
                raise
            del options["dynamo"]
            print(f"export: TorchScript exporter failed ({type(e).__name__}: {e}); trying the default one")
            torch.onnx.export(net, x, path, **options)
    model = onnx.load(path)
    for key, value in (("featviz.input.mean", MEAN), ("featviz.input.std", STD)):
        prop = model.metadata_props.add()
        prop.key, prop.value = key, value
    onnx.checker.check_model(model)
    onnx.save(model, path)
    ops = Counter(n.op_type for n in model.graph.node)
    outputs = [o.name for o in model.graph.output]
    print(f"export {name}: {path}, {os.path.getsize(path) / 1e6:.1f} MB, {len(model.graph.node)} nodes "
          f"({', '.join(f'{k} {v}' for k, v in sorted(ops.items()))}), output {outputs}, input 3x{size}x{size}, "
          f"{time.time() - t0:.1f} s")
    if outputs != [layer]:
        sys.exit(f"export {name}: expected the single output {layer}, got {outputs}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="folder for vgg16.onnx and googlenet.onnx")
    ap.add_argument("--size", type=int, default=224, help="image height and width (default 224)")
    ap.add_argument("--models", default="vgg16,googlenet", help="comma-separated (default vgg16,googlenet)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    print(f"export: torch {torch.__version__}, torchvision {torchvision.__version__}, onnx {onnx.__version__}")
    for name in args.models.split(","):
        export(name.strip(), args.out, args.size)


if __name__ == "__main__":
    main()
