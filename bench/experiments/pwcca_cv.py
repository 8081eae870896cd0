"""Peer of bench/experiments/pwccaCv.ts: layerwise-analysis's cross-validated PWCCA code path in NumPy, as its
experiments run it (codes/tools/cca_core.py get_cca_similarity + compute_pwcca per call; the loop of
codes/tools/tools_utils.py): 10 parts, up to 5 (dev, test) pairs until 3 succeed, per pair the shuffled 3x3
then 4x4 epsilon grids, the first 6 candidates that succeed fitted on the 8 training parts (np.cov of the
whole training data on every call, as the original), scored on dev, the best re-scored on test.
Only the computation is timed. usage: /usr/bin/python3 pwcca_cv.py DIR [labels]
"""
import json
import sys
import time

import numpy as np


def positivedef_matrix_sqrt(array):
    w, v = np.linalg.eigh(array)
    return np.dot(v, np.dot(np.diag(np.sqrt(w)), np.conj(v).T))


def fit(acts1, acts2, eps_x, eps_y):
    numx = acts1.shape[0]
    cov = np.cov(acts1, acts2)
    sxx = cov[:numx, :numx]; sxy = cov[:numx, numx:]; syy = cov[numx:, numx:]
    xmax = np.max(np.abs(sxx)); ymax = np.max(np.abs(syy))
    sxx = sxx / xmax; syy = syy / ymax; sxy = sxy / np.sqrt(xmax * ymax)
    xi = np.abs(np.diagonal(sxx)) >= eps_x
    yi = np.abs(np.diagonal(syy)) >= eps_y
    sxx = sxx[xi][:, xi]; sxy = sxy[xi][:, yi]; syy = syy[yi][:, yi]
    sxx = sxx + eps_x * np.eye(sxx.shape[0]); syy = syy + eps_y * np.eye(syy.shape[0])
    ixx = positivedef_matrix_sqrt(np.linalg.pinv(sxx))
    iyy = positivedef_matrix_sqrt(np.linalg.pinv(syy))
    u, s, v = np.linalg.svd(ixx @ sxy @ iyy)
    return u.T @ ixx, v @ iyy, xi, yi


def score(params, ex, ey):
    px, py, xi, yi = params
    k = min(len(px), len(py))
    mx = ex.mean(axis=1, keepdims=True); my = ey.mean(axis=1, keepdims=True)
    p1 = px[:k] @ (ex[xi] - mx[xi]); p2 = py[:k] @ (ey[yi] - my[yi])
    rho = np.einsum("ij,ij->i", p1, p2) / np.sqrt(np.einsum("ij,ij->i", p1, p1) * np.einsum("ij,ij->i", p2, p2))
    if len(px) < len(py):
        acts, means, d = ex[xi][:k], mx[xi][:k], p1
    else:
        acts, means, d = ey[yi][:k], my[yi][:k], p2
    Q, _ = np.linalg.qr((d + means).T)
    w = np.sum(np.abs(Q.T @ acts.T), axis=1)
    return float(np.sum(w / w.sum() * rho))


def main():
    d = sys.argv[1]
    meta = json.load(open(f"{d}/meta.json"))
    X = np.fromfile(f"{d}/X.f32", dtype=np.float32).reshape(meta["rows"], meta["dx"]).astype(np.float64)
    Y = np.fromfile(f"{d}/Y.f32", dtype=np.float32).reshape(meta["rows"], meta["dy"]).astype(np.float64)
    labels = np.fromfile(f"{d}/labels.i32", dtype=np.int32) if meta.get("labels") else None
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    n = X.shape[0]
    if labels is None:
        parts = np.array_split(rng.permutation(n), 10)
    else:
        parts = [[] for _ in range(10)]
        j = 0
        for c in np.unique(labels):
            for r in rng.permutation(np.where(labels == c)[0]):
                parts[j].append(r); j = (j + 1) % 10
        parts = [np.array(p) for p in parts]
    order = rng.permutation(10)
    grid = lambda g: [(a, b) for a in g for b in g]
    tests = []
    fits = 0
    for q in range(5):
        if len(tests) == 3:
            break
        dev, test = order[2 * q], order[2 * q + 1]
        train = np.concatenate([parts[i] for i in range(10) if i not in (dev, test)])
        cands = [grid([1e-10, 1e-11, 1e-9])[i] for i in rng.permutation(9)] + [grid([1e-8, 1e-7, 1e-6, 1e-5])[i] for i in rng.permutation(16)]
        best, tried = None, 0
        for ex, ey in cands:
            if tried >= 6:
                break
            try:
                p = fit(X[train].T, Y[train].T, ex, ey); fits += 1
                s = score(p, X[parts[dev]].T, Y[parts[dev]].T)
            except np.linalg.LinAlgError:
                continue
            tried += 1
            if best is None or s > best[0]:
                best = (s, p)
        if best is None:
            continue
        tests.append(score(best[1], X[parts[test]].T, Y[parts[test]].T))
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": seconds, "score": float(np.mean(tests)), "fits": fits}))


if __name__ == "__main__":
    main()
