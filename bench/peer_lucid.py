#!/usr/bin/python3
"""The peer that featviz's render throughput is compared with: a Lucid-style activation-maximization loop in plain
PyTorch doing, per step, what featviz's Renderer (org.featviz.render.Renderer) does.

Per step, for a batch of B images, image b maximizing the spatial mean of channel (b mod C_target) of the target:
  params [B, C, H, Wf, 2] --FFT parameterization--> image [B, C, H, W] in (0, 1)
    spectrum = (re + i im) * s(ky, kx),  s = 1 / max(|f|, 1 / max(H, W))^decay   (Lucid's 1/f scaling, decay 1)
    t        = irfft2(spectrum, norm="ortho") / 4
    image    = sigmoid(t) for 1 channel; sigmoid(M t) with Lucid's color decorrelation M for 3 channels
  --transforms (default "small", featviz's family for 28x28 inputs: pad 2 with 0.5, jitter 2, scale
    {1 + (i - 5) / 50}, rotation -5..5 degrees, jitter 1; "lucid": pad 12, jitter 8, the same scales, rotation
    -10..10 with five extra 0s, jitter 4), composed as featviz does into ONE affine bilinear resampling per image
    (affine_grid + grid_sample over the padded image, zeros beyond the pad ring), output canvas H x W
  --normalization (x - mean) / std from the model's metadata (featviz.input.mean / featviz.input.std)
  --forward to the target layer only (the ONNX file's nodes that feed it, run as PyTorch ops on its weights)
  --objective: mean of the channel over positions; where that ReLU output is zero everywhere, the gradient goes to
    the ReLU's input instead (featviz's redirected ReLU)
  --backward to the params (input gradients only; weights are frozen), Adam (lr 0.05, betas 0.9 / 0.999, eps 1e-8)
    ascent.

It checks before it times: after the check steps every objective must be finite and the batch's mean objective
(on the untransformed image) must have grown since the start. Then it runs warm-up steps, times the measured
steps, and prints one line "peer ... image_steps_per_s=X ... image_steps_per_cpu_s=Y" (image-steps = batch x steps;
the second rate divides by the process's CPU time, all threads, which a busy machine disturbs less).
--self-test checks the transform and the FFT parameterization against featviz's formulas.

Shapes: B batch, C image channels, H, W image size, Wf = W // 2 + 1 stored spectrum columns.
Runs with Debian's python3-torch (1.13) and python3-onnx, or any newer PyTorch (--device cuda on a GPU host).
"""

import argparse
import math
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

TRANSFORMS = {
    "small": dict(pad=2, pad_value=0.5, jitter1=2, scales=[1 + (i - 5) / 50 for i in range(11)],
                  angles=list(range(-5, 6)), jitter2=1),
    "lucid": dict(pad=12, pad_value=0.5, jitter1=8, scales=[1 + (i - 5) / 50 for i in range(11)],
                  angles=list(range(-10, 11)) + [0] * 5, jitter2=4),
    "none": dict(pad=0, pad_value=0.5, jitter1=0, scales=[1.0], angles=[0], jitter2=0),
}

# Lucid's square root of ImageNet's color correlation, divided by its largest column norm (featviz's
# ColorDecorrelation): rgb[i] = sum_j M[i][j] t[j].
_SQRT_CORRELATION = np.array([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
COLOR = torch.tensor(_SQRT_CORRELATION / np.linalg.norm(_SQRT_CORRELATION, axis=0).max(), dtype=torch.float32)


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def symmetric_pads(node, pads):
    half = len(pads) // 2
    if list(pads[:half]) != list(pads[half:]):
        sys.exit(f"peer: node {node.name}: asymmetric pads {pads} not supported")
    return tuple(pads[:half])


def torch_op(node, a):
    """A function of the node's input tensors (None for an absent optional input) computing its first output."""
    op = node.op_type
    if op == "Conv":
        k = len(a.get("kernel_shape", [1, 1]))
        pads = symmetric_pads(node, a.get("pads", [0] * 2 * k))
        return lambda x, w, b=None: F.conv2d(x, w, b, tuple(a.get("strides", [1] * k)), pads,
                                             tuple(a.get("dilations", [1] * k)), a.get("group", 1))
    if op == "Relu":
        return F.relu
    if op in ("MaxPool", "AveragePool"):
        kernel = tuple(a["kernel_shape"])
        pads = symmetric_pads(node, a.get("pads", [0] * 2 * len(kernel)))
        strides, ceil = tuple(a.get("strides", [1] * len(kernel))), bool(a.get("ceil_mode", 0))
        if op == "MaxPool":
            return lambda x: F.max_pool2d(x, kernel, strides, pads, ceil_mode=ceil)
        return lambda x: F.avg_pool2d(x, kernel, strides, pads, ceil_mode=ceil,
                                      count_include_pad=bool(a.get("count_include_pad", 0)))
    if op == "GlobalAveragePool":
        return lambda x: x.mean(dim=(2, 3), keepdim=True)
    if op == "Concat":
        return lambda *xs: torch.cat(xs, dim=a["axis"])
    if op == "Add":
        return lambda x, y: x + y
    if op == "BatchNormalization":
        return lambda x, s, b, m, v: F.batch_norm(x, m, v, s, b, False, 0.0, a.get("epsilon", 1e-5))
    if op == "LRN":
        return lambda x: F.local_response_norm(x, a["size"], a.get("alpha", 1e-4), a.get("beta", 0.75), a.get("bias", 1.0))
    if op == "Flatten":
        return lambda x: torch.flatten(x, a.get("axis", 1))
    if op in ("Identity", "Dropout"):
        return lambda x, *rest: x
    if op == "Gemm":
        alpha, beta = a.get("alpha", 1.0), a.get("beta", 1.0)
        ta, tb = a.get("transA", 0), a.get("transB", 0)
        return lambda x, w, c=None: alpha * ((x.t() if ta else x) @ (w.t() if tb else w)) + (
            0 if c is None else beta * c)
    sys.exit(f"peer: op {op} ({node.name}) not supported")


class OnnxNet(torch.nn.Module):
    """The ONNX nodes that feed the target layer, in graph order, as PyTorch ops on the file's weights (frozen).
    forward(x) returns (the target ReLU's input, the target): for a target that no Relu writes, both are the target."""

    def __init__(self, model, target, device):
        super().__init__()
        graph = model.graph
        self.consts = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()).to(device)
                       for t in graph.initializer}
        producer = {o: n for n in graph.node for o in n.output}
        if target not in producer:
            sys.exit(f"peer: layer {target} not in the model; layers: {', '.join(n.output[0] for n in graph.node)}")
        needed, todo = set(), [target]
        while todo:
            name = todo.pop()
            node = producer.get(name)
            if node is None or node.name in needed:
                continue
            needed.add(node.name)
            todo.extend(node.input)
        self.input = graph.input[0].name
        self.nodes = [(n, torch_op(n, attrs(n))) for n in graph.node if n.name in needed]
        last = producer[target]
        self.target = target
        self.pre = last.input[0] if last.op_type == "Relu" else target

    def forward(self, x):
        values = {self.input: x}
        for node, fn in self.nodes:
            args = [None if not i else self.consts[i] if i in self.consts else values[i] for i in node.input]
            values[node.output[0]] = fn(*args)
        return values[self.pre], values[self.target]


def spectrum_scale(h, w, decay=1.0):
    """s [H, Wf] = 1 / max(|f|, 1 / max(H, W))^decay with numpy's fftfreq (rows) and rfftfreq (columns)."""
    fy = torch.fft.fftfreq(h)[:, None]
    fx = torch.fft.rfftfreq(w)[None, :]
    f = torch.sqrt(fy * fy + fx * fx)
    return 1.0 / torch.clamp(f, min=1.0 / max(h, w)) ** decay


def to_image(params, scale, h, w, color=None):
    """params [B, C, H, Wf, 2] -> image [B, C, H, W] = sigmoid([color @] irfft2(scale * (re + i im), ortho) / 4)."""
    t = torch.fft.irfftn(torch.view_as_complex(params) * scale, s=(h, w), norm="ortho") / 4
    if color is not None:
        t = torch.einsum("ij,bjhw->bihw", color, t)
    return torch.sigmoid(t)


def thetas(tx, ty, scale, angle_degrees, h, w, pad):
    """One affine map per image, [B, 2, 3], from the output canvas's normalized coordinates to those of the padded
    image (align_corners=True), equal to featviz's
      p_img = c_img + R(angle) (p_out - c_out) / scale + (tx, ty),   c = ((W - 1) / 2, (H - 1) / 2),
    with the padded image's pixel = image pixel + pad. Arguments: float64 tensors [B]."""
    rad = angle_degrees * math.pi / 180
    cos, sin = torch.cos(rad), torch.sin(rad)
    wp, hp = w + 2 * pad - 1, h + 2 * pad - 1   # padded canvas extent, in pixel steps
    theta = torch.empty(tx.shape[0], 2, 3, dtype=torch.float64)
    theta[:, 0, 0] = cos * (w - 1) / (wp * scale)
    theta[:, 0, 1] = -sin * (h - 1) / (wp * scale)
    theta[:, 0, 2] = 2 * tx / wp
    theta[:, 1, 0] = sin * (w - 1) / (hp * scale)
    theta[:, 1, 1] = cos * (h - 1) / (hp * scale)
    theta[:, 1, 2] = 2 * ty / hp
    return theta


def draw_thetas(batch, h, w, t, gen):
    """This step's random transforms, [B, 2, 3] float32: jitters of o - j // 2 with o uniform in 0..j (first x, y,
    then after scale and angle a second x, y, as featviz draws), a scale and an angle from their lists."""
    def jitter(j):
        return (torch.randint(0, j + 1, (batch,), generator=gen) - j // 2).double()
    tx, ty = jitter(t["jitter1"]), jitter(t["jitter1"])
    scale = torch.tensor(t["scales"], dtype=torch.float64)[torch.randint(0, len(t["scales"]), (batch,), generator=gen)]
    angle = torch.tensor(t["angles"], dtype=torch.float64)[torch.randint(0, len(t["angles"]), (batch,), generator=gen)]
    tx, ty = tx + jitter(t["jitter2"]), ty + jitter(t["jitter2"])
    return thetas(tx, ty, scale, angle, h, w, t["pad"]).float()


def transform(image, theta, t):
    """image [B, C, H, W] -> [B, C, H, W]: pad ring of pad_value, then one bilinear affine resampling (0 beyond)."""
    p = t["pad"]
    padded = F.pad(image, (p, p, p, p), value=t["pad_value"]) if p > 0 else image
    grid = F.affine_grid(theta, list(image.shape), align_corners=True)
    return F.grid_sample(padded, grid, mode="bilinear", padding_mode="zeros", align_corners=True)


def objective(pre, act, units):
    """Per image b: mean of act[b, units[b]] over positions; where that channel is zero everywhere (a ReLU output),
    the mean of pre[b, units[b]] instead, so the gradient reaches the ReLU's input (redirected ReLU). [B]"""
    rows = torch.arange(act.shape[0], device=act.device)
    a = act[rows, units].reshape(act.shape[0], -1)
    p = pre[rows, units].reshape(act.shape[0], -1)
    alive = (a > 0).any(dim=1)
    return torch.where(alive, a.mean(dim=1), p.mean(dim=1))


def transform_reference(image, tx, ty, scale, angle, t):
    """featviz's Transforms.forward written out per output pixel (docs/parameterizations.md), for the self-test.
    image [C, H, W] (numpy float64) -> [C, H, W]."""
    ch, h, w = image.shape
    pad = t["pad"]
    out = np.zeros_like(image)
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    for yo in range(h):
        for xo in range(w):
            dx, dy = xo - (w - 1) / 2, yo - (h - 1) / 2
            x = (w - 1) / 2 + (cos * dx - sin * dy) / scale + tx
            y = (h - 1) / 2 + (sin * dx + cos * dy) / scale + ty
            x0, y0 = math.floor(x), math.floor(y)
            for i, wy in ((y0, 1 - (y - y0)), (y0 + 1, y - y0)):
                for j, wx in ((x0, 1 - (x - x0)), (x0 + 1, x - x0)):
                    if 0 <= i < h and 0 <= j < w:
                        v = image[:, i, j]
                    elif -pad <= i < h + pad and -pad <= j < w + pad:
                        v = t["pad_value"]
                    else:
                        v = 0.0
                    out[:, yo, xo] += wy * wx * v
    return out


def self_test(h=28, w=28, seed=1):
    """Checks the pieces written differently from featviz: the transform (affine_grid + grid_sample against
    featviz's per-pixel formula, at extreme draws of both families and a jitter beyond the pad) and the FFT
    parameterization with and without color (against numpy's irfft2 with featviz's scaling)."""
    rng = np.random.default_rng(seed)
    image = rng.random((3, h, w))
    worst = 0.0
    for name, tx, ty, scale, angle in [("small", 0, 0, 1.0, 0), ("small", -2, 1, 0.9, -5), ("small", 1, -2, 1.1, 5),
                                       ("small", 2, 2, 0.94, 3), ("small", -9, 7, 1.0, 0), ("lucid", -6, 6, 0.9, 10),
                                       ("lucid", 5, -3, 1.1, -10)]:
        t = TRANSFORMS[name]
        d = lambda v: torch.tensor([float(v)], dtype=torch.float64)
        theta = thetas(d(tx), d(ty), d(scale), d(angle), h, w, t["pad"])
        got = transform(torch.from_numpy(image)[None], theta, t)[0].numpy()
        worst = max(worst, float(np.abs(got - transform_reference(image, tx, ty, scale, angle, t)).max()))
    params = rng.normal(0, 1, (1, 3, h, w // 2 + 1, 2))
    s = spectrum_scale(h, w).double()
    spectrum = (params[0, ..., 0] + 1j * params[0, ..., 1]) * s.numpy()
    t_ref = np.fft.irfft2(spectrum * math.sqrt(h * w), s=(h, w)) / 4          # [3, H, W], numpy's 1/(HW) inverse
    fft_err = 0.0
    for color in (None, COLOR.double()):
        got = to_image(torch.from_numpy(params), s, h, w, color)[0].numpy()
        mixed = t_ref if color is None else np.einsum("ij,jhw->ihw", color.numpy(), t_ref)
        fft_err = max(fft_err, float(np.abs(got - 1 / (1 + np.exp(-mixed))).max()))
    ok = worst < 1e-9 and fft_err < 1e-9
    print(f"peer self-test: transform max error {worst:.2e}, fft image max error {fft_err:.2e}: "
          f"{'OK' if ok else 'FAILED'}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="models/fashion-cnn.onnx")
    ap.add_argument("--layer", default="relu2")
    ap.add_argument("--batch", type=int, default=8, help="images; image b maximizes channel b mod channels")
    ap.add_argument("--transforms", default="small", choices=sorted(TRANSFORMS))
    ap.add_argument("--input-shape", help="C,H,W where the model's input is dynamic beyond the batch")
    ap.add_argument("--check-steps", type=int, default=8, help="steps before the sanity check (default 8)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed steps after the check (default 2)")
    ap.add_argument("--steps", type=int, default=0, help="timed steps (default: enough for --seconds)")
    ap.add_argument("--seconds", type=float, default=10, help="target length of the timed part (default 10)")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    ap.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    ap.add_argument("--tf32", action="store_true", help="let cuDNN and cuBLAS use TF32 (default: strict FP32)")
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--self-test", action="store_true", help="check transform and FFT against featviz's formulas")
    args = ap.parse_args()
    if args.check_steps < 2 or args.warmup < 0 or args.steps < 0 or args.batch < 1 or not args.seconds > 0:
        sys.exit("peer: need --check-steps >= 2, --warmup >= 0, --steps >= 0, --batch >= 1, --seconds > 0")
    if args.self_test:
        sys.exit(0 if self_test() else 1)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    if device.type == "cuda":
        torch.backends.cudnn.allow_tf32 = args.tf32
        torch.backends.cuda.matmul.allow_tf32 = args.tf32
        torch.backends.cudnn.benchmark = True
    sync = (lambda: torch.cuda.synchronize(device)) if device.type == "cuda" else (lambda: None)
    gen = torch.Generator().manual_seed(args.seed)
    model = onnx.load(args.model)
    meta = {p.key: p.value for p in model.metadata_props}
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    c, h, w = [int(v) for v in args.input_shape.split(",")] if args.input_shape else dims[1:4]
    if min(c, h, w) < 1:
        sys.exit(f"peer: the model's input is {dims}: give --input-shape C,H,W")
    if c not in (1, 3):
        sys.exit(f"peer: images of 1 or 3 channels only, the model takes {c}")
    mean = torch.tensor([float(v) for v in meta.get("featviz.input.mean", "0").split(",")], device=device)
    std = torch.tensor([float(v) for v in meta.get("featviz.input.std", "1").split(",")], device=device)
    mean, std = mean.view(1, -1, 1, 1), std.view(1, -1, 1, 1)
    net = OnnxNet(model, args.layer, device)
    with torch.no_grad():
        channels = net(torch.zeros(1, c, h, w, device=device))[1].shape[1]
    units = torch.arange(args.batch, device=device) % channels
    t = TRANSFORMS[args.transforms]
    scale = spectrum_scale(h, w).to(device)
    color = COLOR.to(device) if c == 3 else None
    params = (torch.randn(args.batch, c, h, w // 2 + 1, 2) * 0.01).to(device).requires_grad_()
    opt = torch.optim.Adam([params], lr=args.lr, betas=(0.9, 0.999), eps=1e-8)

    def step():
        opt.zero_grad(set_to_none=True)
        image = to_image(params, scale, h, w, color)
        theta = draw_thetas(args.batch, h, w, t, gen).to(device, non_blocking=True)
        pre, act = net((transform(image, theta, t) - mean) / std)
        (-objective(pre, act, units).sum()).backward()
        opt.step()

    def measure():
        """The objective on the untransformed image (what featviz reports as objective_value). [B]"""
        with torch.no_grad():
            act = net((to_image(params, scale, h, w, color) - mean) / std)[1]
            return act[torch.arange(args.batch, device=device), units].reshape(args.batch, -1).mean(dim=1).cpu()

    before = measure()
    step()
    sync()
    t0 = time.perf_counter()
    for _ in range(args.check_steps - 1):
        step()
    sync()
    per_step = (time.perf_counter() - t0) / (args.check_steps - 1)
    after = measure()
    grew = int((after > before).sum())
    ok = bool(torch.isfinite(after).all()) and bool(torch.isfinite(params).all()) and after.mean() > before.mean()
    print(f"peer check layer={args.layer} batch={args.batch}: objective mean {before.mean():.4g} -> "
          f"{after.mean():.4g} after {args.check_steps} steps, {grew}/{args.batch} grew: {'OK' if ok else 'FAILED'}")
    if not ok:
        sys.exit(1)

    for _ in range(args.warmup):
        step()
    steps = args.steps if args.steps > 0 else max(5, int(math.ceil(args.seconds / per_step)))
    sync()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    sync()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    if not torch.isfinite(params).all():
        sys.exit("peer: parameters diverged during the timed steps")
    where = f"threads={args.threads}" if device.type == "cpu" else f"device={args.device} tf32={int(args.tf32)}"
    print(f"peer layer={args.layer} batch={args.batch} {where} steps={steps} seconds={seconds:.3f} "
          f"cpu_seconds={cpu:.3f} image_steps_per_s={args.batch * steps / seconds:.2f} "
          f"image_steps_per_cpu_s={args.batch * steps / cpu:.2f}")


if __name__ == "__main__":
    main()
