"""PyTorch peer of AggregatorBench: one round of zeroing + adaptive-DP-style clipped noised sum, and of zeroing +
clipping + 8-bit stochastic quantisation mean, over n generated client updates of `size` float32, one at a time.

Usage: python3 bench/torch_aggregators.py N SIZE   (prints rows in AggregatorBench's format)
"""
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
import torch  # noqa: E402

torch.set_num_threads(1)
n, size = int(sys.argv[1]), int(sys.argv[2])


def update(i):
    g = torch.Generator().manual_seed(7 * 1000003 + i)
    return torch.rand(size, generator=g) * 2 - 1


def dp_round():
    zero, clip, total, noise_std = 10.0 * 2 + 1, 0.1, torch.zeros(size), 1.0 * 0.1
    for i in range(n):
        x = update(i)
        if x.abs().max() > zero:
            x = torch.zeros(size)
        norm = x.norm()
        total += x * min(1.0, clip / float(norm))
    return (total + torch.randn(size) * noise_std) / n


def compression_round():
    zero, clip, total = 10.0 * 2 + 1, 1.0, torch.zeros(size)
    for i in range(n):
        x = update(i)
        if x.abs().max() > zero:
            x = torch.zeros(size)
        x = x * min(1.0, clip / float(x.norm()))
        lo, hi = x.min(), x.max()
        step = (hi - lo) / 255
        q = torch.floor((x - lo) / step + torch.rand(size)).clamp(0, 255)
        total += lo + q * step
    return total / n


for name, fn in (("torch robust(dp(mean))", dp_round), ("torch compression(mean)", compression_round)):
    t0 = time.perf_counter()
    fn()
    s = time.perf_counter() - t0
    print(f"{name:<22} {n:8d} {s:10.2f} {n / s:12.1f} {'-':>14}")
