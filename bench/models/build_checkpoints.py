#!/usr/bin/python3
"""
Builds what the models-from-weights benchmark runs on (nothing here is committed; it all goes under
bench/out/models/): full-size random-weight checkpoints with Hugging Face key names, from the module trees of
test/fixtures/models/build_families.py sized up, and ten-second clips.

- w2v2_base/: wav2vec2-base (7 x 512 group-norm conv encoder, 12 post-LN layers of 768 / 12 heads / 3072,
  128-tap positional conv in 16 groups; 94.4M parameters) as model.safetensors and pytorch_model.bin (torch
  zip), and onnx/model_all_hidden.onnx: torch.onnx's export of the same weights (opset 14, as optimum exports)
  with the 13 hidden states as outputs.
- wavlm_base_plus/: WavLM base-plus (same sizes, 320 buckets, max distance 800): model.safetensors.
- whisper_base/: Whisper base's encoder (d 512, 6 layers, 8 heads, FFN 2048, 80 mels) under `model.encoder.`:
  model.safetensors.
- w2v2_large/ (only with --large): wav2vec2-large-lv60 (7 x 512 layer-norm conv encoder with bias, 24 pre-LN
  layers of 1024 / 16 heads / 4096; 315M parameters) as model.safetensors.
- clips10s/: 12 ten-second 16 kHz WAV clips and manifest.csv (bench/extract/build_bench.py's speech-like audio).

Usage: /usr/bin/python3 bench/models/build_checkpoints.py OUT_DIR [--large]
"""
import importlib.util
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'bench', 'extract'))
from build_bench import speechlike, write_wav  # noqa: E402


def families(hidden, heads, inter, layers, conv_dim=512):
    """build_families.py with its size constants set (a fresh module, so sizes do not leak between models)."""
    path = os.path.join(ROOT, 'test', 'fixtures', 'models', 'build_families.py')
    spec = importlib.util.spec_from_file_location(f'layerwise_families_{hidden}_{layers}', path)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    m.HIDDEN, m.HEADS, m.INTER, m.LAYERS, m.CONV_DIM = hidden, heads, inter, layers, conv_dim
    return m


def conv_model(m, name, family, stable, norm, bias, out, seed, extra, files, export=False):
    d = os.path.join(out, name)
    if os.path.exists(os.path.join(d, 'config.json')):
        return
    os.makedirs(d, exist_ok=True)
    torch.manual_seed(seed)
    model = m.SpeechModel(family, stable, norm, bias, 128, 16, buckets=extra.get('num_buckets', 320),
                          max_distance=extra.get('max_bucket_distance', 800)).eval()
    m.randomize_norms(model)
    prefix = {'wav2vec2': 'wav2vec2.', 'wavlm': 'wavlm.'}[family]
    sd = {prefix + k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    if 'model.safetensors' in files:
        m.write_safetensors(os.path.join(d, 'model.safetensors'), sd)
    if 'pytorch_model.bin' in files:
        torch.save(sd, os.path.join(d, 'pytorch_model.bin'))
    cfg = m.conv_config(family, stable, norm, bias, 128, 16, dict(extra))
    cfg['num_hidden_layers'], cfg['hidden_size'] = m.LAYERS, m.HIDDEN
    cfg['num_attention_heads'], cfg['intermediate_size'] = m.HEADS, m.INTER
    cfg['conv_dim'] = [m.CONV_DIM] * 7
    m.write_json(os.path.join(d, 'config.json'), cfg)
    m.write_json(os.path.join(d, 'preprocessor_config.json'), m.PRE)
    if export:
        class AllHidden(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, x):
                return tuple(self.inner(x)[1])

        names = [f'hidden_states.{i}' for i in range(m.LAYERS + 1)]
        os.makedirs(os.path.join(d, 'onnx'), exist_ok=True)
        path = os.path.join(d, 'onnx', 'model_all_hidden.onnx')
        torch.onnx.export(AllHidden(model).eval(), torch.zeros(1, 16000), path, opset_version=14, input_names=['input_values'],
                          output_names=names, dynamic_axes={'input_values': {0: 'b', 1: 'n'}, **{n: {0: 'b', 1: 'f'} for n in names}},
                          do_constant_folding=True)


def whisper_model(out):
    d = os.path.join(out, 'whisper_base')
    if os.path.exists(os.path.join(d, 'config.json')):
        return
    m = families(512, 8, 2048, 6)
    os.makedirs(d, exist_ok=True)
    torch.manual_seed(70)
    top = m.WhisperTop(80).eval()
    m.randomize_norms(top)
    m.write_safetensors(os.path.join(d, 'model.safetensors'), {k: v.detach().clone().contiguous() for k, v in top.state_dict().items()})
    m.write_json(os.path.join(d, 'config.json'), {
        'model_type': 'whisper', 'architectures': ['WhisperForConditionalGeneration'], 'd_model': 512, 'encoder_layers': 6,
        'encoder_attention_heads': 8, 'encoder_ffn_dim': 2048, 'num_mel_bins': 80, 'max_source_positions': 1500,
        'activation_function': 'gelu', 'layerwise_random_weights': True,
    })
    m.write_json(os.path.join(d, 'preprocessor_config.json'), {'feature_extractor_type': 'WhisperFeatureExtractor', 'sampling_rate': 16000})


def clips(out, n=12):
    d = os.path.join(out, 'clips10s')
    manifest = os.path.join(d, 'manifest.csv')
    if os.path.exists(manifest):
        return
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(11)
    rows = ['id,path']
    for k in range(n):
        write_wav(os.path.join(d, f'clip{k:02d}.wav'), speechlike(rng, 10 * 16000))
        rows.append(f'clip{k:02d},clip{k:02d}.wav')
    with open(manifest, 'w') as f:
        f.write('\n'.join(rows) + '\n')


def main():
    out = sys.argv[1]
    torch.set_num_threads(2)
    os.makedirs(out, exist_ok=True)
    base = families(768, 12, 3072, 12)
    conv_model(base, 'w2v2_base', 'wav2vec2', False, 'group', False, out, 0, {'architecture': 'Wav2Vec2ForPreTraining'},
               ['model.safetensors', 'pytorch_model.bin'], export=True)
    conv_model(base, 'wavlm_base_plus', 'wavlm', False, 'group', False, out, 1, {'architecture': 'WavLMModel', 'num_buckets': 320, 'max_bucket_distance': 800},
               ['model.safetensors', 'pytorch_model.bin'])
    whisper_model(out)
    if '--large' in sys.argv[2:]:
        large = families(1024, 16, 4096, 24)
        conv_model(large, 'w2v2_large', 'wav2vec2', True, 'layer', True, out, 2, {'architecture': 'Wav2Vec2Model'}, ['model.safetensors'])
    clips(out)
    print(json.dumps({'out': out}))


if __name__ == '__main__':
    main()
