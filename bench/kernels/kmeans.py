"""Peer of bench/kernels/kmeans.ts: layerwise-analysis's mi-phone step, scikit-learn MiniBatchKMeans
(n_clusters=500, batch_size=1500 for phones / 5000 and 4000 for words, max_iter=500, as codes/tools/get_scores.py) followed by
mutual_info_score(clusters, labels) / mutual_info_score(labels, labels). Prints one JSON line.

usage: /usr/bin/python3 kmeans.py DIR K [BATCH]   (batch 1500 for phones, 4000 for words, as the peer)
"""
import json
import sys
import time
import warnings

import numpy as np
from sklearn.cluster import MiniBatchKMeans
from sklearn.metrics import mutual_info_score

warnings.filterwarnings("ignore", category=FutureWarning)


def main():
    d, k = sys.argv[1], int(sys.argv[2])
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 1500
    meta = json.load(open(f"{d}/meta.json"))
    X = np.fromfile(f"{d}/X.f32", dtype=np.float32).reshape(meta["rows"], meta["cols"])
    labels = np.fromfile(f"{d}/labels.i32", dtype=np.int32)
    t = time.perf_counter()
    km = MiniBatchKMeans(n_clusters=k, batch_size=batch, max_iter=500, random_state=0).fit(X)
    mi = mutual_info_score(km.labels_, labels) / mutual_info_score(labels, labels)
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": seconds, "miOverHLabels": mi, "inertia": float(km.inertia_)}))


if __name__ == "__main__":
    main()
