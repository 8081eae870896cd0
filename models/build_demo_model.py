#!/usr/bin/python3
"""
Builds the bundled demo model: models/wav2vec2-tiny-random/ — the wav2vec2-base architecture (post-LN
encoder, group-norm conv feature encoder with the real kernels and strides, 12 transformer layers, so 13
hidden states as in seed 000) shrunk to hidden size 64, with RANDOM weights.

It exists so that the notebooks run offline, where no pretrained model can be downloaded. Its results are
not findings about speech models: the notebooks title every figure "random weights" when they use it.

It reuses the faithful transformers-style module tree of test/fixtures/models/build_models.py and writes
the stock export (only `last_hidden_state`, as most hub ONNX files are), so loading it exercises
layerwise's layer exposure. Run from the repository root with Debian's interpreter:

    /usr/bin/python3 models/build_demo_model.py
"""
import os
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'test', 'fixtures', 'models'))
import build_models as bm  # noqa: E402

# Sizes: wav2vec2-base is 768 hidden / 3072 intermediate / 12 heads / 512 conv channels / kernel-128 pos conv.
bm.HIDDEN = 64
bm.INTERMEDIATE = 256
bm.HEADS = 4
bm.CONV_DIM = 64
bm.POS_KERNEL = 16
bm.POS_GROUPS = 16
LAYERS = 12
NAME = 'wav2vec2-tiny-random'


def main():
    torch.manual_seed(20241123)
    torch.set_num_threads(2)
    out = os.path.join(ROOT, 'models', NAME)
    os.makedirs(out, exist_ok=True)
    base = bm.SpeechModel(LAYERS, 'group', False, False).eval()
    bm.randomize_norms(base)
    top = bm.Prefixed('wav2vec2', base).eval()
    base.mode = 'stock'
    bm.export(top, os.path.join(out, 'model.onnx'), ['last_hidden_state'], 14)
    cfg, pre = bm.hf_config(NAME, LAYERS, 'group', False, False)
    cfg['_name_or_path'] = f'layerwise/{NAME}'
    cfg['layerwise_note'] = 'random weights: for running the notebooks offline, not for findings'
    cfg['layerwise_random_weights'] = True
    bm.write_json(os.path.join(out, 'config.json'), cfg)
    bm.write_json(os.path.join(out, 'preprocessor_config.json'), pre)
    size = os.path.getsize(os.path.join(out, 'model.onnx'))
    print(f'{NAME}: {size / 1e6:.2f} MB in {out}', file=sys.stderr)


if __name__ == '__main__':
    main()
