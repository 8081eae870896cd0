/**
 * Frame arithmetic of a strided conv feature encoder (wav2vec2: kernels 10,3,3,3,3,2,2 and strides
 * 5,2,2,2,2,2,2, so one frame per 320 samples, 20 ms at 16 kHz, and at least 400 samples for one frame).
 */
import type { ConvGeometry } from './LayerMap';
import { atNum } from '../util/at';

function check(geo: ConvGeometry, what: string): void {
  const n = geo.kernels.length;
  if (n === 0 || geo.strides.length !== n || geo.pads.length !== n) {
    throw new Error(`${what}: conv geometry needs one kernel, stride and pad per layer, got ${geo.kernels.length}/${geo.strides.length}/${geo.pads.length}`);
  }
  for (let i = 0; i < n; i++) {
    const k = atNum(geo.kernels, i);
    const s = atNum(geo.strides, i);
    const p = atNum(geo.pads, i);
    if (!Number.isInteger(k) || k < 1 || !Number.isInteger(s) || s < 1 || !Number.isInteger(p) || p < 0) {
      throw new Error(`${what}: conv layer ${i} has kernel ${k}, stride ${s}, padding ${p}; expected positive integers`);
    }
  }
}

/** Frames after every conv layer for an input of `samples` samples: `floor((n + pad - k) / s) + 1` per layer. */
export function convFrames(samples: number, geo: ConvGeometry, what = 'conv geometry'): number[] {
  check(geo, what);
  const out: number[] = [];
  let n = samples;
  for (let i = 0; i < geo.kernels.length; i++) {
    const span = n + atNum(geo.pads, i) - atNum(geo.kernels, i);
    n = span < 0 ? 0 : Math.floor(span / atNum(geo.strides, i)) + 1;
    out.push(n);
  }
  return out;
}

/** The shortest input giving one output frame (the encoder's receptive field, less padding). */
export function convMinSamples(geo: ConvGeometry, what = 'conv geometry'): number {
  check(geo, what);
  let need = 1;
  for (let i = geo.kernels.length - 1; i >= 0; i--) {
    need = Math.max(1, (need - 1) * atNum(geo.strides, i) + atNum(geo.kernels, i) - atNum(geo.pads, i));
  }
  return need;
}

/** Samples between consecutive output frames: the product of the strides. */
export function convHop(geo: ConvGeometry, what = 'conv geometry'): number {
  check(geo, what);
  return geo.strides.reduce((a, b) => a * b, 1);
}
