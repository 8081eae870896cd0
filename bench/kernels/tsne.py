"""Peer of bench/kernels/tsne.ts: scikit-learn TSNE with its defaults (Barnes-Hut, perplexity 30, 1000
iterations, init 'pca', learning rate 'auto') on the same 5,000 x 50 PCA-reduced data. Prints one JSON line.

usage: /usr/bin/python3 tsne.py DIR
"""
import json
import sys
import time

import numpy as np
from sklearn.manifold import TSNE


def main():
    d = sys.argv[1]
    meta = json.load(open(f"{d}/meta.json"))
    X = np.fromfile(f"{d}/X.f32", dtype=np.float32).reshape(meta["rows"], meta["cols"])
    t = time.perf_counter()
    ts = TSNE(n_components=2, perplexity=30.0, init="pca", learning_rate="auto", random_state=0).fit(X)
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": seconds, "kl": float(ts.kl_divergence_), "iterations": int(ts.n_iter_)}))


if __name__ == "__main__":
    main()
