/**
 * A clip too long to run in one piece (self-attention memory grows with the square of its length) run as
 * overlapping windows whose frames are joined into one activation per layer, frame for frame where the whole
 * clip would have had them.
 *
 * The layout: the clip is cut into cores of `core` samples (the last one ends at the clip's end); window k is
 * core k widened by `overlap` samples on each side (clipped to the clip), its start a multiple of the model's
 * frame hop so that window frames fall on the whole clip's frame grid. Every frame of every layer is taken from
 * the window whose core holds the frame's centre (`t * stride + field / 2`): the window where it has at least
 * `overlap` samples of context on both sides, the frames a window's context covers best. With
 * `overlap >= field / 2` each such frame lies wholly inside its window, so the joined layer has exactly the
 * whole clip's frame count. The whole clip is normalised once first (as the feature extractor does), and the
 * windows run without normalising again.
 *
 * The joined frames are not those of a single run: attention sees `2 x overlap + core` samples, not the
 * whole clip, and conv layers with group normalisation (wav2vec2-base's first) normalise per window.
 */
import { ActivationCache, type ActivationEntry } from './ActivationCache';
import { parseActivationName } from './activationNames';
import { normalizeWaveform } from './normalizeWaveform';
import type { FrameGeometry, SpeechModel } from './SpeechModel';

/** How to cut a clip into windows, in samples. */
export interface WindowLayout {
  /** Samples each window's core covers (a multiple of the frame hop). */
  readonly core: number;
  /** Context added on each side of a core (a multiple of the frame hop). */
  readonly overlap: number;
}

/** One window: its span in the clip and the core whose frames it contributes. */
export interface Window {
  readonly start: number;
  readonly end: number;
  readonly coreStart: number;
  readonly coreEnd: number;
}

/** The windows of a clip of `n` samples. */
export function windowsOf(n: number, layout: WindowLayout, hop: number): Window[] {
  const { core, overlap } = layout;
  if (!(Number.isInteger(core) && core > 0 && core % hop === 0)) throw new Error(`windows: core must be a positive multiple of the frame hop ${hop}, got ${core}`);
  if (!(Number.isInteger(overlap) && overlap >= 0 && overlap % hop === 0)) throw new Error(`windows: overlap must be a non-negative multiple of the frame hop ${hop}, got ${overlap}`);
  const out: Window[] = [];
  for (let coreStart = 0; coreStart < n; coreStart += core) {
    const last = coreStart + core >= n;
    const coreEnd = last ? n : coreStart + core;
    out.push({ start: Math.max(0, coreStart - overlap), end: last ? n : Math.min(n, coreEnd + overlap), coreStart, coreEnd });
    if (last) break;
  }
  return out;
}

/** Index of the window whose core holds `centre`: cores are `core` samples from 0, the last one open-ended. */
function ownerOf(centre: number, core: number, windows: number): number {
  return Math.min(Math.floor(centre / core), windows - 1);
}

/** The activations of `samples` computed in windows (see the file comment), and how many windows ran. */
export async function runInWindows(
  model: SpeechModel,
  samples: Float32Array,
  layers: readonly string[],
  layout: WindowLayout,
): Promise<{ readonly cache: ActivationCache; readonly windows: number }> {
  const geometry = model.frameGeometry;
  if (geometry === undefined) throw new Error(`${model.id}: the model does not describe where its frames sit in the input, so it cannot run in windows`);
  const geo = new Map<string, FrameGeometry>(layers.map((name) => [name, geometry.call(model, name)]));
  const hop = Math.max(...[...geo.values()].map((g) => g.stride));
  for (const [name, g] of geo) {
    if (hop % g.stride !== 0) throw new Error(`${model.id}: layer ${name}'s frame stride ${g.stride} does not divide the frame hop ${hop}`);
    if (2 * layout.overlap < g.field) throw new Error(`windows: the overlap (${layout.overlap} samples) must be at least half of ${name}'s receptive field (${g.field} samples)`);
  }
  const windows = windowsOf(samples.length, layout, hop);
  const whole = model.normalize ? normalizeWaveform(samples, `${model.id}: samples`) : samples;
  const parts = new Map<string, Float32Array[]>(layers.map((name) => [name, []]));
  const widths = new Map<string, number>();
  const next = new Map<string, number>(layers.map((name) => [name, 0]));
  for (const [k, w] of windows.entries()) {
    const cache = await model.run(whole.subarray(w.start, w.end), { layers: [...layers], prenormalized: true });
    for (const name of layers) {
      const g = geo.get(name);
      const m = cache.get(name);
      const list = parts.get(name);
      if (g === undefined || list === undefined) throw new Error(`runInWindows: no bookkeeping for ${name}`);
      widths.set(name, m.cols);
      const first = w.start / g.stride;
      let taken = 0;
      for (let t = 0; t < m.rows; t++) {
        const global = first + t;
        if (ownerOf(global * g.stride + g.field / 2, layout.core, windows.length) !== k) continue;
        // Frames are taken in order, each exactly once: the grids of neighbouring windows meet without a gap.
        if (global !== next.get(name)) throw new Error(`runInWindows: ${name} frame ${global} out of order (expected ${String(next.get(name))})`);
        next.set(name, global + 1);
        list.push(m.data.subarray(t * m.cols, (t + 1) * m.cols));
        taken++;
      }
      if (taken === 0 && w.coreEnd - w.coreStart >= g.stride) throw new Error(`runInWindows: window ${k} gave no frames of ${name}`);
    }
  }
  const entries: ActivationEntry[] = layers.map((name) => {
    const rows = parts.get(name) ?? [];
    const cols = widths.get(name) ?? 0;
    const data = new Float32Array(rows.length * cols);
    rows.forEach((r, i) => data.set(r, i * cols));
    const { kind, index } = parseActivationName(name);
    return { name, kind, index, value: { rows: rows.length, cols, data } };
  });
  return {
    cache: new ActivationCache(entries, { modelId: model.id, sampleRate: model.sampleRate, numSamples: samples.length, frameSeconds: model.frameSeconds }),
    windows: windows.length,
  };
}
