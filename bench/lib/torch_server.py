"""PyTorch side of the `pytorch` bench contender (bench/contenders.mjs): a line-JSON server
on stdin/stdout, so the timing loop stays in the Node harness like every other contender.

  -> {"cmd": "setup", "workload": "lstm", "x": path, "y": path, "n": n, "batch": b, "T": t, "F": f, "units": u, "classes": c}
  <- {"ok": true}
  -> {"cmd": "steps", "k": k}     k trainOnBatch-like steps (zero_grad, forward, CE, backward, Adam step)
  <- {"ok": true, "loss": last}
  -> {"cmd": "exit"}

One thread (torch.set_num_threads(1)): the comparison is single-core. x is float32 [n, T, F]
and y int32 [n], raw little-endian files the harness wrote.
"""
import json
import sys

import numpy as np
import torch

torch.set_num_threads(1)
state = {}


def setup(m):
    x = torch.from_numpy(np.fromfile(m["x"], dtype=np.float32).reshape(m["n"], m["T"], m["F"]))
    y = torch.from_numpy(np.fromfile(m["y"], dtype=np.int32).astype(np.int64))
    torch.manual_seed(1)
    lstm = torch.nn.LSTM(m["F"], m["units"], batch_first=True)
    head = torch.nn.Linear(m["units"], m["classes"])
    b = m["batch"]
    state.update(lstm=lstm, head=head, opt=torch.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=1e-3),
                 batches=[(x[s:s + b], y[s:s + b]) for s in range(0, m["n"] - b + 1, b)], i=0)


def steps(k):
    lstm, head, opt, bs = state["lstm"], state["head"], state["opt"], state["batches"]
    loss = None
    for _ in range(k):
        xb, yb = bs[state["i"] % len(bs)]
        state["i"] += 1
        opt.zero_grad()
        out, _ = lstm(xb)
        loss = torch.nn.functional.cross_entropy(head(out[:, -1]), yb)
        loss.backward()
        opt.step()
    return float(loss)


print(json.dumps({"ok": True, "version": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    msg = json.loads(line)
    try:
        if msg["cmd"] == "setup":
            setup(msg)
            out = {"ok": True}
        elif msg["cmd"] == "steps":
            out = {"ok": True, "loss": steps(msg["k"])}
        elif msg["cmd"] == "exit":
            break
        else:
            out = {"ok": False, "error": f"unknown command {msg['cmd']}"}
    except Exception as e:  # reported to the harness, which records the error
        out = {"ok": False, "error": repr(e)}
    print(json.dumps(out), flush=True)
