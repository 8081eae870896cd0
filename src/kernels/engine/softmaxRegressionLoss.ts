/**
 * Loss and gradient of multinomial logistic (softmax) regression as one float64 ONNX graph, the step a
 * linear probe repeats a few hundred times per fold:
 *   Z = X W + b, loss = -mean_i log softmax(Z_i)[y_i], dW = X^T (softmax(Z) - Y) / n, db = mean_i (...)
 * with Y one-hot. The L2 term is added by the caller. X and its transpose are bound once per fit.
 */
import { tensor, type TensorValue } from '../../backend/ort';
import { GraphBuilder, int, ints } from '../../onnx/GraphBuilder';
import { graphSession } from '../../onnx/graphSession';
import { atF64, atI32 } from '../../util/at';

function lossGraph(): Uint8Array {
  const g = new GraphBuilder('softmax_regression_loss');
  const x = g.input('X', 'float64', ['n', 'd']);
  const xt = g.input('Xt', 'float64', ['d', 'n']);
  const y = g.input('Y', 'float64', ['n', 'c']);
  const w = g.input('W', 'float64', ['d', 'c']);
  const b = g.input('b', 'float64', [1, 'c']);
  const invN = g.input('invN', 'float64', []);
  const z = g.op('Add', [g.op('MatMul', [x, w]), b]);
  const lse = g.op('ReduceLogSumExp', [z], { axes: ints([1]), keepdims: int(1) });
  const logp = g.op('Sub', [z, lse]);
  const nll = g.op('Neg', [g.op('ReduceSum', [g.op('Mul', [y, logp])], { keepdims: int(0) })]);
  g.output(g.op('Mul', [nll, invN]), 'loss', 'float64', []);
  const resid = g.op('Sub', [g.op('Exp', [logp]), y]);
  g.output(g.op('Mul', [g.op('MatMul', [xt, resid]), invN]), 'gW', 'float64', ['d', 'c']);
  g.output(g.op('Mul', [g.op('ReduceSum', [resid, g.int64s([0])], { keepdims: int(1) }), invN]), 'gb', 'float64', [1, 'c']);
  return g.toBytes();
}

/** A bound problem: call `evaluate(W, b)` for the mean cross-entropy and its gradient. */
export interface SoftmaxRegressionLoss {
  evaluate(W: Float64Array, b: Float64Array): Promise<{ loss: number; gW: Float64Array; gb: Float64Array }>;
}

/**
 * Bind `X` `[n, d]` (float64, row-major) and integer `codes` in `[0, c)` for repeated loss/gradient
 * evaluations with weights `W` `[d, c]` and bias `b` `[c]`.
 */
export async function softmaxRegressionLoss(X: Float64Array, n: number, d: number, codes: Int32Array, c: number): Promise<SoftmaxRegressionLoss> {
  if (X.length !== n * d) throw new Error(`softmaxRegressionLoss: X has ${X.length} values, expected ${n} x ${d}`);
  if (codes.length !== n) throw new Error(`softmaxRegressionLoss: ${codes.length} labels for ${n} rows`);
  const session = await graphSession('kernels/softmaxRegressionLoss', lossGraph);
  const xt = new Float64Array(d * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xt[j * n + i] = atF64(X, i * d + j);
  const y = new Float64Array(n * c);
  for (let i = 0; i < n; i++) y[i * c + atI32(codes, i)] = 1;
  const feeds: Record<string, TensorValue> = {
    X: tensor('float64', X, [n, d]),
    Xt: tensor('float64', xt, [d, n]),
    Y: tensor('float64', y, [n, c]),
    invN: tensor('float64', Float64Array.of(1 / n), []),
  };
  return {
    async evaluate(W, b) {
      const out = await session.run({ ...feeds, W: tensor('float64', W, [d, c]), b: tensor('float64', b, [1, c]) });
      const loss = out['loss'];
      const gW = out['gW'];
      const gb = out['gb'];
      if (loss === undefined || gW === undefined || gb === undefined) throw new Error('softmax regression graph returned incomplete outputs');
      if (!(loss.data instanceof Float64Array && gW.data instanceof Float64Array && gb.data instanceof Float64Array)) {
        throw new Error(`softmax regression graph returned ${loss.type}/${gW.type}/${gb.type}, expected float64`);
      }
      return { loss: atF64(loss.data, 0), gW: gW.data, gb: gb.data };
    },
  };
}
