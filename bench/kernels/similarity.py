"""NumPy/PyTorch peer of bench/kernels/similarity.ts: layer x layer linear CKA and mutual kNN on the same
13 float32 layers (read from the .npy files the TypeScript side wrote). Invoked by the TypeScript bench:

    /usr/bin/python3 bench/kernels/similarity.py DIR K THREADS

Prints one JSON line with timings and the matrices. Variants timed:
- cka_seed:   the seed notebook's loop, Kornblith's feature_space_linear_cka(X_i, X_j) for all L x L pairs.
- cka_once:   the same formula with per-layer work done once (centred copies, ||Xc^T Xc||_F) and only the
              upper triangle of cross products: the fastest straightforward NumPy.
- knn_numpy:  per layer once: rows L2-normalised, S = X X^T, diagonal -inf, np.argpartition top-k; then
              the mutual-kNN overlaps (platonic-rep mutual_knn) for the upper triangle.
- knn_torch:  the same with torch.topk (platonic-rep's library) instead of argpartition.
"""
import json
import os
import sys
import time

import numpy as np


def feature_space_linear_cka(x, y):
    # Kornblith et al. 2019 reference notebook (debiased=False).
    x = x - np.mean(x, 0, keepdims=True)
    y = y - np.mean(y, 0, keepdims=True)
    dot = np.linalg.norm(x.T.dot(y)) ** 2
    return dot / (np.linalg.norm(x.T.dot(x)) * np.linalg.norm(y.T.dot(y)))


def overlaps(knns, k):
    L = len(knns)
    M = np.zeros((L, L))
    for i in range(L):
        for j in range(i, L):
            a, b = knns[i], knns[j]
            shared = (a[:, :, None] == b[:, None, :]).any(-1).sum(1)
            M[i, j] = M[j, i] = float(np.mean(shared / k))
    return M


def main():
    d, k, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    import torch
    torch.set_num_threads(threads)
    files = sorted(f for f in os.listdir(d) if f.startswith('layer_') and f.endswith('.npy'))
    layers = [np.load(os.path.join(d, f)) for f in files]
    L = len(layers)
    out = {'layers': L, 'shape': list(layers[0].shape), 'dtype': str(layers[0].dtype), 'numpy': np.__version__, 'torch': torch.__version__}

    t = time.perf_counter()
    M = np.zeros((L, L))
    for i in range(L):
        for j in range(L):
            M[i, j] = feature_space_linear_cka(layers[i], layers[j])
    out['cka_seed_s'] = time.perf_counter() - t
    out['cka_seed'] = M.tolist()

    t = time.perf_counter()
    cen = [x - x.mean(0, keepdims=True) for x in layers]
    selfn = [np.linalg.norm(c.T @ c) for c in cen]
    M = np.eye(L)
    for i in range(L):
        for j in range(i + 1, L):
            M[i, j] = M[j, i] = np.linalg.norm(cen[i].T @ cen[j]) ** 2 / (selfn[i] * selfn[j])
    out['cka_once_s'] = time.perf_counter() - t
    out['cka_once'] = M.tolist()
    del cen

    t = time.perf_counter()
    knns = []
    for x in layers:
        xn = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
        s = xn @ xn.T
        np.fill_diagonal(s, -np.inf)
        knns.append(np.argpartition(-s, k, axis=1)[:, :k])
        del s
    M = overlaps(knns, k)
    out['knn_numpy_s'] = time.perf_counter() - t
    out['knn_numpy'] = M.tolist()

    t = time.perf_counter()
    knns = []
    for x in layers:
        xt = torch.nn.functional.normalize(torch.from_numpy(x), dim=-1)
        s = xt @ xt.T
        s.fill_diagonal_(float('-inf'))
        knns.append(torch.topk(s, k, dim=1).indices.numpy())
        del s
    M = overlaps(knns, k)
    out['knn_torch_s'] = time.perf_counter() - t
    out['knn_torch'] = M.tolist()
    print(json.dumps(out))


if __name__ == '__main__':
    main()
