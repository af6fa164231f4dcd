"""Python peer of ClientDataBench: the same steps with the standard json module, numpy and PyTorch's DataLoader.

Usage: python3 bench/torch_client_data.py FEMNIST_DIR IMAGES_GZ LABELS_GZ BATCH [PASSES]
(prints rows in ClientDataBench's format; the memory column is the process's peak resident set so far, in MiB)
"""
import gzip
import json
import os
import resource
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

torch.set_num_threads(1)
femnist, images, labels, batch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
passes = int(sys.argv[5]) if len(sys.argv) > 5 else 3


def step(name, repeat, work):
    if repeat > 1:
        work()
    best, n = float("inf"), 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        n = work()
        best = min(best, time.perf_counter() - t0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
    print(f"{'torch ' + name:<22} {n:9d} {best:9.3f} {n / best:12.0f} {rss:10d}")


def read_leaf(split):
    users = {}
    folder = os.path.join(femnist, split)
    for f in sorted(os.listdir(folder)):
        with gzip.open(os.path.join(folder, f), "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        for u in data["users"]:
            d = data["user_data"][u]
            users[u] = (np.asarray(d["x"], dtype=np.float32).reshape(-1, 28, 28), np.asarray(d["y"], dtype=np.int32))
    return users


state = {}


def femnist_load():
    state["train"], state["test"] = read_leaf("train"), read_leaf("test")
    return sum(len(y) for _, y in state["train"].values()) + sum(len(y) for _, y in state["test"].values())


def drain(loader):
    n = 0
    for x, y in loader:
        n += len(y)
    return n


def femnist_clients():
    return sum(drain(DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=batch))
               for x, y in state["train"].values())


def idx(path, header):
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    return np.frombuffer(raw, dtype=np.uint8, offset=header)


def fmnist_read():
    state["x8"] = idx(images, 16).reshape(-1, 28, 28)
    state["y"] = idx(labels, 8).astype(np.int32)
    return len(state["y"])


def fmnist_tensors():
    state["x"] = torch.from_numpy(state["x8"] / 255.0).float()
    return len(state["y"])


def fmnist_batches():
    return drain(DataLoader(TensorDataset(state["x"], torch.from_numpy(state["y"])), batch_size=batch))


def dirichlet(labels_, clients, alpha, seed):
    rng = np.random.default_rng(seed)
    parts = [[] for _ in range(clients)]
    for c in range(labels_.max() + 1):
        rows = np.flatnonzero(labels_ == c)
        rng.shuffle(rows)
        cuts = (np.cumsum(rng.dirichlet([alpha] * clients)) * len(rows)).astype(int)[:-1]
        for k, part in enumerate(np.split(rows, cuts)):
            parts[k].extend(part.tolist())
    return [np.sort(np.asarray(p, dtype=np.int64)) for p in parts]


def fmnist_clients():
    x, y = state["x"], torch.from_numpy(state["y"])
    g = torch.Generator().manual_seed(2026)
    return sum(drain(DataLoader(TensorDataset(x[rows], y[rows]), batch_size=batch, shuffle=True, generator=g))
               for rows in state["parts"] if len(rows))


print(f"torch {torch.__version__}, numpy {np.__version__}, 1 thread")
step("femnist load", 1, femnist_load)
step("femnist clients", passes, femnist_clients)
step("fmnist read", 1, fmnist_read)
step("fmnist tensors", 1, fmnist_tensors)
step("fmnist batches", passes, fmnist_batches)
state["parts"] = dirichlet(state["y"], 100, 0.5, 2026)
step("fmnist clients", passes, fmnist_clients)
