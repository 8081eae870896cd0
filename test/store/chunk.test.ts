/**
 * Long clips in windows: every frame comes from the window whose core holds its centre, so the joined layer has
 * the whole clip's frames. Checked exactly on the closed-form test model (whose values say which window made
 * them), and on the bundled model for frame counts against a run in one piece.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModel } from '../../src/model/loadModel';
import { extractFeatures } from '../../src/store/extractFeatures';
import { openFeatureStore } from '../../src/store/FeatureStore';
import { at, atF32 } from '../../src/util/at';
import { HIDDEN, hiddenValue, makeTestModel, testClip } from './extractTestModel';

const REPO = path.resolve(__dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-chunk-'));
  dirs.push(d);
  return d;
}

test('each frame comes from the window whose core holds its centre (closed form)', async () => {
  const n = 320 * 100 + 37;
  const x = testClip(n, 3);
  const out = path.join(tmp(), 'store');
  // 0.5 s windows with 0.1 s of context on each side: cores of 0.3 s = 4800 samples, overlap 1600.
  const r = await extractFeatures(makeTestModel(), [{ id: 'long', samples: x }, { id: 'short', samples: testClip(3200, 1) }], {
    out,
    pooling: 'frames',
    chunk: { seconds: 0.5, overlapSeconds: 0.1 },
  });
  expect(r.computed).toBe(2);
  const store = openFeatureStore(out);
  expect(store.meta.options.chunk).toEqual({ seconds: 0.5, overlapSeconds: 0.1 });
  const [long, short] = store.meta.items;
  expect(long?.windows).toBe(7); // ceil(32037 / 4800)
  expect(short?.windows).toBeUndefined(); // 0.2 s: one piece
  for (const l of [0, 3]) {
    const m = store.framesOf('long', l);
    expect([m.rows, m.cols]).toEqual([100, HIDDEN]); // floor(32037 / 320), as in one piece
    for (let t = 0; t < 100; t++) {
      // The owner core of frame t (centre 320 t + 160), its window's start, and the window-relative frame.
      const k = Math.min(Math.floor((320 * t + 160) / 4800), 6);
      const start = Math.max(0, 4800 * k - 1600);
      const local = t - start / 320;
      for (let j = 0; j < HIDDEN; j++) {
        const want = hiddenValue(l, local, j, x.subarray(start));
        expect(Math.abs(atF32(m.data, t * HIDDEN + j) - want)).toBeLessThan(1e-5);
      }
    }
  }
  // The short clip ran in one piece: its values are the one-piece closed form.
  const s = store.framesOf('short', 1);
  expect(at(s.data, 5 * HIDDEN + 2)).toBeCloseTo(hiddenValue(1, 5, 2, testClip(3200, 1)), 5);
});

test('the bundled model in windows gives every layer the frame count of one piece; bad settings are refused', async () => {
  const model = await loadModel(path.join(REPO, 'models', 'wav2vec2-tiny-random', 'model.onnx'), { threads: 1, cacheExposed: false });
  try {
    const x = new Float32Array(12 * 16000);
    for (let i = 0; i < x.length; i++) x[i] = 0.1 * Math.sin(i / 7) + 0.05 * Math.sin(i / 131);
    const whole = path.join(tmp(), 'whole');
    const windowed = path.join(tmp(), 'windowed');
    const layers = ['all', 'local'];
    await extractFeatures(model, [{ id: 'clip', samples: x }], { out: whole, pooling: 'frames', layers });
    await extractFeatures(model, [{ id: 'clip', samples: x }], { out: windowed, pooling: 'frames', layers, chunk: { seconds: 5, overlapSeconds: 1 } });
    const a = openFeatureStore(whole);
    const b = openFeatureStore(windowed);
    expect(b.meta.items[0]?.windows).toBe(4); // cores of 3 s over 12 s
    expect(b.layerNames).toEqual(a.layerNames);
    for (const name of a.layerNames) {
      const fa = a.framesOf('clip', name);
      const fb = b.framesOf('clip', name);
      expect({ name, rows: fb.rows, cols: fb.cols }).toEqual({ name, rows: fa.rows, cols: fa.cols });
      expect({ name, finite: fb.data.every((v) => Number.isFinite(v)) }).toEqual({ name, finite: true });
    }
    await expect(extractFeatures(model, [{ id: 'clip', samples: x }], { out: path.join(tmp(), 'bad'), chunk: { seconds: 2, overlapSeconds: 1 } })).rejects.toThrow(
      /chunk\.seconds \(2\) must exceed twice chunk\.overlapSeconds \(1\)/,
    );
  } finally {
    await model.release();
  }
});
