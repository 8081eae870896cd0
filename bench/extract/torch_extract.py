#!/usr/bin/python3
"""
The PyTorch peer of the extraction benchmark: the same wav2vec2-base weights (rebuilt from the same seed as
the ONNX export in build_bench.py) on the same clips, 2 threads, doing what seed 000's loop does per clip:
read, normalise (Wav2Vec2FeatureExtractor's zero mean / unit variance), forward with all hidden states,
mean over frames. Prints JSON timings; writes the clip-0 means [13, 768] for a parity check.

Usage: /usr/bin/python3 bench/extract/torch_extract.py MANIFEST OUT_NPY
"""
import csv
import json
import os
import sys
import time
import wave

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from build_bench import base_model, fixture_module  # noqa: E402


def read_wav(path):
    with wave.open(path, 'rb') as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        return np.frombuffer(w.readframes(w.getnframes()), dtype='<i2').astype(np.float32) / 32768.0


def main():
    manifest, out_npy = sys.argv[1], sys.argv[2]
    torch.set_num_threads(2)
    base = base_model(fixture_module())
    base.mode = 'tuple'
    folder = os.path.dirname(manifest)
    with open(manifest) as f:
        paths = [os.path.join(folder, r['path']) for r in csv.DictReader(f)]
    m = fixture_module()
    with torch.no_grad():
        base(torch.from_numpy(m.normalize(read_wav(paths[0])))[None])  # warm-up, untimed
        forward = 0.0
        audio = 0.0
        first = None
        t0 = time.perf_counter()
        c0 = time.process_time()
        for p in paths:
            x = read_wav(p)
            audio += len(x) / 16000
            inp = torch.from_numpy(m.normalize(x))[None]
            t1 = time.perf_counter()
            _, hs = base(inp)
            means = torch.stack([h[0].mean(dim=0) for h in hs]).numpy()
            forward += time.perf_counter() - t1
            if first is None:
                first = means
        total = time.perf_counter() - t0
        cpu = time.process_time() - c0
    np.save(out_npy, first.astype(np.float32))
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'clips': len(paths),
                      'audioSeconds': audio, 'totalSeconds': total, 'forwardSeconds': forward, 'cpuSeconds': cpu}))


if __name__ == '__main__':
    main()
