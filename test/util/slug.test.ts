import { column } from '../../src/matrix';
import { slug } from '../../src/util/slug';

test('slug keeps letters and digits and joins the rest into single dashes', () => {
  expect(slug('facebook/wav2vec2-base')).toBe('facebook-wav2vec2-base');
  expect(slug('../models/wav2vec2-tiny-random/model.onnx')).toBe('models-wav2vec2-tiny-random-model-onnx');
  expect(slug('  a__b  ')).toBe('a-b');
  expect(() => slug('../..')).toThrow(/has no letters or digits/);
});

test('column copies one column in the matrix element type', () => {
  const m = { rows: 3, cols: 2, data: Float32Array.of(1, 2, 3, 4, 5, 6) };
  const c = column(m, 1);
  expect(c).toBeInstanceOf(Float32Array);
  expect(Array.from(c)).toEqual([2, 4, 6]);
  expect(Array.from(column({ rows: 2, cols: 1, data: Float64Array.of(0.5, 1.5) }, 0))).toEqual([0.5, 1.5]);
  expect(() => column(m, 2)).toThrow(/column 2 is outside \[0, 2\)/);
});
