#!/usr/bin/env python3
"""Train the featviz reference networks on Fashion-MNIST and export them to ONNX.

Three small classifiers are produced (see README.md in this folder):

  fashion-mlp.onnx  Flatten + MLP 784-128-512-2048-2048-10
  fashion-cnn.onnx  2 x (conv-relu-conv-relu-maxpool) + fc(128) + fc(10)
  fashion-vgg.onnx  8 x (conv-BatchNorm-relu) in VGG style + global average pool + fc(10)

Input of every network: N x 1 x 28 x 28 float32, pixel values scaled to [0, 1] and then
normalized as (x - 0.2860) / 0.3530.  The normalization is NOT part of the graphs.

The exported graphs are restricted to a small op set (Conv, Relu, MaxPool, Flatten, Gemm,
BatchNormalization, GlobalAveragePool, ...), every intermediate value gets a readable
name (conv1, relu1, pool1, ..., flatten, fc1, relu_fc1, ..., logits) and the model carries
featviz.* metadata properties.  For each model the argmax class of every test image is
written to predictions/<model>-test.txt.

Requirements: PyTorch (tested with 1.13), the onnx package (tested with 1.12), numpy.
The Fashion-MNIST IDX files are read directly (gzip + numpy), nothing is downloaded.
"""

import argparse
import collections
import gzip
import json
import os
import platform
import re
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import onnx
from onnx import helper, numpy_helper, shape_inference

MEAN = 0.2860
STD = 0.3530
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
OPSET = 13
ALLOWED_OPS = {"Conv", "Relu", "MaxPool", "Flatten", "Gemm", "MatMul", "Add", "Reshape",
               "BatchNormalization", "GlobalAveragePool", "AveragePool", "Constant", "Identity"}
SEED = 20240601
BATCH = 128

# Training hyper-parameters per model (epochs can be overridden on the command line).
# The epoch counts are the ones the committed .onnx files were trained with (kept small
# because the training machine, 2 shared CPU cores, was heavily contended).
HPARAMS = {
    "mlp": dict(epochs=5, lr=1e-3, weight_decay=0.0),
    "cnn": dict(epochs=3, lr=1e-3, weight_decay=0.0),
    "vgg": dict(epochs=4, lr=3e-3, weight_decay=1e-4),
}
FILE_NAMES = {"mlp": "fashion-mlp", "cnn": "fashion-cnn", "vgg": "fashion-vgg"}


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------

def read_idx(path):
    """Read a (possibly gzip-compressed) IDX file into a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: expected {np.prod(dims)} values, found {arr.size}")
    return arr.reshape(dims)


def find_file(data_dir, stem):
    for name in (stem + ".gz", stem):
        p = os.path.join(data_dir, name)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"{stem}(.gz) not found in {data_dir}")


def load_split(data_dir, split):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(find_file(data_dir, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(find_file(data_dir, f"{prefix}-labels-idx1-ubyte"))
    assert images.shape[0] == labels.shape[0] and images.shape[1:] == (28, 28)
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    x = (x - MEAN) / STD
    y = torch.from_numpy(labels.astype(np.int64))
    return x.contiguous(), y


# --------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------

class Linear(nn.Linear):
    """nn.Linear that, while training, runs its matrix product as a 1x1 convolution.

    The Debian PyTorch build links the reference (netlib) BLAS, which makes addmm very
    slow; 1x1 convolutions go through oneDNN instead and compute the same function.
    In eval mode (used for evaluation, predictions and ONNX export) the ordinary
    F.linear is used, which exports as a single Gemm node.
    """

    use_conv = False  # set to True to use the fast path in eval mode too (monitoring only)

    def forward(self, x):
        if self.training or Linear.use_conv:
            return F.conv2d(x[:, :, None, None], self.weight[:, :, None, None], self.bias).flatten(1)
        return F.linear(x, self.weight, self.bias)


def build_mlp():
    layers = [("flatten", nn.Flatten())]
    sizes = [784, 128, 512, 2048, 2048]
    for i in range(1, len(sizes)):
        layers.append((f"fc{i}", Linear(sizes[i - 1], sizes[i])))
        layers.append((f"relu_fc{i}", nn.ReLU()))
    layers.append(("logits", Linear(sizes[-1], 10)))
    return nn.Sequential(collections.OrderedDict(layers))


def build_cnn():
    layers = collections.OrderedDict([
        ("conv1", nn.Conv2d(1, 64, 3, padding=1)), ("relu1", nn.ReLU()),
        ("conv2", nn.Conv2d(64, 64, 3, padding=1)), ("relu2", nn.ReLU()),
        ("pool1", nn.MaxPool2d(2)),
        ("conv3", nn.Conv2d(64, 128, 3, padding=1)), ("relu3", nn.ReLU()),
        ("conv4", nn.Conv2d(128, 128, 3, padding=1)), ("relu4", nn.ReLU()),
        ("pool2", nn.MaxPool2d(2)),
        ("flatten", nn.Flatten()),
        ("fc1", Linear(128 * 7 * 7, 128)), ("relu_fc1", nn.ReLU()),
        ("logits", Linear(128, 10)),
    ])
    return nn.Sequential(layers)


VGG_CFG = [16, 16, "M", 32, 32, "M", 64, 64, 64, 64]


def build_vgg(cfg=VGG_CFG):
    layers = []
    in_ch, conv_i, pool_i = 1, 0, 0
    for v in cfg:
        if v == "M":
            pool_i += 1
            layers.append((f"pool{pool_i}", nn.MaxPool2d(2)))
        else:
            conv_i += 1
            # no conv bias: the following BatchNormalization has its own shift
            layers.append((f"conv{conv_i}", nn.Conv2d(in_ch, v, 3, padding=1, bias=False)))
            layers.append((f"bn{conv_i}", nn.BatchNorm2d(v)))
            layers.append((f"relu{conv_i}", nn.ReLU()))
            in_ch = v
    layers.append(("gap", nn.AdaptiveAvgPool2d(1)))
    layers.append(("flatten", nn.Flatten()))
    layers.append(("logits", Linear(in_ch, 10)))
    return nn.Sequential(collections.OrderedDict(layers))


BUILDERS = {"mlp": build_mlp, "cnn": build_cnn, "vgg": build_vgg}


# Where training runs (set from --device in main); evaluation, predictions and export use float32 either way.
DEVICE = torch.device("cpu")


def count_params(model):
    return sum(p.numel() for p in model.parameters())


# --------------------------------------------------------------------------------------
# Training / evaluation
# --------------------------------------------------------------------------------------

@torch.no_grad()
def predict(model, x, batch=500):
    """Logits of the model in eval mode, float32 (the computation the ONNX graph encodes)."""
    model.eval()
    device = next(model.parameters()).device
    outs = [model(x[i:i + batch].to(device)).cpu() for i in range(0, x.shape[0], batch)]
    return torch.cat(outs)


def train_model(name, model, xtr, ytr, xte, yte, epochs, hp, log):
    gen = torch.Generator().manual_seed(SEED + 1)
    opt = torch.optim.Adam(model.parameters(), lr=hp["lr"], weight_decay=hp["weight_decay"])
    steps_per_epoch = (xtr.shape[0] + BATCH - 1) // BATCH
    total = max(1, epochs * steps_per_epoch)
    # one-cycle style schedule: linear warm-up over the first 3% of the steps, then cosine
    warm = max(1, int(0.03 * total))

    def lr_factor(step):
        if step < warm:
            return (step + 1) / warm
        t = (step - warm) / max(1, total - warm)
        return 0.5 * (1.0 + np.cos(np.pi * t))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    t0 = time.time()
    for ep in range(1, epochs + 1):
        model.train()
        perm = torch.randperm(xtr.shape[0], generator=gen)
        run_loss, run_correct, seen = 0.0, 0, 0
        te = time.time()
        for i in range(0, xtr.shape[0], BATCH):
            idx = perm[i:i + BATCH]
            xb, yb = xtr[idx].to(DEVICE), ytr[idx].to(DEVICE)
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            run_loss += loss.item() * xb.shape[0]
            run_correct += (out.argmax(1) == yb).sum().item()
            seen += xb.shape[0]
        Linear.use_conv = True  # per-epoch monitoring only; the final numbers use F.linear
        acc = (predict(model, xte).argmax(1) == yte).float().mean().item()
        Linear.use_conv = False
        log(f"[{name}] epoch {ep}/{epochs}: train loss {run_loss / seen:.4f} "
            f"train acc {run_correct / seen:.4f} test acc {acc:.4f} "
            f"lr {sched.get_last_lr()[0]:.2e} ({time.time() - te:.0f}s)")
    return time.time() - t0


# --------------------------------------------------------------------------------------
# ONNX export and post-processing
# --------------------------------------------------------------------------------------

def export_onnx(model, path):
    model.cpu().eval()
    dummy = torch.zeros(1, 1, 28, 28)
    # TrainingMode.PRESERVE with the model in eval mode: BatchNorm is exported in inference
    # form (running statistics), and the eval-mode peephole pass that fuses Conv+BatchNorm
    # into the convolution weights is skipped, so the graph keeps its BatchNormalization nodes.
    torch.onnx.export(
        model, dummy, path,
        export_params=True,
        opset_version=OPSET,
        do_constant_folding=False,  # nothing to fold in these graphs
        training=torch.onnx.TrainingMode.PRESERVE,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
    )


INIT_ROLES = {
    "Conv": ["weight", "bias"],
    "Gemm": ["weight", "bias"],
    "MatMul": ["weight"],
    "Add": ["bias"],
    "BatchNormalization": ["weight", "bias", "running_mean", "running_var"],
}


def readable_names(graph):
    """Give every node a readable name from a walk over the (topologically sorted) graph.

    conv<k>, bn<k>, relu<k> (after conv<k>/bn<k>), pool<k>, gap, flatten, fc<k>,
    relu_fc<k> (after fc<k>); the node producing the graph output is called logits.
    """
    counters = collections.Counter()
    names = {}            # value name -> new value name
    graph_out = graph.output[0].name
    new_node_names = []
    for node in graph.node:
        op = node.op_type
        if op == "Conv":
            counters["conv"] += 1
            new = f"conv{counters['conv']}"
        elif op == "BatchNormalization":
            counters["bn"] += 1
            new = f"bn{counters['bn']}"
        elif op in ("Gemm", "MatMul"):
            counters["fc"] += 1
            new = f"fc{counters['fc']}"
        elif op == "Relu":
            src = names.get(node.input[0], "")
            if src.startswith("fc"):
                new = "relu_" + src
            elif src.startswith(("conv", "bn")):
                new = "relu" + re.sub(r"^(conv|bn)", "", src)
            else:
                counters["relu"] += 1
                new = f"relu_{counters['relu']}"
        elif op in ("MaxPool", "AveragePool"):
            counters["pool"] += 1
            new = f"pool{counters['pool']}"
        elif op == "GlobalAveragePool":
            counters["gap"] += 1
            new = "gap" if counters["gap"] == 1 else f"gap{counters['gap']}"
        elif op == "Flatten":
            counters["flatten"] += 1
            new = "flatten" if counters["flatten"] == 1 else f"flatten{counters['flatten']}"
        else:
            counters[op.lower()] += 1
            new = f"{op.lower()}{counters[op.lower()]}"
        if len(node.output) != 1:
            raise RuntimeError(f"node {node.name} ({op}) has {len(node.output)} outputs")
        if node.output[0] == graph_out:
            new = graph_out
        if new in names.values():
            raise RuntimeError(f"duplicate value name {new}")
        names[node.output[0]] = new
        new_node_names.append(new)
    return names, new_node_names


def postprocess(path):
    model = onnx.load(path)
    g = model.graph
    # 1. op-type whitelist
    ops = [n.op_type for n in g.node]
    bad = sorted(set(ops) - ALLOWED_OPS)
    if bad:
        raise RuntimeError(f"{path}: op types outside the allowed set: {bad}")

    # 2. value names
    rename, node_names = readable_names(g)
    init_names = {t.name for t in g.initializer}
    for node, new in zip(g.node, node_names):
        roles = INIT_ROLES.get(node.op_type, [])
        k = 0
        for j, inp in enumerate(node.input):
            if inp in init_names and inp not in rename:
                role = roles[k] if k < len(roles) else f"param{k}"
                rename[inp] = f"{new}.{role}"
                k += 1
    for t in g.initializer:
        t.name = rename.get(t.name, t.name)
    for node, new in zip(g.node, node_names):
        node.name = new
        for j, v in enumerate(node.input):
            node.input[j] = rename.get(v, v)
        for j, v in enumerate(node.output):
            node.output[j] = rename.get(v, v)
    for vi in list(g.input) + list(g.output) + list(g.value_info):
        vi.name = rename.get(vi.name, vi.name)
    # the initializers are not listed as graph inputs (IR >= 4)
    kept_inputs = [vi for vi in g.input if vi.name not in {t.name for t in g.initializer}]
    del g.input[:]
    g.input.extend(kept_inputs)
    del g.value_info[:]

    # 3. metadata
    del model.metadata_props[:]
    meta = {
        "featviz.input.mean": f"{MEAN:.4f}",
        "featviz.input.std": f"{STD:.4f}",
        "featviz.dataset": "fashion-mnist",
        "featviz.classes": ",".join(CLASSES),
    }
    for k, v in meta.items():
        model.metadata_props.append(onnx.StringStringEntryProto(key=k, value=v))
    model.doc_string = ("featviz reference network trained on Fashion-MNIST by models/train.py; "
                        "input N x 1 x 28 x 28, pixels in [0,1] normalized with "
                        f"mean {MEAN:.4f} and std {STD:.4f}; output: class logits")

    # 4. checks + shape inference (intermediate shapes are stored as value_info)
    onnx.checker.check_model(model)
    model = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return model


def layer_table(model):
    """(node name, op type, output shape) for every node, from the stored value_info."""
    g = model.graph
    shapes = {}
    for vi in list(g.value_info) + list(g.output) + list(g.input):
        dims = []
        for d in vi.type.tensor_type.shape.dim:
            dims.append(d.dim_param if d.dim_param else d.dim_value)
        shapes[vi.name] = dims
    return [(n.name, n.op_type, shapes.get(n.output[0])) for n in g.node]


# --------------------------------------------------------------------------------------
# A small numpy interpreter for the allowed op set, used to check the exported files
# --------------------------------------------------------------------------------------

def _attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _pad_hw(x, pads):
    t, l, b, r = pads
    return np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)))


def _conv(x, w, b, a):
    if a.get("group", 1) != 1 or any(d != 1 for d in a.get("dilations", [1, 1])):
        raise NotImplementedError("grouped/dilated Conv")
    pads = a.get("pads", [0, 0, 0, 0])
    sh, sw = a.get("strides", [1, 1])
    x = _pad_hw(x, (pads[0], pads[1], pads[2], pads[3]))
    n, c, h, wd = x.shape
    m, _, kh, kw = w.shape
    oh, ow = (h - kh) // sh + 1, (wd - kw) // sw + 1
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = x[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
    cols = cols.reshape(n, c * kh * kw, oh * ow)
    y = np.einsum("mk,nkp->nmp", w.reshape(m, -1), cols, optimize=True).reshape(n, m, oh, ow)
    if b is not None:
        y = y + b[None, :, None, None]
    return y


def _pool(x, a, reduce):
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    pads = a.get("pads", [0, 0, 0, 0])
    if any(pads) or a.get("ceil_mode", 0):
        raise NotImplementedError("padded / ceil_mode pooling")
    n, c, h, w = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    win = np.stack([x[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
                    for i in range(kh) for j in range(kw)])
    return reduce(win, axis=0)


def run_numpy(model, x):
    g = model.graph
    env = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    env[g.input[0].name] = x
    for node in g.node:
        a = _attrs(node)
        i = [env[v] if v else None for v in node.input]
        op = node.op_type
        if op == "Conv":
            y = _conv(i[0], i[1], i[2] if len(i) > 2 else None, a)
        elif op == "Relu":
            y = np.maximum(i[0], 0)
        elif op == "MaxPool":
            y = _pool(i[0], a, np.max)
        elif op == "AveragePool":
            y = _pool(i[0], a, np.mean)
        elif op == "GlobalAveragePool":
            y = i[0].mean(axis=(2, 3), keepdims=True)
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = i[0].reshape(int(np.prod(i[0].shape[:ax])), -1)
        elif op == "Gemm":
            A = i[0].T if a.get("transA", 0) else i[0]
            B = i[1].T if a.get("transB", 0) else i[1]
            y = a.get("alpha", 1.0) * (A @ B)
            if len(i) > 2 and i[2] is not None:
                y = y + a.get("beta", 1.0) * i[2]
        elif op == "MatMul":
            y = i[0] @ i[1]
        elif op == "Add":
            y = i[0] + i[1]
        elif op == "Reshape":
            shape = [d if d != 0 else i[0].shape[k] for k, d in enumerate(i[1])]
            y = i[0].reshape(shape)
        elif op == "BatchNormalization":
            eps = a.get("epsilon", 1e-5)
            s = (i[1] / np.sqrt(i[4] + eps))[None, :, None, None]
            y = (i[0] - i[3][None, :, None, None]) * s + i[2][None, :, None, None]
        elif op == "Identity":
            y = i[0]
        elif op == "Constant":
            y = numpy_helper.to_array(a["value"])
        else:
            raise NotImplementedError(op)
        env[node.output[0]] = y.astype(np.float32)
    return env[g.output[0].name]


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", choices=["mlp", "cnn", "vgg", "all"], default="all")
    ap.add_argument("--epochs", type=int, default=None,
                    help="number of epochs (default: per model, mlp 5, cnn 3, vgg 4)")
    ap.add_argument("--threads", type=int, default=2, help="torch intra-op threads (default 2)")
    ap.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto",
                    help="where to train: auto (default: cuda where available), cpu or cuda")
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--out-dir", default=here)
    ap.add_argument("--limit-train", type=int, default=None,
                    help="use only the first N training images (quick test)")
    ap.add_argument("--verify", type=int, default=1000,
                    help="check the exported ONNX with a numpy interpreter on the first N test "
                         "images (0: skip)")
    args = ap.parse_args()

    global DEVICE
    if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available()):
        # Deterministic cuBLAS needs a fixed workspace configuration (set before the first cuBLAS call).
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        DEVICE = torch.device("cuda")
        # Full float32 on the GPU: cuDNN convolutions default to TF32 on Ampere and newer,
        # which would make the test predictions differ from the float32 ONNX semantics.
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    np.random.seed(SEED)

    def log(msg):
        print(msg, flush=True)

    log(f"python {platform.python_version()}, torch {torch.__version__}, onnx {onnx.__version__}, "
        f"numpy {np.__version__}, threads {torch.get_num_threads()}, device {DEVICE}")
    xtr, ytr = load_split(args.data_dir, "train")
    xte, yte = load_split(args.data_dir, "test")
    if args.limit_train:
        xtr, ytr = xtr[:args.limit_train], ytr[:args.limit_train]
    log(f"train {tuple(xtr.shape)}, test {tuple(xte.shape)}")

    os.makedirs(os.path.join(args.out_dir, "predictions"), exist_ok=True)
    metrics_path = os.path.join(args.out_dir, "metrics.json")
    metrics = {}
    if os.path.exists(metrics_path):
        with open(metrics_path) as f:
            metrics = json.load(f)

    kinds = ["mlp", "cnn", "vgg"] if args.model == "all" else [args.model]
    for kind in kinds:
        fname = FILE_NAMES[kind]
        hp = HPARAMS[kind]
        epochs = args.epochs if args.epochs is not None else hp["epochs"]
        torch.manual_seed(SEED)
        model = BUILDERS[kind]().to(DEVICE)
        n_params = count_params(model)
        log(f"[{kind}] {n_params} parameters, {epochs} epochs, lr {hp['lr']}")
        train_s = train_model(kind, model, xtr, ytr, xte, yte, epochs, hp, log)

        logits = predict(model, xte)
        pred = logits.argmax(1)
        acc = (pred == yte).float().mean().item()
        top2 = logits.topk(2, dim=1).values
        margin = (top2[:, 0] - top2[:, 1])
        log(f"[{kind}] test accuracy {acc:.4f}, training time {train_s:.0f}s, "
            f"{int((margin < 1e-3).sum())} test images with top-2 logit margin < 1e-3")

        onnx_path = os.path.join(args.out_dir, fname + ".onnx")
        export_onnx(model, onnx_path)
        om = postprocess(onnx_path)
        ops = collections.Counter(n.op_type for n in om.graph.node)
        log(f"[{kind}] exported {onnx_path} ({os.path.getsize(onnx_path)} bytes), ops {dict(ops)}")
        if kind == "vgg" and ops["BatchNormalization"] == 0:
            raise RuntimeError("BatchNormalization nodes were fused away")
        table = layer_table(om)
        for name, op, shape in table:
            log(f"    {name:10s} {op:20s} {shape}")

        pred_path = os.path.join(args.out_dir, "predictions", f"{fname}-test.txt")
        with open(pred_path, "w") as f:
            f.write("".join(f"{int(p)}\n" for p in pred))

        verify = {}
        if args.verify:
            nv = min(args.verify, xte.shape[0])
            ref = logits[:nv].numpy()
            got = np.concatenate([run_numpy(om, xte[i:i + 100].numpy()) for i in range(0, nv, 100)])
            verify = dict(images=nv, max_abs_diff=float(np.abs(got - ref).max()),
                          argmax_agree=int((got.argmax(1) == ref.argmax(1)).sum()))
            log(f"[{kind}] numpy ONNX interpreter vs torch on {nv} test images: "
                f"max |diff| {verify['max_abs_diff']:.2e}, argmax agrees on {verify['argmax_agree']}")
            if verify["argmax_agree"] != nv or verify["max_abs_diff"] > 1e-3:
                raise RuntimeError("exported ONNX does not match the PyTorch model")

        metrics[fname] = dict(
            test_accuracy=round(acc, 4), parameters=n_params, epochs=epochs,
            batch_size=BATCH, lr=hp["lr"], weight_decay=hp["weight_decay"],
            train_seconds=round(train_s, 1), onnx_bytes=os.path.getsize(onnx_path),
            train_images=int(xtr.shape[0]), threads=torch.get_num_threads(),
            small_margin_images=int((margin < 1e-3).sum()),
            layers=[dict(name=n, op=o, shape=s) for n, o, s in table],
            numpy_check=verify,
        )
        with open(metrics_path, "w") as f:
            json.dump(metrics, f, indent=1)
            f.write("\n")
    log("done")


if __name__ == "__main__":
    sys.exit(main())
