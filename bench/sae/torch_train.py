"""PyTorch CPU peer of bench/sae/trainStep.bench.ts: the seed's SparseAutoencoder (relu-l1) trained with
torch.optim.Adam from the same initial weights on the same batches, one thread count fixed.

Invoked by the TypeScript bench (not on its own):
    /usr/bin/python3 bench/sae/torch_train.py DIR STEPS THREADS
DIR holds init.safetensors (the initial weights, written by layerwise), pool.npy (float32 [frames, d]) and
batches.npy (int32 [steps, batch] row indices into the pool). Prints one JSON line: per-step losses, wall
and process CPU seconds, and the bare matmul GFLOP/s of this torch build.
"""
import json
import os
import struct
import sys
import time

import numpy as np
import torch

# The seed's SAE module, defined once beside the checkpoint fixtures that the tests read.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'sae'))
from make_checkpoint_fixtures import SparseAutoencoder  # noqa: E402


def read_safetensors(path):
    # The safetensors package is not installed: parse the documented layout by hand.
    with open(path, "rb") as fh:
        raw = fh.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        dt = {"F32": "<f4", "F64": "<f8"}[e["dtype"]]
        b, end = e["data_offsets"]
        out[name] = np.frombuffer(data[b:end], dtype=dt).reshape(e["shape"]).copy()
    return out


def sae_loss(X, reconstructed_X, encoded_X, W_d, lambda_val):
    # The seed's loss, verbatim.
    mse_loss = ((X - reconstructed_X) ** 2).sum(dim=-1).mean(0)
    sparsity_loss = lambda_val * ((torch.norm(W_d, p=2, dim=0) * encoded_X).sum(dim=1)).mean(0)
    return (mse_loss + sparsity_loss, mse_loss)


def main():
    folder, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    lr, l1 = float(sys.argv[4]), float(sys.argv[5])
    torch.set_num_threads(threads)
    w = read_safetensors(f"{folder}/init.safetensors")
    pool = torch.from_numpy(np.load(f"{folder}/pool.npy"))
    batches = torch.from_numpy(np.load(f"{folder}/batches.npy").astype(np.int64))
    d, L = w["decoder.weight"].shape
    sae = SparseAutoencoder(d, L)
    sae.load_state_dict({k: torch.from_numpy(v) for k, v in w.items()})
    opt = torch.optim.Adam(sae.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)

    losses, seconds, cpu = [], [], []
    for s in range(steps):
        t0 = time.perf_counter()
        c0 = time.process_time()
        x = pool[batches[s]]
        decoded, encoded = sae(x)
        loss, _ = sae_loss(x, decoded, encoded, sae.decoder.weight, l1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        lv = loss.item()
        seconds.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        losses.append(lv)

    # Bare matmul rate of this torch build at the same thread count: [B, L] x [L, d].
    B = batches.shape[1]
    a = torch.randn(B, L)
    b = torch.randn(L, d)
    for _ in range(2):
        a @ b
    reps = 5
    t0 = time.perf_counter()
    for _ in range(reps):
        a @ b
    mm = 2 * B * L * d * reps / (time.perf_counter() - t0) / 1e9
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "losses": losses,
                      "seconds": seconds, "cpuSeconds": cpu, "matmulGflops": mm}))


if __name__ == "__main__":
    main()
