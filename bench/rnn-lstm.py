# PyTorch side of bench/rnn-lstm.R (issue 16): trains the recurrent model
# that the R script describes in a task directory, on the data and from the
# starting weights that R wrote there, and prints one CSV line per epoch:
#   epoch,loss,accuracy,seconds
# The R script runs this file with the Debian python3-torch and OpenBLAS on
# LD_LIBRARY_PATH; it is not part of the package. By hand:
#   LD_LIBRARY_PATH=<openblas-pthread dir> OPENBLAS_NUM_THREADS=2 \
#     /usr/bin/python3 bench/rnn-lstm.py <task dir>
#
# Task directory (written by bench/rnn-lstm.R):
#   config.txt    "key value" lines: cell (lstm|gru), steps, features, units,
#                 classes, n, batch, epochs, lr, eps, threads
#   x.f32         float32, n x steps x features (C order: features fastest,
#                 then time, then example; the engine's column layout)
#   y.i32         int32, n class indices 0..classes-1
#   weights.txt   one line per tensor: "name file d1 d2 ..." with the
#                 tensor's statlearn name (layer.tensor) and R dimensions
#   *.f64         the tensors, float64, R (column-major) order
import os
import sys
import time

import numpy as np
import torch


def read_config(path):
    cfg = {}
    with open(path) as f:
        for line in f:
            k, v = line.split()
            cfg[k] = v
    return cfg


def read_weights(d):
    out = {}
    with open(os.path.join(d, "weights.txt")) as f:
        for line in f:
            parts = line.split()
            name, file, dims = parts[0], parts[1], [int(v) for v in parts[2:]]
            v = np.fromfile(os.path.join(d, file), dtype=np.float64)
            # R stores an in x out matrix column-major: the same bytes are
            # torch's out x in weight in C order.
            out[name] = (v, dims)
    return out


class Model(torch.nn.Module):
    def __init__(self, cell, features, units, classes):
        super().__init__()
        rnn = torch.nn.LSTM if cell == "lstm" else torch.nn.GRU
        self.rnn = rnn(features, units, batch_first=True)
        self.out = torch.nn.Linear(units, classes)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1, :])


def load_weights(model, w, cell, units):
    g = 4 if cell == "lstm" else 3
    rnn_names = [k for k in w if not k.startswith("dense")]
    dense_names = [k for k in w if k.startswith("dense")]

    def get(names, suffix):
        hits = [k for k in names if k.split(".", 1)[1] == suffix]
        return w[hits[0]][0] if hits else None

    with torch.no_grad():
        p = model.rnn
        F = p.weight_ih_l0.shape[1]
        p.weight_ih_l0.copy_(torch.from_numpy(get(rnn_names, "kernel").reshape(g * units, F)))
        p.weight_hh_l0.copy_(torch.from_numpy(get(rnn_names, "recurrent_kernel").reshape(g * units, units)))
        b = get(rnn_names, "bias")
        rb = get(rnn_names, "recurrent_bias")
        p.bias_ih_l0.copy_(torch.from_numpy(b) if b is not None else torch.zeros(g * units))
        p.bias_hh_l0.copy_(torch.from_numpy(rb) if rb is not None else torch.zeros(g * units))
        K = model.out.weight.shape[0]
        model.out.weight.copy_(torch.from_numpy(get(dense_names, "kernel").reshape(K, units)))
        model.out.bias.copy_(torch.from_numpy(get(dense_names, "bias")))


def main(d):
    cfg = read_config(os.path.join(d, "config.txt"))
    cell = cfg["cell"]
    T, F, U, K = (int(cfg[k]) for k in ("steps", "features", "units", "classes"))
    n, B, E = int(cfg["n"]), int(cfg["batch"]), int(cfg["epochs"])
    torch.set_num_threads(int(cfg["threads"]))
    torch.manual_seed(1)
    x = torch.from_numpy(np.fromfile(os.path.join(d, "x.f32"), dtype=np.float32).reshape(n, T, F))
    y = torch.from_numpy(np.fromfile(os.path.join(d, "y.i32"), dtype=np.int32).astype(np.int64))
    model = Model(cell, F, U, K)
    load_weights(model, read_weights(d), cell, U)
    model = model.float()
    if cell == "lstm":
        # statlearn's LSTM has one bias (PyTorch's bias_ih + bias_hh): it sits
        # in bias_ih and bias_hh stays 0. Trained, the pair would take two
        # Adam steps per step of statlearn's single bias.
        model.rnn.bias_hh_l0.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=float(cfg["lr"]), eps=float(cfg["eps"]))
    lossf = torch.nn.CrossEntropyLoss()
    batches = [(x[i:i + B].contiguous(), y[i:i + B].contiguous()) for i in range(0, n, B)]
    print("epoch,loss,accuracy,seconds")
    for e in range(1, E + 1):
        t0 = time.perf_counter()
        tot, correct = 0.0, 0
        for xb, yb in batches:  # no shuffling: both sides see the same batches in order
            opt.zero_grad(set_to_none=True)
            z = model(xb)
            loss = lossf(z, yb)
            loss.backward()
            opt.step()
            tot += loss.item()
            correct += (z.argmax(1) == yb).sum().item()
        sec = time.perf_counter() - t0
        print("%d,%.8g,%.6g,%.6g" % (e, tot / len(batches), correct / n, sec), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--info":
        print("torch %s, numpy %s, python %s" % (torch.__version__, np.__version__, sys.version.split()[0]))
        torch.set_num_threads(2)
        print("torch threads %d (interop %d), mkldnn %s, OPENBLAS_NUM_THREADS=%s" % (
            torch.get_num_threads(), torch.get_num_interop_threads(),
            torch.backends.mkldnn.is_available(), os.environ.get("OPENBLAS_NUM_THREADS", "unset")))
        a = torch.rand(1024, 1024)
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            for _ in range(10):
                a @ a
            best = min(best, time.perf_counter() - t0)
        print("torch SGEMM 1024^3 (its BLAS): %.1f GFLOP/s" % (2 * 1024 ** 3 * 10 / best / 1e9))
        sys.exit(0)
    main(sys.argv[1])
