#!/usr/bin/env python3
"""Prints one writer's FEMNIST examples as LeafJsonTest checks them, read with nothing but Python's json module.

Usage: femnist_writer.py FILE.json.gz WRITER > femnist_WRITER.txt

Lines: the writer, the example count, the labels, pixels 400..409 of example 0 (float32, repr of the
double they round to), and the SHA-256 of every pixel of every example as little-endian float32 in file order.
Pixels are rounded to float32 the way np.float32(x) does (round to nearest even), via struct.
"""
import gzip
import hashlib
import json
import struct
import sys

path, writer = sys.argv[1], sys.argv[2]
opener = gzip.open if path.endswith(".gz") else open
with opener(path, "rt", encoding="utf-8") as f:
    data = json.load(f)
entry = data["user_data"][writer]
xs, ys = entry["x"], entry["y"]
digest = hashlib.sha256()
for x in xs:
    digest.update(struct.pack("<%df" % len(x), *x))
middle = [struct.unpack("<f", struct.pack("<f", v))[0] for v in xs[0][400:410]]
print("writer", writer)
print("count", len(xs))
print("labels", " ".join(str(y) for y in ys))
print("pixels_400_409", " ".join(repr(v) for v in middle))
print("pixels_sha256", digest.hexdigest())
