"""PyTorch side of the `pytorch` bench contender (bench/contenders.mjs): a line-JSON server
on stdin/stdout, so the timing loop stays in the Node harness like every other contender.

  python3 torch_server.py THREADS
  <- {"ok": true, "version": v, "threads": n, "blas": "OpenBLAS", "blasLibs": [...], ...}
     or, without torch or numpy: {"ok": false, "status": "not installed", "error": why}, exit
  -> {"cmd": "setup", "id": cell, "workload": "mlp" | "cnn" | "lstm" | "deep-xor", "x": path,
      "y": path, "n": n, "batch": b, ...model sizes}
  <- {"ok": true}
  -> {"cmd": "steps", "id": cell, "k": k}    k trainOnBatch-like steps (zero_grad, forward,
                                              loss, backward, optimizer step)
  <- {"ok": true, "loss": last, "cpu": seconds of CPU this process used for them}
  -> {"cmd": "setup", "id": cell, "workload": "predict", "model": "mlp" | "cnn", "x": path, "n": n}
  -> {"cmd": "predict", "id": cell, "k": k}  k single-sample forward passes (no_grad), each on
                                              a fresh copy of one sample, its argmax read
  <- {"ok": true, "last": class, "cpu": seconds}
  -> {"cmd": "exit"}

Threads: THREADS for torch.set_num_threads (the harness also sets OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS before python starts). x is float32 and y int32, raw little-endian
files the harness wrote; images arrive NHWC (simdnet's layout) and are made NCHW here once,
outside the timing.
"""
import json
import os
import sys
import time

try:
    import numpy as np
    import torch
except ImportError as e:  # the harness shows the column as "not installed"
    print(json.dumps({"ok": False, "status": "not installed", "error": f"{sys.executable}: {e}"}), flush=True)
    sys.exit(0)

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
nn = torch.nn
cells = {}


def blas_in_use():
    """Which BLAS library the process mapped once torch ran a matmul (Debian's torch links
    the libblas.so.3 alternative: OpenBLAS when libopenblas0-pthread is installed, else the
    reference BLAS, ~8x slower)."""
    a = torch.ones(64, 64)
    torch.mm(a, a)
    with open("/proc/self/maps") as f:
        libs = sorted({line.split()[-1] for line in f if "blas" in line.lower() or "mkl" in line.lower()})
    names = " ".join(libs).lower()
    if "openblas" in names:
        kind = "OpenBLAS"
    elif "blis" in names:
        kind = "BLIS"
    elif "mkl" in names:
        kind = "MKL"
    elif "atlas" in names:
        kind = "ATLAS"
    elif "libblas" in names:
        kind = "reference BLAS"
    else:
        kind = "unknown"
    return kind, libs


def cpu_capability():
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            return line.split(":", 1)[1].strip()
    return None


def load(m, shape):
    x = torch.from_numpy(np.fromfile(m["x"], dtype=np.float32).reshape(m["n"], *shape))
    y = torch.from_numpy(np.fromfile(m["y"], dtype=np.int32).astype(np.int64)) if "y" in m else None
    return x, y


def mlp_model(units):
    """Dense layers with ReLU between them, He-normal weights (fan-in), zero biases."""
    mods = []
    for i in range(1, len(units)):
        lin = nn.Linear(units[i - 1], units[i])
        nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        nn.init.zeros_(lin.bias)
        mods += [lin, nn.ReLU()] if i < len(units) - 1 else [lin]
    return nn.Sequential(*mods)


def cnn_model(classes):
    """conv 5x5x16 same, ReLU, maxpool 2, conv 5x5x32 same, ReLU, maxpool 2, dense (torch's
    default initializers, as the other libraries use theirs)."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, classes))


class Lstm(nn.Module):
    def __init__(self, features, units, classes):
        super().__init__()
        self.lstm = nn.LSTM(features, units, batch_first=True)
        self.head = nn.Linear(units, classes)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def deep_xor_model(depth, width, activation):
    """`depth` dense layers: depth-1 hidden of `width` units, then 1 sigmoid output
    (the sigmoid is in the loss: BCEWithLogits)."""
    act = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]
    mods, fan_in = [], 2
    for _ in range(depth - 1):
        mods += [nn.Linear(fan_in, width), act()]
        fan_in = width
    return nn.Sequential(*mods, nn.Linear(fan_in, 1))


def setup(m):
    torch.manual_seed(1)
    w, b = m["workload"], m.get("batch")
    if w == "predict":
        shape = (784,) if m["model"] == "mlp" else (28, 28, 1)
        x, _ = load(m, shape)
        if m["model"] == "cnn":
            x = x.permute(0, 3, 1, 2).contiguous()  # NHWC -> NCHW, once
        model = mlp_model(m["units"]) if m["model"] == "mlp" else cnn_model(m["classes"])
        cells[m["id"]] = {"model": model.eval(), "x": x, "i": 0}
        return
    if w == "mlp":
        x, y = load(m, (m["units"][0],))
        model, lossf = mlp_model(m["units"]), nn.functional.cross_entropy
    elif w == "cnn":
        x, y = load(m, (28, 28, 1))
        x = x.permute(0, 3, 1, 2).contiguous()  # NHWC -> NCHW, once
        model, lossf = cnn_model(m["classes"]), nn.functional.cross_entropy
    elif w == "lstm":
        x, y = load(m, (m["T"], m["F"]))
        model, lossf = Lstm(m["F"], m["units"], m["classes"]), nn.functional.cross_entropy
    elif w == "deep-xor":
        x, _ = load(m, (2,))
        y = torch.from_numpy(np.fromfile(m["y"], dtype=np.float32).reshape(m["n"], 1))
        model, lossf = deep_xor_model(m["depth"], m["width"], m["activation"]), nn.functional.binary_cross_entropy_with_logits
        if m["optimizer"] != "sgd":
            raise ValueError(f"deep-xor: unknown optimizer {m['optimizer']}")
    else:
        raise ValueError(f"unknown workload {w}")
    opt = torch.optim.SGD(model.parameters(), lr=m["lr"]) if w == "deep-xor" else torch.optim.Adam(model.parameters(), lr=1e-3)
    cells[m["id"]] = {"model": model, "loss": lossf, "opt": opt, "i": 0,
                      "batches": [(x[s:s + b], y[s:s + b]) for s in range(0, m["n"] - b + 1, b)]}


def steps(cell, k):
    model, lossf, opt, bs = cell["model"], cell["loss"], cell["opt"], cell["batches"]
    loss = None
    for _ in range(k):
        xb, yb = bs[cell["i"] % len(bs)]
        cell["i"] += 1
        opt.zero_grad()
        loss = lossf(model(xb), yb)
        loss.backward()
        opt.step()
    return float(loss)


def predict(cell, k):
    model, x = cell["model"], cell["x"]
    n, last = x.shape[0], -1
    with torch.no_grad():
        for _ in range(k):
            sample = x[cell["i"] % n].clone().unsqueeze(0)  # a fresh input per call
            cell["i"] += 1
            last = int(model(sample).argmax())
    return last


blas, blas_libs = blas_in_use()
print(json.dumps({"ok": True, "version": torch.__version__, "threads": torch.get_num_threads(), "blas": blas,
                  "blasLibs": blas_libs, "mkldnn": torch.backends.mkldnn.is_available(), "cpuCapability": cpu_capability(),
                  "env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}}), flush=True)
for line in sys.stdin:
    msg = json.loads(line)
    try:
        c0 = time.process_time()
        if msg["cmd"] == "setup":
            setup(msg)
            out = {"ok": True}
        elif msg["cmd"] == "steps":
            out = {"ok": True, "loss": steps(cells[msg["id"]], msg["k"])}
        elif msg["cmd"] == "predict":
            out = {"ok": True, "last": predict(cells[msg["id"]], msg["k"])}
        elif msg["cmd"] == "exit":
            break
        else:
            out = {"ok": False, "error": f"unknown command {msg['cmd']}"}
        out["cpu"] = time.process_time() - c0
    except Exception as e:  # reported to the harness, which records the error
        out = {"ok": False, "error": repr(e)}
    print(json.dumps(out), flush=True)
