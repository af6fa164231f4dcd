#!/usr/bin/env python3
"""PyTorch peer for TrainStepBench: the same models, shapes and SGD step on one CPU thread.

Usage: torch_train_step.py time [--seconds S]        -> JSON {"mlp_ms": ..., "cnn_ms": ..., "mlp_cpu_ms": ..., ...}
       torch_train_step.py check DIR                 -> JSON with loss and gradients' max differences
The thread pins are set before torch is imported (torch.set_num_threads alone does not reach OpenBLAS).
"""
import os
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
import json
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
BATCH = 20


def mlp():
    return torch.nn.Sequential(
        torch.nn.Linear(784, 200), torch.nn.ReLU(),
        torch.nn.Linear(200, 200), torch.nn.ReLU(),
        torch.nn.Linear(200, 10))


class Cnn(torch.nn.Module):
    """TFF's FedAvg CNN; nhwc_flatten flattens in Cohort's (TF's) NHWC order for numeric checks."""

    def __init__(self, nhwc_flatten=False):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 32, 5, padding=2)
        self.conv2 = torch.nn.Conv2d(32, 64, 5, padding=2)
        self.fc1 = torch.nn.Linear(7 * 7 * 64, 512)
        self.fc2 = torch.nn.Linear(512, 62)
        self.nhwc_flatten = nhwc_flatten

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
        if self.nhwc_flatten:
            x = x.permute(0, 2, 3, 1)
        x = x.reshape(x.shape[0], -1)
        return self.fc2(torch.relu(self.fc1(x)))


def step(model, opt, x, y):
    opt.zero_grad(set_to_none=True)
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return loss


def time_model(model, x, y, seconds):
    """Best of 5 slices: (wall ms, CPU ms) per step; CPU time is the process's, which load from others inflates less."""
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    end = time.perf_counter() + seconds / 3  # warm-up
    while time.perf_counter() < end:
        step(model, opt, x, y)
    best = float("inf")
    best_cpu = float("inf")
    for _ in range(5):
        n = 0
        start = time.perf_counter()
        cpu_start = time.process_time()
        while True:
            step(model, opt, x, y)
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed > seconds / 7.5:
                break
        best = min(best, elapsed / n)
        best_cpu = min(best_cpu, (time.process_time() - cpu_start) / n)
    return best * 1000, best_cpu * 1000


def timing(seconds):
    g = torch.Generator().manual_seed(0)
    x = torch.rand(BATCH, 784, generator=g)
    y = torch.randint(0, 10, (BATCH,), generator=g)
    mlp_ms, mlp_cpu_ms = time_model(mlp(), x, y, seconds)
    xc = torch.rand(BATCH, 1, 28, 28, generator=g)
    yc = torch.randint(0, 62, (BATCH,), generator=g)
    cnn_ms, cnn_cpu_ms = time_model(Cnn(), xc, yc, seconds)
    print(json.dumps({"mlp_ms": mlp_ms, "cnn_ms": cnn_ms, "mlp_cpu_ms": mlp_cpu_ms, "cnn_cpu_ms": cnn_cpu_ms,
                      "torch": torch.__version__,
                      "threads": torch.get_num_threads()}))


TOLERANCE = 1e-4  # relative; float32 results of the two frameworks agree to ~1e-6


def check(directory):
    """Loads Cohort's weights and batch from .npz, computes the loss and every gradient, compares them all.

    Cohort's layouts are Keras': dense kernels [in, out] (PyTorch: [out, in]) and HWIO filters (PyTorch: OIHW).
    Exits non-zero if any difference exceeds TOLERANCE.
    """
    out = {}
    worst = 0.0
    for name in ("mlp", "cnn"):
        w = np.load(os.path.join(directory, name + "_weights.npz"))
        data = np.load(os.path.join(directory, name + "_batch.npz"))
        grads = np.load(os.path.join(directory, name + "_grads.npz"))
        if name == "mlp":
            model = mlp()
            layers = {"dense": model[0], "dense_1": model[2], "dense_2": model[4]}
            x = torch.from_numpy(data["x"])
        else:
            model = Cnn(nhwc_flatten=True)
            layers = {"conv2d": model.conv1, "conv2d_1": model.conv2, "dense": model.fc1, "dense_1": model.fc2}
            x = torch.from_numpy(data["x"]).permute(0, 3, 1, 2).contiguous()
        for prefix, layer in layers.items():
            kernel = w[prefix + "/kernel"]
            perm = (3, 2, 0, 1) if kernel.ndim == 4 else (1, 0)
            layer.weight.data = torch.from_numpy(np.ascontiguousarray(kernel.transpose(perm)))
            layer.bias.data = torch.from_numpy(w[prefix + "/bias"])
        y = torch.from_numpy(data["y"].astype(np.int64))
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        result = {"loss": float(loss), "cohort_loss": float(data["loss"])}
        worst = max(worst, abs(result["loss"] - result["cohort_loss"]) / abs(result["loss"]))
        for prefix, layer in layers.items():
            g = layer.weight.grad.numpy()
            g = g.transpose(2, 3, 1, 0) if g.ndim == 4 else g.T
            for key, theirs in ((prefix + "/kernel", g), (prefix + "/bias", layer.bias.grad.numpy())):
                diff = float(np.max(np.abs(theirs - grads[key])) / (np.max(np.abs(theirs)) + 1e-30))
                result[key] = diff
                worst = max(worst, diff)
        out[name] = result
    out["max_relative_difference"] = worst
    print(json.dumps(out))
    if worst > TOLERANCE:
        sys.exit("Cohort and PyTorch disagree: max relative difference %g > %g" % (worst, TOLERANCE))


if __name__ == "__main__":
    if sys.argv[1] == "time":
        seconds = float(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--seconds" else 6.0
        timing(seconds)
    elif sys.argv[1] == "check":
        check(sys.argv[2])
    else:
        sys.exit("usage: torch_train_step.py time [--seconds S] | check DIR")
