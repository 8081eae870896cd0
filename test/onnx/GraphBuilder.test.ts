import { GraphBuilder, ints } from '../../src/onnx/GraphBuilder';
import { graphSession, releaseGraphSessions } from '../../src/onnx/graphSession';
import { tensor } from '../../src/backend/ort';

afterAll(releaseGraphSessions);

test('a built Gram graph runs in onnxruntime and matches a hand-computed X X^T', async () => {
  for (const type of ['float32', 'float64'] as const) {
    const build = () => {
      const g = new GraphBuilder('gram');
      const x = g.input('X', type, ['n', 'd']);
      const xt = g.op('Transpose', [x], { perm: ints([1, 0]) });
      g.output(g.op('MatMul', [x, xt]), 'G', type, ['n', 'n']);
      return g.toBytes();
    };
    const s = await graphSession(`test-gram-${type}`, build);
    // X = [[1,2],[3,4],[5,6]] -> X X^T = [[5,11,17],[11,25,39],[17,39,61]]
    const data = type === 'float32' ? Float32Array.of(1, 2, 3, 4, 5, 6) : Float64Array.of(1, 2, 3, 4, 5, 6);
    const out = await s.run({ X: type === 'float32' ? tensor('float32', data as Float32Array, [3, 2]) : tensor('float64', data as Float64Array, [3, 2]) });
    const G = out['G'];
    expect(G?.dims).toEqual([3, 3]);
    expect(Array.from(G?.data as Float32Array)).toEqual([5, 11, 17, 11, 25, 39, 17, 39, 61]);
  }
});

test('builder refuses unknown inputs and duplicate names', () => {
  const g = new GraphBuilder('bad');
  g.input('X', 'float32', [2]);
  expect(() => g.op('Relu', ['Y'])).toThrow(/unknown value 'Y'/);
  expect(() => g.input('X', 'float32', [2])).toThrow(/already used/);
});

test('a named op output is a graph output and an input of later nodes without a renaming Identity', async () => {
  const g = new GraphBuilder('named');
  const x = g.input('X', 'float32', [2]);
  const m = g.op('Add', [x, x], {}, { name: 'M' });
  g.output(m, 'M', 'float32', [2]);
  g.output(g.op('Mul', [m, x]), 'P', 'float32', [2]);
  expect(g.toModel().graph?.node?.map((n) => n.opType)).toEqual(['Add', 'Mul', 'Identity']);
  const s = await graphSession('test-named-output', () => g.toBytes());
  const out = await s.run({ X: tensor('float32', Float32Array.of(1, 3), [2]) });
  expect(Array.from(out['M']?.data as Float32Array)).toEqual([2, 6]);
  expect(Array.from(out['P']?.data as Float32Array)).toEqual([2, 18]);
  expect(() => g.op('Relu', [x], {}, { name: 'M' })).toThrow(/already used/);
  expect(() => g.opN('TopK', [x, x], {}, { outputs: 2, name: 'Z' })).toThrow(/2 outputs cannot take one output name/);
});
