#!/usr/bin/python3
"""
Trains the bundled demo model models/wav2vec2-tiny-synthetic/: the same architecture as the random control
models/wav2vec2-tiny-random/ (wav2vec2-base's module tree: 7-layer group-norm conv feature encoder with the real
kernels and strides, weight-normed positional conv, 12 post-LN transformer layers; width 64, FFN 256, 4 heads, 64
conv channels), trained on synthetic speech, so that the offline notebooks show what training puts into the
layers. Not part of CI or the main job: the outputs are committed, and a test checks the committed ONNX file
against the hash recorded in the model card.

Data (synthesized here with layerwise's own synthesizers, other seeds than the notebooks' demo data):
- sentences: `layerwise synth aligned --seed 7 --speakers 12 --utterances 80` (Festival, two voices, seeded rates
  and pitch; exact phone alignments as TextGrids);
- words: `layerwise synth words --seed 5 --variants 40` (espeak-ng, the ten Speech Commands words).

Objective (both at once, one step = one batch of each):
- frame-level phone classification on the sentences: the last hidden state, a linear head over Festival's phone
  set without stress (39 ARPAbet phones plus silence), cross-entropy at every frame; the phone of a frame is the
  one whose interval holds the frame's centre (frame t covers samples [320 t, 320 t + 400)), the peer's frame rule;
- word classification on the spoken words: the mean of the last hidden state over frames, a linear head over
  the ten words, cross-entropy;
- wav2vec2-style time masking of the transformer input (spans of 5 frames, about 20 % of frames replaced by the
  learned `masked_spec_embed`), so that layers must use context.
Inputs are normalised per clip as the feature extractor does (zero mean, unit variance); sentences are cut into
random 2 s crops, words are 1 s. Weights start as transformers initialises them (`hf_init`). AdamW (lr 1e-3,
weight decay 0.01), 100 warm-up steps then cosine decay, batch 16 + 16, 1150 steps, gradient norm clipped at 5,
torch seed 20261202, 2 threads, oneDNN off (see main). Every 20th sentence and 10th word clip are held out; the
log records their accuracy every 250 steps.

Writes model.onnx (the stock export: last_hidden_state only, opset 14), pytorch_model.bin (the weights, Hugging
Face key names), config.json, preprocessor_config.json, reference.json/.bin (hidden states PyTorch computes for
the test fixtures' 1 s sine clip, which test/model/demoModel.test.ts checks both files against) and
training_log.jsonl into the model folder. Run from the repository root (after `npm run build`):

    /usr/bin/python3 models/train_demo_model.py [--steps N] [--skip-synth] [--out DIR]
"""
import glob
import json
import math
import os
import re
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchaudio

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'test', 'fixtures', 'models'))
# The random control's sizes (importing it sets them in build_models): the two demo models differ only in training.
from build_demo_model import LAYERS, bm  # noqa: E402

NAME = 'wav2vec2-tiny-synthetic'
SEED = 20261202
DATA = os.environ.get('LAYERWISE_DEMO_DATA', os.path.join(ROOT, 'data', 'demo-training'))
CROP = 32000
BATCH = 16
HOP = 320
LR = float(os.environ.get('LAYERWISE_DEMO_LR', '1e-3'))
WARMUP = int(os.environ.get('LAYERWISE_DEMO_WARMUP', '100'))
MASK = float(os.environ.get('LAYERWISE_DEMO_MASK', '0.2'))


def synthesize():
    cli = os.path.join(ROOT, 'dist', 'cli.js')
    subprocess.run(['node', cli, 'synth', 'aligned', '--out', os.path.join(DATA, 'sentences'), '--split', 'train-clean-100',
                    '--seed', '7', '--speakers', '12', '--utterances', '80'], check=True)
    subprocess.run(['node', cli, 'synth', 'words', '--out', os.path.join(DATA, 'words'), '--seed', '5', '--variants', '40'], check=True)


def read_textgrid_tier(path, tier):
    """[(start, end, label)] of an IntervalTier in a long-format TextGrid, as layerwise's synthesizer writes it."""
    text = open(path, encoding='utf8').read()
    items = re.split(r'\n\s*item \[\d+\]:', text)[1:]
    for item in items:
        if re.search(r'name = "%s"' % tier, item):
            return [(float(a), float(b), c) for a, b, c in re.findall(r'xmin = ([\d.e-]+)\s+xmax = ([\d.e-]+)\s+text = "(.*)"', item)]
    raise ValueError(f'{path}: no tier {tier}')


def load_audio(path):
    w, sr = torchaudio.load(path)
    assert sr == 16000, path
    return w[0].numpy().astype(np.float32)


def normalize(x):
    x = x.astype(np.float64)
    return ((x - x.mean()) / np.sqrt(x.var() + 1e-7)).astype(np.float32)


def load_sentences():
    grids = sorted(glob.glob(os.path.join(DATA, 'sentences', 'alignments', '**', '*.TextGrid'), recursive=True))
    utts = []
    phones = set()
    for g in grids:
        rel = os.path.relpath(g, os.path.join(DATA, 'sentences', 'alignments'))
        audio = load_audio(os.path.join(DATA, 'sentences', rel[:-len('.TextGrid')] + '.flac'))
        ivs = read_textgrid_tier(g, 'phones')
        n = 1 + (len(audio) - 400) // HOP
        labels = []
        for t in range(n):
            c = (t * HOP + 200) / 16000
            lab = next((p for a, b, p in ivs if a <= c < b), '')
            # ARPAbet without stress (AH0 -> AH): the 39 phones and silence.
            labels.append(re.sub(r'\d', '', lab) if lab not in ('', 'pau', 'sil', 'sp', 'h#') else 'sil')
        phones.update(labels)
        utts.append((audio, labels))
    return utts, sorted(phones)


def load_words():
    words = sorted(d for d in os.listdir(os.path.join(DATA, 'words')) if os.path.isdir(os.path.join(DATA, 'words', d)) and not d.startswith('_'))
    clips = []
    for i, w in enumerate(words):
        for f in sorted(glob.glob(os.path.join(DATA, 'words', w, '*.wav'))):
            x = load_audio(f)
            x = np.pad(x, (0, max(0, 16000 - len(x))))[:16000]
            clips.append((x, i))
    return clips, words


def hf_init(model):
    """transformers' Wav2Vec2PreTrainedModel._init_weights: Linear N(0, 0.02) with zero bias, norms at 1 / 0, convs
    Kaiming-normal (torch's default uniform init shrinks the signal through the seven convs until the encoder sees
    noise: measured, 40 steps on 8 clips could not fit them), the positional conv N(0, 2 / sqrt(k * in / groups))."""
    pos = model.encoder.pos_conv_embed.conv
    for mod in model.modules():
        if isinstance(mod, nn.Linear):
            nn.init.normal_(mod.weight, 0.0, 0.02)
            if mod.bias is not None:
                nn.init.zeros_(mod.bias)
        elif isinstance(mod, (nn.LayerNorm, nn.GroupNorm)):
            nn.init.ones_(mod.weight)
            nn.init.zeros_(mod.bias)
        elif isinstance(mod, nn.Conv1d) and mod is not pos:
            nn.init.kaiming_normal_(mod.weight)
            if mod.bias is not None:
                nn.init.zeros_(mod.bias)
    with torch.no_grad():
        std = 2 / math.sqrt(pos.kernel_size[0] * pos.in_channels / pos.groups)
        pos.weight_v.normal_(0, std)
        pos.weight_g.copy_(torch.norm_except_dim(pos.weight_v, 2, dim=2))
        nn.init.zeros_(pos.bias)


class Trainer(nn.Module):
    def __init__(self, n_phones, n_words):
        super().__init__()
        self.base = bm.SpeechModel(LAYERS, 'group', False, False)
        hf_init(self.base)
        self.phone_head = nn.Linear(bm.HIDDEN, n_phones)
        self.word_head = nn.Linear(bm.HIDDEN, n_words)

    def hidden(self, wave, mask_prob):
        b = self.base
        feats = b.feature_extractor(wave).transpose(1, 2)
        h = b.feature_projection(feats)[0]
        if mask_prob > 0:
            B, T, _ = h.shape
            starts = torch.rand(B, T) < mask_prob / 5
            mask = torch.zeros(B, T, dtype=torch.bool)
            for k in range(5):
                mask[:, k:] |= starts[:, : T - k]
            h = torch.where(mask[..., None], b.masked_spec_embed.to(h.dtype).expand_as(h), h)
        _, hs = b.encoder(h)
        return hs[-1]


def held_out(model, utts, words, pid):
    """Frame phone accuracy and word accuracy on the held-out clips (whole clips, no masking)."""
    model.eval()
    right = total = 0
    with torch.no_grad():
        for audio, labels in utts:
            h = model.hidden(torch.from_numpy(normalize(audio))[None], 0)[0]
            pred = model.phone_head(h).argmax(-1).numpy()
            n = min(len(pred), len(labels))
            right += int(sum(pred[t] == pid[labels[t]] for t in range(n)))
            total += n
        x = torch.from_numpy(np.stack([normalize(a) for a, _ in words]))
        word_pred = model.word_head(model.hidden(x, 0).mean(dim=1)).argmax(-1).numpy()
    model.train()
    return {'held_phone_acc': round(right / total, 4), 'held_word_acc': round(float(np.mean(word_pred == np.array([w for _, w in words]))), 4)}


def write_reference(base, out):
    """hidden.0, hidden.6 and hidden.12 (HF hidden_states[i]) of the trained model in torch for the test fixtures'
    1 s sine clip, float32 little-endian in reference.bin, indexed by reference.json."""
    name, audio = bm.clips()[1]
    base.mode = 'tuple'
    with torch.no_grad():
        _, hs = base(torch.from_numpy(bm.normalize(audio))[None])
    base.mode = 'stock'
    index, buf = {}, bytearray()
    for i in (0, 6, LAYERS):
        a = np.ascontiguousarray(hs[i][0].numpy(), dtype='<f4')
        index[f'hidden.{i}'] = {'offset': len(buf), 'shape': list(a.shape)}
        buf += a.tobytes()
    with open(os.path.join(out, 'reference.bin'), 'wb') as f:
        f.write(bytes(buf))
    bm.write_json(os.path.join(out, 'reference.json'), {'clip': name, 'tensors': index})


def main():
    steps = int(sys.argv[sys.argv.index('--steps') + 1]) if '--steps' in sys.argv else 1150
    # Debian's torch 1.13 computes wrong, run-to-run different conv1d weight gradients through oneDNN on this CPU
    # (measured: the same batch and weights gave conv gradient norms 0.004, 157, 247, ... on repeated backward
    # passes, and training sat at chance; the native kernels give the same 0.012 every time and train).
    torch.backends.mkldnn.enabled = False
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    torch.set_num_threads(2)
    t_data = time.time()
    if '--skip-synth' not in sys.argv:
        synthesize()
    utts, phones = load_sentences()
    words, word_names = load_words()
    pid = {p: i for i, p in enumerate(phones)}
    # Every 20th sentence and every 10th word clip are held out: the log's held-out accuracy says whether the
    # model generalises beyond the clips it fits.
    held_utts, utts = utts[::20], [u for i, u in enumerate(utts) if i % 20]
    held_words, words = words[::10], [w for i, w in enumerate(words) if i % 10]
    t0 = time.time()
    print(f'data: {len(utts)} sentences ({sum(len(a) for a, _ in utts) / 16000 / 60:.1f} min), {len(phones)} phone classes, '
          f'{len(words)} word clips; {t0 - t_data:.0f} s to synthesize and read', file=sys.stderr)
    model = Trainer(len(phones), len(word_names))
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / WARMUP) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / steps))))
    out = sys.argv[sys.argv.index('--out') + 1] if '--out' in sys.argv else os.path.join(ROOT, 'models', NAME)
    os.makedirs(out, exist_ok=True)
    log = open(os.path.join(out, 'training_log.jsonl'), 'w')
    model.train()
    for step in range(steps):
        xs, ys = [], []
        for k in rng.integers(0, len(utts), BATCH):
            audio, labels = utts[k]
            # Crops start on the frame grid, so crop frame t is utterance frame first + t.
            start = HOP * int(rng.integers(0, max(1, (len(audio) - CROP) // HOP + 1)))
            seg = np.pad(audio[start:start + CROP], (0, max(0, CROP - len(audio[start:start + CROP]))))
            first = start // HOP
            n = 1 + (CROP - 400) // HOP
            lab = [pid[labels[first + t]] if first + t < len(labels) else -100 for t in range(n)]
            xs.append(normalize(seg))
            ys.append(lab)
        h = model.hidden(torch.from_numpy(np.stack(xs)), MASK)
        phone_loss = F.cross_entropy(model.phone_head(h).reshape(-1, len(phones)), torch.tensor(ys).reshape(-1), ignore_index=-100)
        wk = rng.integers(0, len(words), BATCH)
        hw = model.hidden(torch.from_numpy(np.stack([normalize(words[k][0]) for k in wk])), MASK)
        word_loss = F.cross_entropy(model.word_head(hw.mean(dim=1)), torch.tensor([words[k][1] for k in wk]))
        loss = phone_loss + word_loss
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        sched.step()
        if step % 25 == 0 or step == steps - 1:
            rec = {'step': step, 'seconds': round(time.time() - t0, 1), 'phone_loss': round(phone_loss.item(), 4), 'word_loss': round(word_loss.item(), 4), 'lr': sched.get_last_lr()[0]}
            if step % 250 == 0 or step == steps - 1:
                rec.update(held_out(model, held_utts, held_words, pid))
            log.write(json.dumps(rec) + '\n')
            log.flush()
            print(json.dumps(rec), file=sys.stderr)
    train_seconds = time.time() - t0
    model.eval()
    base = model.base
    top = bm.Prefixed('wav2vec2', base).eval()
    base.mode = 'stock'
    bm.export(top, os.path.join(out, 'model.onnx'), ['last_hidden_state'], 14)
    # The weights too (HF key names, torch's zip format), so the model can be fine-tuned further or loaded from
    # weights (layerwise builds the same graph from them), and a torch reference the test checks the export with.
    torch.save({k: v.contiguous() for k, v in base.state_dict().items()}, os.path.join(out, 'pytorch_model.bin'))
    write_reference(base, out)
    cfg, pre = bm.hf_config(NAME, LAYERS, 'group', False, False)
    cfg['_name_or_path'] = f'layerwise/{NAME}'
    cfg['layerwise_trained_on'] = 'synthetic speech'
    cfg['layerwise_note'] = 'trained on synthetic speech (Festival sentences, espeak-ng words): see MODEL_CARD.md; a demo, not a speech model for findings'
    bm.write_json(os.path.join(out, 'config.json'), cfg)
    bm.write_json(os.path.join(out, 'preprocessor_config.json'), pre)
    summary = {'steps': steps, 'train_seconds': round(train_seconds), 'data_seconds': round(t0 - t_data), 'phones': phones, 'words': word_names,
               'sentences': len(utts), 'word_clips': len(words), 'torch': torch.__version__, 'seed': SEED}
    log.write(json.dumps({'summary': summary}) + '\n')
    log.close()
    print(json.dumps(summary), file=sys.stderr)


if __name__ == '__main__':
    main()
