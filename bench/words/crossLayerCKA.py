"""Data and NumPy peer of bench/words/crossLayerCKA.ts: linear CKA between every layer of a 24-layer model
(1024 wide) and every layer of a 12-layer model (768 wide) over the same 20,000 word occurrences, seed 002's
experiment (`experiment_CKA.py --layer1 24 --layer2 12`) at wav2vec2-large x BERT-base size.

    /usr/bin/python3 bench/words/crossLayerCKA.py make DIR N LA DA LB DB     # seeded float32 layers as .npy
    /usr/bin/python3 bench/words/crossLayerCKA.py peer DIR                    # one JSON line: timings and matrices

The layers: a 64-d latent per occurrence Z; model A's layer l is Z W_l + noise + offsets with W_l drifting with
depth, model B's the same with its own maps over the first 48 latent dimensions and 16 of its own, so the two
models share part of their structure (CKA between about 0.1 and 0.9).

Variants timed (float32, as the seed's features):
- seed: the seed's loop, Kornblith's feature_space_linear_cka(A_i, B_j) for all 24 x 12 pairs (each call centres
  both layers and forms X^T X, Y^T Y and X^T Y);
- once: the same formula with per-layer work once (centred copies, ||Xc^T Xc||_F) and only the 288 cross products.
"""
import json
import os
import sys
import time

import numpy as np


def feature_space_linear_cka(x, y):
    # Kornblith et al. 2019 reference notebook (debiased=False), as seed 002 uses it.
    x = x - np.mean(x, 0, keepdims=True)
    y = y - np.mean(y, 0, keepdims=True)
    dot = np.linalg.norm(x.T.dot(y)) ** 2
    return dot / (np.linalg.norm(x.T.dot(x)) * np.linalg.norm(y.T.dot(y)))


def make(d, n, la, da, lb, db):
    rng = np.random.default_rng(2026)
    os.makedirs(d, exist_ok=True)
    z = rng.standard_normal((n, 64)).astype(np.float32)
    for prefix, layers, width, latent in (('A', la, da, z), ('B', lb, db, np.concatenate([z[:, :48], rng.standard_normal((n, 16)).astype(np.float32)], 1))):
        w = rng.standard_normal((64, width)).astype(np.float32) / 8
        for l in range(layers):
            w = 0.85 * w + 0.5 * rng.standard_normal((64, width)).astype(np.float32) / 8
            x = latent @ w + (0.3 + 0.02 * l) * rng.standard_normal((n, width)).astype(np.float32) + 2 * rng.standard_normal(width).astype(np.float32)
            np.save(os.path.join(d, f'{prefix}_{l:02d}.npy'), x.astype(np.float32))


def peer(d):
    a = [np.load(os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.startswith('A_')]
    b = [np.load(os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.startswith('B_')]
    out = {'numpy': np.__version__, 'A': [len(a), *a[0].shape], 'B': [len(b), *b[0].shape], 'dtype': str(a[0].dtype)}
    t = time.perf_counter()
    cen_a = [x - x.mean(0, keepdims=True) for x in a]
    cen_b = [y - y.mean(0, keepdims=True) for y in b]
    self_a = [np.linalg.norm(c.T @ c) for c in cen_a]
    self_b = [np.linalg.norm(c.T @ c) for c in cen_b]
    m = np.zeros((len(a), len(b)))
    for i, x in enumerate(cen_a):
        for j, y in enumerate(cen_b):
            m[i, j] = np.linalg.norm(x.T @ y) ** 2 / (self_a[i] * self_b[j])
    out['once_s'] = time.perf_counter() - t
    out['once'] = m.tolist()
    del cen_a, cen_b
    if os.environ.get('CKA_SKIP_SEED') != '1':
        t = time.perf_counter()
        s = np.zeros((len(a), len(b)))
        for i, x in enumerate(a):
            for j, y in enumerate(b):
                s[i, j] = feature_space_linear_cka(x, y)
        out['seed_s'] = time.perf_counter() - t
        out['seed'] = s.tolist()
    print(json.dumps(out))


if __name__ == '__main__':
    if sys.argv[1] == 'make':
        make(sys.argv[2], *map(int, sys.argv[3:8]))
    else:
        peer(sys.argv[2])
