#!/usr/bin/env python3
"""Writes the .npz fixtures that NpzTest reads (run with numpy; committed outputs are what this prints).

numpy_savez.npz (np.savez, uncompressed) and numpy_compressed.npz (np.savez_compressed) hold:
  dense/kernel  float32 (2, 3)  = arange(6) / 4            -> [0, .25, .5, .75, 1, 1.25]
  bias          float64 (3,)    = [0.1, -2.5, 3.0]          (read as float32)
  ids           int64   (4,)    = [0, -1, 2**40, 7]
  mask          bool    (2, 2)  = [[True, False], [False, True]]
  fortran       float32 (2, 3)  = arange(6).reshape(2, 3) in Fortran order
  bigendian     >f4     (2,)    = [1.5, -2.0]
  scalar        float32 ()      = 42.0
unsupported_dtype.npz holds 'z' complex64 (2,).
"""
import numpy as np

arrays = {
    "dense/kernel": (np.arange(6, dtype=np.float32) / 4).reshape(2, 3),
    "bias": np.array([0.1, -2.5, 3.0], dtype=np.float64),
    "ids": np.array([0, -1, 2**40, 7], dtype=np.int64),
    "mask": np.array([[True, False], [False, True]]),
    "fortran": np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
    "bigendian": np.array([1.5, -2.0], dtype=">f4"),
    "scalar": np.float32(42.0),
}
np.savez("numpy_savez.npz", **arrays)
np.savez_compressed("numpy_compressed.npz", **arrays)
np.savez("unsupported_dtype.npz", z=np.array([1 + 2j, 3], dtype=np.complex64))
print({k: np.asarray(v).tolist() for k, v in arrays.items()})
