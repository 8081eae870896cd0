#!/usr/bin/python3
"""
The PyTorch peer of the models benchmark: WavLM base-plus or Whisper base's encoder, the same weights
(pytorch_model.bin / model.safetensors written by build_checkpoints.py, loaded into build_families.py's modules),
on the same clips, 2 threads, per clip what a seed notebook's loop does: read the WAV, prepare the input (WavLM:
zero mean / unit variance; Whisper: the log-mel spectrogram of the clip padded to 30 s, computed in NumPy
as HF's WhisperFeatureExtractor does), forward with all hidden states, mean over the frames (Whisper: the
frames that cover the audio, ceil(samples / 320), as layerwise keeps). Prints JSON timings and writes clip 0's
layer means for a parity check.

Usage: /usr/bin/python3 bench/models/torch_models.py wavlm|whisper MODEL_DIR MANIFEST OUT_NPY
"""
import csv
import json
import math
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, 'bench', 'extract'))
sys.path.insert(0, os.path.join(ROOT, 'test', 'fixtures', 'kernels'))
from build_checkpoints import families  # noqa: E402
from torch_extract import read_wav  # noqa: E402
from mel_reference import whisper as log_mel  # noqa: E402


def read_safetensors(path):
    with open(path, 'rb') as f:
        n = int.from_bytes(f.read(8), 'little')
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        a, b = v['data_offsets']
        out[k] = torch.from_numpy(np.frombuffer(data[a:b], dtype='<f4').reshape(v['shape']).copy())
    return out


def main():
    kind, model_dir, manifest, out_npy = sys.argv[1:5]
    torch.set_num_threads(2)
    if kind == 'wavlm':
        m = families(768, 12, 3072, 12)
        model = m.SpeechModel('wavlm', False, 'group', False, 128, 16, buckets=320, max_distance=800).eval()
        sd = torch.load(os.path.join(model_dir, 'pytorch_model.bin'))
        model.load_state_dict({k[len('wavlm.'):]: v for k, v in sd.items()})

        def run(x):
            _, hs = model(torch.from_numpy(m.normalize(x))[None])
            return hs
    else:
        m = families(512, 8, 2048, 6)
        top = m.WhisperTop(80).eval()
        top.load_state_dict(read_safetensors(os.path.join(model_dir, 'model.safetensors')))
        enc = top.model.encoder

        def run(x):
            feats = torch.from_numpy(log_mel(x).astype(np.float32).T.copy())[None]
            _, hs, _ = enc(feats)
            keep = math.ceil(len(x) / 320)
            return [h[:, :keep] for h in hs]
    folder = os.path.dirname(manifest)
    with open(manifest) as f:
        paths = [os.path.join(folder, r['path']) for r in csv.DictReader(f)]
    with torch.no_grad():
        run(read_wav(paths[0]))  # warm-up, untimed
        audio = 0.0
        first = None
        t0 = time.perf_counter()
        c0 = time.process_time()
        for p in paths:
            x = read_wav(p).astype(np.float64)
            audio += len(x) / 16000
            hs = run(x)
            means = torch.stack([h[0].mean(dim=0) for h in hs]).numpy()
            if first is None:
                first = means
        total = time.perf_counter() - t0
        cpu = time.process_time() - c0
    np.save(out_npy, first.astype(np.float32))
    print(json.dumps({'model': kind, 'torch': torch.__version__, 'clips': len(paths), 'audioSeconds': audio, 'totalSeconds': total, 'cpuSeconds': cpu}))


if __name__ == '__main__':
    main()
