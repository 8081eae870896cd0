"""Peer of bench/kernels/convexity.ts: graph convexity with SciPy's Dijkstra.

The Tetkova / Dorszewski pipeline with an exact kNN graph: scikit-learn brute-force kNN (BLAS distances),
symmetrised sparse graph, `scipy.sparse.csgraph.dijkstra` from every sampled source with predecessors,
then the share of interior path nodes in the class. Reads a float32 matrix and int32 labels written by the
TypeScript side, prints one JSON line with the time (seconds, compute only) and the scores.

usage: /usr/bin/python3 convexity.py DIR K MAX_PATHS
"""
import itertools
import json
import sys
import time

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from sklearn.neighbors import NearestNeighbors


def graph_convexity(X, labels, k, max_paths, rng):
    n = X.shape[0]
    nn = NearestNeighbors(n_neighbors=k + 1, algorithm="brute", metric="euclidean").fit(X)
    dist, ind = nn.kneighbors(X)
    dist, ind = dist[:, 1:], ind[:, 1:]
    A = csr_matrix((dist.ravel(), (np.repeat(np.arange(n), k), ind.ravel())), shape=(n, n))
    A = A.maximum(A.T).tocsr()
    class_scores = {}
    pooled = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        in_class = np.zeros(n, dtype=bool)
        in_class[idx] = True
        all_pairs = list(itertools.permutations(idx, r=2))
        m = min(len(all_pairs), max_paths)
        picks = rng.choice(len(all_pairs), m, replace=False)
        pairs = [all_pairs[p] for p in picks]
        sources = np.unique([a for a, _ in pairs])
        row_of = {s: r for r, s in enumerate(sources)}
        D, P = dijkstra(A, directed=False, indices=sources, return_predecessors=True)
        props = []
        for a, b in pairs:
            r = row_of[a]
            if not np.isfinite(D[r, b]):
                props.append(0.0)
                continue
            interior, inside = 0, 0
            u = P[r, b]
            while u != a and u >= 0:
                interior += 1
                inside += in_class[u]
                u = P[r, u]
            props.append(1.0 if interior == 0 else inside / interior)
        class_scores[int(c)] = float(np.mean(props))
        pooled.extend(props)
    return float(np.mean(pooled)), class_scores


def main():
    d, k, max_paths = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    meta = json.load(open(f"{d}/meta.json"))
    X = np.fromfile(f"{d}/X.f32", dtype=np.float32).reshape(meta["rows"], meta["cols"])
    labels = np.fromfile(f"{d}/labels.i32", dtype=np.int32)
    t = time.perf_counter()
    pooled, per_class = graph_convexity(X, labels, k, max_paths, np.random.default_rng(0))
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": seconds, "pooled": pooled, "classes": per_class}))


if __name__ == "__main__":
    main()
