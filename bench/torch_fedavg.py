#!/usr/bin/env python3
"""PyTorch peer for FedAvgBench: a plain FedAvg loop on the FEMNIST LEAF sample, in PyTorch's fastest CPU setup.

Usage: torch_fedavg.py --data DIR --model logreg|mlp|cnn --schedule FILE --init NPZ --warmup W [--workers 2]
  DIR       LEAF FEMNIST (train/*.json[.gz]); the clients' examples in file order, as Cohort reads them
  FILE      one line per round: the ids of that round's clients (FedAvgBench writes it from Cohort's sampler)
  NPZ       the initial weights, in Cohort's (Keras') layout: dense kernels [in, out], HWIO filters
  W         the first W rounds are warm-up and not timed
Prints one JSON object: the timed rounds' seconds, every round's example-weighted mean training loss and examples.

Each round: the server sends the weights to the worker processes; each trains its share of the round's clients
(one epoch of SGD at learning rate 0.05, batches of 20 in order, no shuffling) and returns the example-weighted sum
of its client models; the server's new model is the weighted mean (FedAvg with server SGD at learning rate 1).
The clients are split between the workers by example counts (largest first to the less loaded worker). At batch 20
two processes with one thread each beat one process with two threads, so the thread pins are set before torch is
imported, in this process and (spawned) in every worker.
"""
import os
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
import argparse
import glob
import gzip
import json
import multiprocessing as mp
import time

import numpy as np
import torch

from torch_train_step import Cnn  # TFF's FedAvg CNN with the 62-way head, NCHW

torch.set_num_threads(1)
BATCH = 20
LEARNING_RATE = 0.05


def load_leaf(root):
    """{client id: (x float32 [n, 1, 28, 28], y int64 [n])} from LEAF's train/ files."""
    clients = {}
    for path in sorted(glob.glob(os.path.join(root, "train", "*.json*"))):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt") as f:
            data = json.load(f)
        for user in data["users"]:
            d = data["user_data"][user]
            x = np.asarray(d["x"], dtype=np.float32).reshape(-1, 1, 28, 28)
            y = np.asarray(d["y"], dtype=np.int64)
            clients[user] = (torch.from_numpy(x), torch.from_numpy(y))
    return clients


def build(name):
    """The model and its layers named as Cohort's weights file names them."""
    if name == "logreg":
        model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 62))
        return model, {"dense": model[1]}
    if name == "mlp":
        model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 200), torch.nn.ReLU(),
                                    torch.nn.Linear(200, 200), torch.nn.ReLU(), torch.nn.Linear(200, 62))
        return model, {"dense": model[1], "dense_1": model[3], "dense_2": model[5]}
    model = Cnn()  # flattens NCHW: the dense kernel's rows are reordered from Cohort's NHWC at load
    return model, {"conv2d": model.conv1, "conv2d_1": model.conv2, "dense": model.fc1, "dense_1": model.fc2}


def initial_weights(name, path):
    """Cohort's initial weights as PyTorch's parameters, in the order of model.parameters()."""
    w = np.load(path)
    model, layers = build(name)
    for prefix, layer in layers.items():
        kernel = w[prefix + "/kernel"]
        if kernel.ndim == 4:  # HWIO -> OIHW
            kernel = kernel.transpose(3, 2, 0, 1)
        else:
            if name == "cnn" and prefix == "dense":  # rows in NHWC order (h, w, c) -> PyTorch's (c, h, w)
                kernel = kernel.reshape(7, 7, 64, -1).transpose(2, 0, 1, 3).reshape(3136, -1)
            kernel = kernel.T
        layer.weight.data = torch.from_numpy(np.ascontiguousarray(kernel))
        layer.bias.data = torch.from_numpy(w[prefix + "/bias"])
    return [p.detach().clone() for p in model.parameters()]


def worker(conn, root, name):
    torch.set_num_threads(1)
    clients = load_leaf(root)
    model, _ = build(name)
    params = list(model.parameters())
    conn.send("ready")
    while True:
        message = conn.recv()
        if message is None:
            return
        weights, ids = message
        total = [torch.zeros_like(w) for w in weights]
        examples = 0
        loss_sum = 0.0
        for cid in ids:
            with torch.no_grad():
                for p, w in zip(params, weights):
                    p.copy_(w)
            opt = torch.optim.SGD(params, lr=LEARNING_RATE)
            x, y = clients[cid]
            n = len(y)
            for start in range(0, n, BATCH):
                opt.zero_grad(set_to_none=True)
                loss = torch.nn.functional.cross_entropy(model(x[start:start + BATCH]), y[start:start + BATCH])
                loss.backward()
                opt.step()
                loss_sum += float(loss) * min(BATCH, n - start)
            with torch.no_grad():
                for t, p in zip(total, params):
                    t.add_(p, alpha=float(n))
            examples += n
        conn.send((total, examples, loss_sum))


def split(ids, sizes, workers):
    shares = [[] for _ in range(workers)]
    load = [0] * workers
    for cid in sorted(ids, key=lambda c: -sizes[c]):
        i = load.index(min(load))
        shares[i].append(cid)
        load[i] += sizes[cid]
    return shares


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--model", required=True, choices=["logreg", "mlp", "cnn"])
    parser.add_argument("--schedule", required=True)
    parser.add_argument("--init", required=True)
    parser.add_argument("--warmup", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with open(args.schedule) as f:
        rounds = [line.split() for line in f if line.strip()]
    sizes = {cid: len(xy[1]) for cid, xy in load_leaf(args.data).items()}
    weights = initial_weights(args.model, args.init)
    ctx = mp.get_context("spawn")
    pipes = []
    procs = []
    for _ in range(args.workers):
        parent, child = ctx.Pipe()
        p = ctx.Process(target=worker, args=(child, args.data, args.model), daemon=True)
        p.start()
        pipes.append(parent)
        procs.append(p)
    for parent in pipes:
        assert parent.recv() == "ready"
    seconds, losses, examples = [], [], []
    warming = 0.0
    for r, ids in enumerate(rounds):
        start = time.perf_counter()
        shares = split(ids, sizes, args.workers)
        for parent, share in zip(pipes, shares):
            parent.send((weights, share))
        total = [torch.zeros_like(w) for w in weights]
        n = 0
        loss_sum = 0.0
        for parent in pipes:
            t, e, l = parent.recv()
            for a, b in zip(total, t):
                a.add_(b)
            n += e
            loss_sum += l
        weights = [t / n for t in total]
        elapsed = time.perf_counter() - start
        if r >= args.warmup:
            seconds.append(elapsed)
        else:
            warming += elapsed
        losses.append(loss_sum / n)
        examples.append(n)
    for parent in pipes:
        parent.send(None)
    for p in procs:
        p.join()
    print(json.dumps({"torch": torch.__version__, "workers": args.workers, "threads_per_worker": 1,
                      "round_seconds": seconds, "warmup_seconds": [warming], "losses": losses, "examples": examples}))


if __name__ == "__main__":
    main()
