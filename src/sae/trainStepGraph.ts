/**
 * One SAE training step (forward, hand-derived backward, Adam) as a single ONNX graph. ONNX has no autograd,
 * so the gradients below are written out; they are checked against finite differences and against PyTorch's
 * autograd in test/sae.
 *
 * Notation: X `[B, d]`, W_e `[L, d]` (encoder.weight), W_d `[d, L]` (decoder.weight), b_e `[L]`, b_d `[d]`.
 *   Xc   = X - b_d (pre-encoder bias, topk variants) or X
 *   pre  = Xc W_e^T + b_e                         [B, L]
 *   F    = pre * mask, mask = (pre > 0) [and selected by TopK]
 *   Xh   = F W_d^T + b_d                          [B, d]
 *   loss = (1/B) sum_b ||Xh_b - X_b||^2  [+ (lambda/B) sum_b sum_i n_i F_bi,  n_i = ||W_d[:, i]||  (relu-l1)]
 * Backward:
 *   G     = 2 (Xh - X) / B                         dL/dXh
 *   dW_d  = G^T F  [+ (lambda/B) W_d[:, i] (sum_b F_bi) / n_i]
 *   dF    = G W_d  [+ lambda n_i / B]
 *   dPre  = dF * mask        (TopK selection is treated as fixed, as autograd does through torch.topk)
 *   dW_e  = dPre^T Xc,  db_e = sum_b dPre,  db_d = sum_b G [- (sum_b dPre) W_e  with the pre-encoder bias]
 * Unit-norm decoders (topk variants) first remove from dW_d[:, i] its component along W_d[:, i] and renormalise
 * the columns after the Adam step (Gao et al. 2024; SAELens' `remove_gradient_parallel_to_decoder_directions`).
 * Adam follows torch.optim.Adam (single-tensor form): m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps), with bc1, bc2 computed by the caller.
 *
 * Weights and Adam moments go in as graph inputs and come out updated: the five matrix products per step
 * (5 * 2BdL flops) dwarf the copies of the 6 weight-sized buffers, and a graph of several steps (`steps`)
 * makes those copies once per run.
 */
import { GraphBuilder, int, ints } from '../onnx/GraphBuilder';
import type { SAEVariant } from './SAEConfig';

export type StepFloat = 'float32' | 'float64';

export interface TrainStepGraphSpec {
  readonly variant: SAEVariant;
  readonly type: StepFloat;
  /** Also output the gradients (`gradEncoder` ...): for tests and diagnostics (one step per run only). */
  readonly withGrads: boolean;
  /**
   * Consecutive Adam steps per graph run (default 1). Weights and moments pass from one step to the next
   * inside the runtime, so they cross the JavaScript boundary once per run instead of once per step:
   * onnxruntime-node copies every output into a new JavaScript array, 6 weight-sized arrays per run.
   */
  readonly steps?: number;
}

/** Names of the graph's parameter inputs and their updated outputs, in the order the trainer feeds them. */
export const STEP_PARAMS = ['We', 'Wd', 'be', 'bd'] as const;
export type StepParam = (typeof STEP_PARAMS)[number];

/** Scalar inputs: 1/B, lambda, lr/bc1, sqrt(bc2), beta1, 1-beta1, beta2, 1-beta2, eps. */
export const STEP_SCALARS = ['invB', 'l1', 'stepSize', 'bc2sqrt', 'beta1', 'omb1', 'beta2', 'omb2', 'eps'] as const;
export type StepScalar = (typeof STEP_SCALARS)[number];

/** The scalars that change from step to step; a graph of several steps takes one of each per step. */
export const PER_STEP_SCALARS = ['l1', 'stepSize', 'bc2sqrt'] as const satisfies readonly StepScalar[];
const perStepScalar: ReadonlySet<StepScalar> = new Set(PER_STEP_SCALARS);

/**
 * The name of per-step value `name` (the `X` input, a `PER_STEP_SCALARS` input, or the output `loss`, `sse`,
 * `l0`, `counts` or `minKept`) for
 * step `s` of a graph of `steps` steps: the plain name for a one-step graph, `name.s` otherwise.
 */
export function stepValueName(name: string, s: number, steps: number): string {
  return steps === 1 ? name : `${name}.${s}`;
}

export function trainStepGraphKey(spec: TrainStepGraphSpec): string {
  return `sae-train-step|${spec.variant}|${spec.type}|grads=${spec.withGrads}|steps=${spec.steps ?? 1}`;
}

const shapes: Record<StepParam, readonly string[]> = { We: ['L', 'd'], Wd: ['d', 'L'], be: ['L'], bd: ['d'] };

/**
 * Graph inputs: `X`, the four parameters, `m_<p>` and `v_<p>` for each, the scalars of `STEP_SCALARS`
 * (`l1` is read by relu-l1 only), and `k` (int64 `[1]`: per frame for topk, k * B in total for batch-topk).
 * Outputs: `new_<p>`, `new_m_<p>`, `new_v_<p>`; `loss`, `sse` (mean per-frame summed squared error), `l0`
 * (mean active latents per frame), `counts` (`[L]` frames in which each latent fired), `minKept` (smallest kept
 * positive pre-activation, batch-topk only); `grad_<p>` when `withGrads`. With `steps` > 1, `X`, the
 * `PER_STEP_SCALARS` and the statistics come once per step, named by `stepValueName`; the batches of one run
 * have one size (`invB` is shared).
 */
export function buildTrainStepGraph(spec: TrainStepGraphSpec): Uint8Array {
  const { variant, type } = spec;
  const n = spec.steps ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new Error(`buildTrainStepGraph: steps must be a positive integer, got ${n}`);
  if (spec.withGrads && n > 1) throw new Error('buildTrainStepGraph: withGrads needs a graph of one step');
  const g = new GraphBuilder(`sae_train_step_${variant.replace('-', '_')}${n > 1 ? `_x${n}` : ''}`);
  let P: Record<StepParam, string> = { We: '', Wd: '', be: '', bd: '' };
  let M: Record<StepParam, string> = { ...P };
  let V: Record<StepParam, string> = { ...P };
  for (const p of STEP_PARAMS) {
    P[p] = g.input(p, type, shapes[p]);
    M[p] = g.input(`m_${p}`, type, shapes[p]);
    V[p] = g.input(`v_${p}`, type, shapes[p]);
  }
  const shared = new Map<StepScalar, string>();
  for (const s of STEP_SCALARS) if (!perStepScalar.has(s)) shared.set(s, g.input(s, type, []));
  const kIn = variant !== 'relu-l1' ? g.input('k', 'int64', [1]) : '';
  for (let s = 0; s < n; s++) {
    const X = g.input(stepValueName('X', s, n), type, ['B', 'd']);
    const S = scalarRecord((name) => shared.get(name) ?? g.input(stepValueName(name, s, n), type, []));
    const last = s === n - 1;
    const r = addStep(g, spec, X, P, M, V, S, kIn, last);
    const stat = (value: string, name: string, shape: readonly string[]): void => {
      g.output(value, stepValueName(name, s, n), type, shape);
    };
    stat(r.loss, 'loss', []);
    stat(r.sse, 'sse', []);
    stat(r.l0, 'l0', []);
    stat(r.counts, 'counts', ['L']);
    if (r.minKept !== '') stat(r.minKept, 'minKept', []);
    if (spec.withGrads) for (const p of STEP_PARAMS) g.output(r.grads[p], `grad_${p}`, type, shapes[p]);
    ({ P, M, V } = r);
  }
  for (const p of STEP_PARAMS) {
    g.output(P[p], `new_${p}`, type, shapes[p]);
    g.output(M[p], `new_m_${p}`, type, shapes[p]);
    g.output(V[p], `new_v_${p}`, type, shapes[p]);
  }
  return g.toBytes();
}

/** Every scalar of `STEP_SCALARS`, each from `get`. */
function scalarRecord(get: (name: StepScalar) => string): Record<StepScalar, string> {
  return { invB: get('invB'), l1: get('l1'), stepSize: get('stepSize'), bc2sqrt: get('bc2sqrt'), beta1: get('beta1'), omb1: get('omb1'), beta2: get('beta2'), omb2: get('omb2'), eps: get('eps') };
}

interface StepValues {
  readonly P: Record<StepParam, string>;
  readonly M: Record<StepParam, string>;
  readonly V: Record<StepParam, string>;
  readonly grads: Record<StepParam, string>;
  readonly loss: string;
  readonly sse: string;
  readonly l0: string;
  readonly counts: string;
  readonly minKept: string;
}

/**
 * One step's nodes: forward, backward and Adam from parameters `P` and moments `M`, `V`. The last step of a
 * graph names its new parameters and moments at the nodes that make them: a value that is an output and also
 * read later would otherwise need an Identity, which onnxruntime keeps as a copy.
 */
function addStep(
  g: GraphBuilder,
  spec: TrainStepGraphSpec,
  X: string,
  P: Record<StepParam, string>,
  M: Record<StepParam, string>,
  V: Record<StepParam, string>,
  S: Record<StepScalar, string>,
  kIn: string,
  last: boolean,
): StepValues {
  const { variant, type } = spec;
  const unitDecoder = variant !== 'relu-l1';
  const zero = g.scalar(0, type);
  const two = g.scalar(2, type);
  const axis0 = g.int64s([0]);
  const sum0 = (x: string): string => g.op('ReduceSum', [x, axis0], { keepdims: int(0) });
  const sumAll = (x: string): string => g.op('ReduceSum', [x], { keepdims: int(0) });
  // Forward.
  const Xc = unitDecoder ? g.op('Sub', [X, P.bd]) : X;
  const pre = g.op('Gemm', [Xc, P.We, P.be], { transB: int(1) });
  let mask: string;
  let F: string;
  let minKept = '';
  if (variant === 'relu-l1') {
    // The mask is read from F, not from pre, so that pre has one consumer and onnxruntime fuses Gemm + Relu.
    F = g.op('Relu', [pre]);
    mask = g.op('Greater', [F, zero]);
  } else if (variant === 'topk') {
    const [vals] = g.opN('TopK', [pre, kIn], { axis: int(1), largest: int(1), sorted: int(0) }, { outputs: 2 });
    const kth = g.op('ReduceMin', [vals as string], { axes: ints([1]), keepdims: int(1) });
    mask = g.op('And', [g.op('GreaterOrEqual', [pre, kth]), g.op('Greater', [pre, zero])]);
    F = g.op('Where', [mask, pre, zero]);
  } else {
    const flat = g.op('Reshape', [pre, g.int64s([-1])]);
    const [vals] = g.opN('TopK', [flat, kIn], { axis: int(0), largest: int(1), sorted: int(0) }, { outputs: 2 });
    const kth = g.op('ReduceMin', [vals as string], { keepdims: int(0) });
    mask = g.op('And', [g.op('GreaterOrEqual', [pre, kth]), g.op('Greater', [pre, zero])]);
    F = g.op('Where', [mask, pre, zero]);
    const big = g.scalar(type === 'float32' ? 3e38 : 1e300, type);
    minKept = g.op('ReduceMin', [g.op('Where', [mask, pre, big])], { keepdims: int(0) });
  }
  const Xh = g.op('Gemm', [F, P.Wd, P.bd], { transB: int(1) });
  const E = g.op('Sub', [Xh, X]);
  const sse = g.op('Mul', [sumAll(g.op('Mul', [E, E])), S.invB]);
  // The mask as 0/1 numbers serves both the counts and the backward's masking: a Mul by it is cheaper than
  // a Where on the bool mask (13 ms of the step at [4096, 6144], onnxruntime's profile, 2026-12-04).
  const maskF = g.op('Cast', [mask], { to: int(type === 'float32' ? 1 : 11) });
  const counts = sum0(maskF);
  const l0 = g.op('Mul', [sumAll(counts), S.invB]);

  // Backward.
  const G = g.op('Mul', [E, g.op('Mul', [two, S.invB])]);
  let loss: string;
  let gWd: string;
  let dF: string;
  if (variant === 'relu-l1') {
    const GtF = g.op('Gemm', [G, F], { transA: int(1) });
    const norms = g.op('Sqrt', [sum0(g.op('Mul', [P.Wd, P.Wd]))]);
    const colSumF = sum0(F);
    const lamB = g.op('Mul', [S.l1, S.invB]);
    loss = g.op('Add', [sse, g.op('Mul', [lamB, sumAll(g.op('Mul', [norms, colSumF]))])]);
    // d/dW_d of lambda/B * sum_i n_i s_i is lambda/B * s_i * W_d[:, i] / n_i (broadcast over rows).
    gWd = g.op('Add', [GtF, g.op('Mul', [P.Wd, g.op('Div', [g.op('Mul', [colSumF, lamB]), norms])])]);
    dF = g.op('Gemm', [G, P.Wd, g.op('Mul', [norms, lamB])]);
  } else {
    const GtF = g.op('Gemm', [G, F], { transA: int(1) });
    loss = sse;
    // Keep only the part of each column's gradient orthogonal to the column itself.
    const Wd2 = g.op('Mul', [P.Wd, P.Wd]);
    const along = g.op('Div', [sum0(g.op('Mul', [GtF, P.Wd])), sum0(Wd2)]);
    gWd = g.op('Sub', [GtF, g.op('Mul', [P.Wd, along])]);
    dF = g.op('MatMul', [G, P.Wd]);
  }
  // Unlike a Where, a Mul keeps a non-finite dF where the mask is 0; dF is finite unless training has already
  // overflowed, and then the loss (also an output) is non-finite too.
  const dPre = g.op('Mul', [dF, maskF]);
  const gWe = g.op('Gemm', [dPre, Xc], { transA: int(1) });
  const gbe = sum0(dPre);
  let gbd = sum0(G);
  if (unitDecoder) {
    const back = g.op('MatMul', [g.op('Unsqueeze', [gbe, axis0]), P.We]);
    gbd = g.op('Sub', [gbd, g.op('Squeeze', [back, axis0])]);
  }
  const grads: Record<StepParam, string> = { We: gWe, Wd: gWd, be: gbe, bd: gbd };

  // Adam.
  const named = (name: string): { name?: string } => (last ? { name } : {});
  const nP = { ...P };
  const nM = { ...M };
  const nV = { ...V };
  for (const p of STEP_PARAMS) {
    const gr = grads[p];
    const m = g.op('Add', [g.op('Mul', [M[p], S.beta1]), g.op('Mul', [gr, S.omb1])], {}, named(`new_m_${p}`));
    const v = g.op('Add', [g.op('Mul', [V[p], S.beta2]), g.op('Mul', [g.op('Mul', [gr, gr]), S.omb2])], {}, named(`new_v_${p}`));
    const denom = g.op('Add', [g.op('Div', [g.op('Sqrt', [v]), S.bc2sqrt]), S.eps]);
    const renormalise = p === 'Wd' && unitDecoder;
    let np = g.op('Sub', [P[p], g.op('Mul', [g.op('Div', [m, denom]), S.stepSize])], {}, renormalise ? {} : named(`new_${p}`));
    if (renormalise) np = g.op('Div', [np, g.op('Sqrt', [g.op('ReduceSum', [g.op('Mul', [np, np]), axis0], { keepdims: int(1) })])], {}, named(`new_${p}`));
    nP[p] = np;
    nM[p] = m;
    nV[p] = v;
  }
  return { P: nP, M: nM, V: nV, grads, loss, sse, l0, counts, minKept };
}
