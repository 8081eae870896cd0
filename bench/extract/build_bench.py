#!/usr/bin/python3
"""
Builds what the extraction benchmark runs on (nothing here is committed; it all goes under bench/out/extract/):

- w2v2_base/model.onnx: the full-size wav2vec2-base architecture (7 conv layers of 512 channels, group norm,
  12 post-LN transformer layers of 768 hidden / 12 heads / 3072 FFN, 128-tap positional conv in 16 groups)
  with random weights (torch seed 0), exported (opset 14, as optimum does) with all 13 hidden states as
  outputs (`hidden_states.0..12`, `last_hidden_state`), plus config.json / preprocessor_config.json.
  The module tree is the faithful transformers-named copy in test/fixtures/models/build_models.py, sized up.
- clips10s/: 24 ten-second 16 kHz 16-bit WAV clips (harmonic "voiced" segments, noise bursts, pauses) and
  manifest.csv, for throughput.
- commands1s/: 192 clips of exactly 1 s (Speech Commands' length) and manifest.csv, for batching equal-length
  clips in one session run against one clip per run.
- words500/: 500 Speech Commands-like clips (10 labels x 50, 0.6-1.0 s, 16 kHz) in labelled folders, for
  the peak-memory run of a 500-clip mean-pooled extraction (seed 000's workload).

Usage: /usr/bin/python3 bench/extract/build_bench.py [OUT_DIR]
"""
import importlib.util
import json
import os
import sys
import wave

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SR = 16000
N_CLIPS = 24
N_ONE_SECOND = 192
CLIP_SECONDS = 10
WORDS = ['yes', 'no', 'up', 'down', 'left', 'right', 'on', 'off', 'stop', 'go']


def fixture_module():
    """test/fixtures/models/build_models.py with its size constants set to wav2vec2-base."""
    path = os.path.join(ROOT, 'test', 'fixtures', 'models', 'build_models.py')
    spec = importlib.util.spec_from_file_location('layerwise_build_models', path)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    m.CONV_DIM = 512
    m.HIDDEN = 768
    m.HEADS = 12
    m.INTERMEDIATE = 3072
    m.POS_KERNEL = 128
    m.POS_GROUPS = 16
    return m


def base_model(m):
    """The seeded wav2vec2-base module (same weights on every call)."""
    torch.manual_seed(0)
    base = m.SpeechModel(12, 'group', False, False).eval()
    m.randomize_norms(base)
    return base


def build_model(out):
    d = os.path.join(out, 'w2v2_base')
    path = os.path.join(d, 'model.onnx')
    if os.path.exists(path):
        return
    os.makedirs(d, exist_ok=True)
    m = fixture_module()
    base = base_model(m)
    base.mode = 'all'
    names = [f'hidden_states.{i}' for i in range(13)] + ['last_hidden_state']
    m.export(m.Prefixed('wav2vec2', base).eval(), path + '.tmp', names, 14)
    os.replace(path + '.tmp', path)
    cfg, pre = m.hf_config('wav2vec2-base-random', 12, 'group', False, False)
    cfg['_name_or_path'] = 'layerwise-bench/wav2vec2-base-random'
    m.write_json(os.path.join(d, 'config.json'), cfg)
    m.write_json(os.path.join(d, 'preprocessor_config.json'), pre)


def write_wav(path, x):
    pcm = np.clip(np.round(x * 32768), -32768, 32767).astype('<i2')
    with wave.open(path, 'wb') as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())


def speechlike(rng, n):
    """Voiced segments (a few harmonics of a gliding pitch), noise bursts and pauses, peak about 0.5."""
    x = np.zeros(n)
    t = 0
    while t < n:
        seg = int(rng.integers(SR // 20, SR // 3))
        kind = rng.random()
        tt = np.arange(min(seg, n - t)) / SR
        if kind < 0.55:
            f0 = rng.uniform(90, 240) * (1 + 0.2 * tt / max(tt[-1], 1e-3) * rng.uniform(-1, 1))
            ph = 2 * np.pi * np.cumsum(f0) / SR
            y = sum(rng.uniform(0.1, 0.3) / k * np.sin(k * ph) for k in range(1, 8))
        elif kind < 0.8:
            y = rng.uniform(0.02, 0.12) * rng.standard_normal(len(tt))
        else:
            y = 0.003 * rng.standard_normal(len(tt))
        x[t:t + len(tt)] = y * np.hanning(len(tt))
        t += len(tt)
    return x


def write_clip_set(d, rng, count, samples, prefix):
    """`count` speech-like clips of `samples` samples in `d`, listed in manifest.csv (written last, atomically)."""
    manifest = os.path.join(d, 'manifest.csv')
    if os.path.exists(manifest):
        return
    os.makedirs(d, exist_ok=True)
    rows = ['id,path']
    for k in range(count):
        name = f'{prefix}{k:03d}.wav'
        write_wav(os.path.join(d, name), speechlike(rng, samples))
        rows.append(f'{prefix}{k:03d},{name}')
    with open(manifest + '.tmp', 'w') as f:
        f.write('\n'.join(rows) + '\n')
    os.replace(manifest + '.tmp', manifest)


def build_clips(out):
    write_clip_set(os.path.join(out, 'clips10s'), np.random.default_rng(10), N_CLIPS, CLIP_SECONDS * SR, 'clip')
    d = os.path.join(out, 'words500')
    done = os.path.join(d, '.complete')
    if not os.path.exists(done):
        rng = np.random.default_rng(500)
        for w in WORDS:
            os.makedirs(os.path.join(d, w), exist_ok=True)
            for k in range(50):
                n = int(rng.integers(int(0.6 * SR), SR + 1))
                write_wav(os.path.join(d, w, f'{k:08x}_nohash_0.wav'), speechlike(rng, n))
        open(done, 'w').close()
    # Speech Commands' own length: every clip exactly 1 s, so consecutive clips can share a batch.
    write_clip_set(os.path.join(out, 'commands1s'), np.random.default_rng(1), N_ONE_SECOND, SR, 'c')


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'bench', 'out', 'extract')
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(2)
    build_model(out)
    build_clips(out)
    print(json.dumps({'out': out}))


if __name__ == '__main__':
    main()
