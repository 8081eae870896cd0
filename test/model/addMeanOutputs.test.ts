/** addMeanOutputs: the in-graph mean over frames and the shape of each activation, at opsets before and after 18. */
import { Session, tensor } from '../../src/backend/ort';
import { GraphBuilder } from '../../src/onnx/GraphBuilder';
import { addMeanOutputs, meanOutputName, meanPooledInGraph, shapeOutputName } from '../../src/model/addMeanOutputs';
import { encodeModelProto } from '../../src/onnx/readModelProto';
import { at } from '../../src/util/at';

// ReduceMean reads its axes from an attribute up to opset 17 and from an input from 18 on
test.each([13, 17, 18])('opset %i: each activation gets its mean over axis 1 and its shape', async (opset) => {
  const g = new GraphBuilder('acts', opset);
  const x = g.input('x', 'float32', [2, 3, 4]);
  g.output(g.op('Mul', [x, g.scalar(2)]), 'hidden.0', 'float32', [2, 3, 4]);
  g.output(g.op('Neg', [x]), 'hidden.1', 'float32', [2, 3, 4]);
  const model = g.toModel();
  const outputsBefore = (model.graph?.output ?? []).length;
  const withMeans = addMeanOutputs(model, ['hidden.0', 'hidden.1']);
  // the input model is left as it was
  expect((model.graph?.output ?? []).length).toBe(outputsBefore);
  const s = await Session.create(encodeModelProto(withMeans), { threads: 1 });
  try {
    const data = Float32Array.from({ length: 24 }, (_, i) => (i * 7) % 11 - 3.5);
    const out = await s.run({ x: tensor('float32', data, [2, 3, 4]) });
    for (const [name, scale] of [['hidden.0', 2], ['hidden.1', -1]] as const) {
      const mean = out[meanOutputName(name)];
      const shape = out[shapeOutputName(name)];
      if (mean === undefined || shape === undefined) throw new Error(`no mean or shape output for ${name}`);
      expect(mean.dims).toEqual([2, 4]);
      expect(Array.from(shape.data as BigInt64Array, Number)).toEqual([2, 3, 4]);
      for (let b = 0; b < 2; b++) {
        for (let c = 0; c < 4; c++) {
          // by hand: the mean of the three frames of batch row b, feature c
          const want = (scale * (at(data, b * 12 + c) + at(data, b * 12 + 4 + c) + at(data, b * 12 + 8 + c))) / 3;
          expect(at(mean.data as Float32Array, b * 4 + c)).toBeCloseTo(want, 5);
        }
      }
    }
  } finally {
    await s.release();
  }
});

test('conv layers get no in-graph means (they cost a frame-level run 15-20 %); hidden states and FFN activations do', () => {
  expect(meanPooledInGraph(['hidden.0', 'local.1', 'ffn.2', 'local.7', 'hidden.12'])).toEqual(['hidden.0', 'ffn.2', 'hidden.12']);
});
