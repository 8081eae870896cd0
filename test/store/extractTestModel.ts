/**
 * A deterministic stand-in for a speech model with closed-form activations, so extraction, pooling and store
 * layouts can be checked exactly:
 * - transformer frames T = floor(n / 320) for n samples (minSamples 400, as wav2vec2's conv stack gives);
 * - `hidden.l` (l = 0..3), 4 features: value(t, j) = l + 0.5 t + 0.01 j + x[320 t];
 * - `local.1`, 3 features, 2T frames: value(t, j) = 100 + t - j (a layer at twice the frame rate).
 */
import { ActivationCache, type ActivationEntry } from '../../src/model/ActivationCache';
import { parseActivationName } from '../../src/model/activationNames';
import type { RunOptions, SpeechModel } from '../../src/model/SpeechModel';
import { at } from '../../src/util/at';

export const HOP = 320;
export const HIDDEN = 4;
export const LOCAL = 3;

export interface TestModelOptions {
  hash?: string;
  /** Milliseconds to wait per clip (to interrupt runs midway). */
  delayMs?: number;
  /** Throw on the clip with this many samples (to simulate a crash). */
  failOnLength?: number;
  /** The `normalize` flag the model reports (default false). */
  normalize?: boolean;
  /** Offer `runBatch`, counting its calls here. */
  batchCalls?: number[];
}

/** Closed form of `hidden.l` at frame t, feature j. */
export function hiddenValue(l: number, t: number, j: number, x: Float32Array): number {
  return l + 0.5 * t + 0.01 * j + at(x, HOP * t);
}

function activations(x: Float32Array, names: readonly string[]): ActivationEntry[] {
  const T = Math.floor(x.length / HOP);
  return names.map((name) => {
    const { kind, index } = parseActivationName(name);
    if (kind === 'hidden') {
      const data = new Float32Array(T * HIDDEN);
      for (let t = 0; t < T; t++) for (let j = 0; j < HIDDEN; j++) data[t * HIDDEN + j] = hiddenValue(index, t, j, x);
      return { name, kind, index, value: { rows: T, cols: HIDDEN, data } };
    }
    const rows = 2 * T;
    const data = new Float32Array(rows * LOCAL);
    for (let t = 0; t < rows; t++) for (let j = 0; j < LOCAL; j++) data[t * LOCAL + j] = 100 + t - j;
    return { name, kind, index, value: { rows, cols: LOCAL, data } };
  });
}

export function makeTestModel(opts: TestModelOptions = {}): SpeechModel {
  const layerNames = ['hidden.0', 'hidden.1', 'hidden.2', 'hidden.3', 'local.1'];
  const run = async (samples: Float32Array, ro?: RunOptions): Promise<ActivationCache> => {
    if (opts.delayMs !== undefined) await new Promise((r) => setTimeout(r, opts.delayMs));
    if (samples.length === opts.failOnLength) throw new Error('simulated crash');
    if (samples.length < 400) throw new Error(`input of ${samples.length} samples is too short`);
    const names = ro?.layers ?? layerNames.filter((n) => n.startsWith('hidden.'));
    return new ActivationCache(activations(samples, names), { modelId: 'test-model', sampleRate: 16000, numSamples: samples.length, frameSeconds: 0.02 });
  };
  const model: SpeechModel = {
    // Hidden frames sit on a 320-sample grid (T = floor(n / 320)); the doubled-rate local layer is no conv grid.
    frameGeometry: (layer: string) => {
      if (!layer.startsWith('hidden.')) throw new Error(`test model: no frame geometry for ${layer}`);
      return { stride: HOP, field: HOP };
    },
    id: 'test-model',
    hash: opts.hash ?? 'a'.repeat(64),
    sampleRate: 16000,
    frameSeconds: 0.02,
    normalize: opts.normalize ?? false,
    minSamples: 400,
    layerNames,
    run,
    release: async () => undefined,
  };
  const calls = opts.batchCalls;
  if (calls === undefined) return model;
  return Object.assign(model, {
    runBatch: async (clips: readonly Float32Array[], ro?: RunOptions): Promise<ActivationCache[]> => {
      calls.push(clips.length);
      const n = (clips[0] as Float32Array).length;
      if (clips.some((c) => c.length !== n)) throw new Error('runBatch needs equal-length clips');
      return Promise.all(clips.map((c) => run(c, ro)));
    },
  });
}

/** A clip of n samples whose values are a simple function of the index and a per-clip offset. */
export function testClip(n: number, k: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.25 * Math.sin(0.001 * (i + 1) * (k + 1)) + 0.01 * k;
  return x;
}
