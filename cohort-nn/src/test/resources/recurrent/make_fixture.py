#!/usr/bin/env python3
"""Writes recurrent.npz for RecurrentReferenceTest: Keras-semantics GRU and LSTM outputs on fixed weights.

The reference is computed twice, independently: with numpy in float64 from Keras' equations (GRU v2 with
reset_after=True, gates z, r, h; LSTM gates i, f, c, o), and with torch.nn.GRU / torch.nn.LSTM after mapping the
weights to PyTorch's layouts (GRU gates r, z, n). The script fails unless both agree to 1e-6.
"""
import numpy as np
import torch

rng = np.random.default_rng(2024)
B, T, F = 2, 4, 3
x = rng.uniform(-1, 1, (B, T, F)).astype(np.float32)


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def gru_keras(x, k, r, b, u):
    h = np.zeros((x.shape[0], u))
    out = []
    for t in range(x.shape[1]):
        xw = x[:, t].astype(np.float64) @ k + b[0]
        hu = h @ r + b[1]
        z = sigmoid(xw[:, :u] + hu[:, :u])
        rr = sigmoid(xw[:, u:2 * u] + hu[:, u:2 * u])
        hh = np.tanh(xw[:, 2 * u:] + rr * hu[:, 2 * u:])
        h = z * h + (1 - z) * hh
        out.append(h)
    return np.stack(out, 1)


def lstm_keras(x, k, r, b, u):
    h = np.zeros((x.shape[0], u))
    c = np.zeros((x.shape[0], u))
    out = []
    for t in range(x.shape[1]):
        zz = x[:, t].astype(np.float64) @ k + h @ r + b
        i, f, g, o = sigmoid(zz[:, :u]), sigmoid(zz[:, u:2 * u]), np.tanh(zz[:, 2 * u:3 * u]), sigmoid(zz[:, 3 * u:])
        c = f * c + i * g
        h = o * np.tanh(c)
        out.append(h)
    return np.stack(out, 1)


U = 5
gk = rng.uniform(-0.5, 0.5, (F, 3 * U)).astype(np.float32)
gr = rng.uniform(-0.5, 0.5, (U, 3 * U)).astype(np.float32)
gb = rng.uniform(-0.2, 0.2, (2, 3 * U)).astype(np.float32)
gru_out = gru_keras(x, gk.astype(np.float64), gr.astype(np.float64), gb.astype(np.float64), U)

V = 4
lk = rng.uniform(-0.5, 0.5, (F, 4 * V)).astype(np.float32)
lr = rng.uniform(-0.5, 0.5, (V, 4 * V)).astype(np.float32)
lb = rng.uniform(-0.2, 0.2, (4 * V,)).astype(np.float32)
lstm_out = lstm_keras(x, lk.astype(np.float64), lr.astype(np.float64), lb.astype(np.float64), V)

# Cross-check with PyTorch. GRU: PyTorch's gate order is r, z, n; Keras' is z, r, h.
def reorder_gru(m):  # Keras columns [z | r | h] -> PyTorch rows [r | z | n]
    z, r, h = np.split(m, 3, axis=-1)
    return np.concatenate([r, z, h], axis=-1)


with torch.no_grad():
    g = torch.nn.GRU(F, U, batch_first=True).double()
    g.weight_ih_l0.copy_(torch.from_numpy(reorder_gru(gk).T.astype(np.float64)))
    g.weight_hh_l0.copy_(torch.from_numpy(reorder_gru(gr).T.astype(np.float64)))
    g.bias_ih_l0.copy_(torch.from_numpy(reorder_gru(gb[0]).astype(np.float64)))
    g.bias_hh_l0.copy_(torch.from_numpy(reorder_gru(gb[1]).astype(np.float64)))
    torch_gru = g(torch.from_numpy(x.astype(np.float64)))[0].numpy()
    l = torch.nn.LSTM(F, V, batch_first=True).double()
    l.weight_ih_l0.copy_(torch.from_numpy(lk.T.astype(np.float64)))
    l.weight_hh_l0.copy_(torch.from_numpy(lr.T.astype(np.float64)))
    l.bias_ih_l0.copy_(torch.from_numpy(lb.astype(np.float64)))
    l.bias_hh_l0.zero_()
    torch_lstm = l(torch.from_numpy(x.astype(np.float64)))[0].numpy()
assert np.max(np.abs(torch_gru - gru_out)) < 1e-6, np.max(np.abs(torch_gru - gru_out))
assert np.max(np.abs(torch_lstm - lstm_out)) < 1e-6, np.max(np.abs(torch_lstm - lstm_out))

np.savez("recurrent.npz", x=x,
         **{"gru/kernel": gk, "gru/recurrent_kernel": gr, "gru/bias": gb, "gru_out": gru_out.astype(np.float32),
            "lstm/kernel": lk, "lstm/recurrent_kernel": lr, "lstm/bias": lb, "lstm_out": lstm_out.astype(np.float32)})
print("max |numpy - torch|: gru", np.max(np.abs(torch_gru - gru_out)), "lstm", np.max(np.abs(torch_lstm - lstm_out)))
