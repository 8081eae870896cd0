import { atF64, atI32, atI8, atNum } from '../util/at';
/**
 * A 2-D space-partitioning tree (quadtree) for the Barnes-Hut approximation of t-SNE's repulsive forces.
 * It is rebuilt every iteration over the current embedding by recursive in-place partitioning of a point
 * index array, so every node covers a contiguous range of that array; leaves hold one point, or several
 * when they coincide (or depth runs out), and those are summed exactly.
 */

const MAX_DEPTH = 48;

/** The tree over points `y` `[n, 2]` (row-major x, y). */
export class QuadTree {
  /** Number of nodes in use. */
  size = 0;
  /** Per node: centre of mass, point count, largest cell side, first child (-1 for a leaf), children. */
  private cx: Float64Array;
  private cy: Float64Array;
  private count: Int32Array;
  private width: Float64Array;
  private first: Int32Array;
  private nChildren: Int8Array;
  private start: Int32Array;
  /** Nodes in each node's subtree (itself included); nodes are numbered depth-first, so a node's next
   * sibling is `id + sub[id]`. */
  private sub: Int32Array;
  /** Point indices, grouped so that each node's points are `order[start .. start + count)`. */
  readonly order: Int32Array;
  private readonly scratch: Int32Array;

  constructor(private readonly n: number) {
    const cap = Math.max(16, 4 * n);
    this.cx = new Float64Array(cap);
    this.cy = new Float64Array(cap);
    this.count = new Int32Array(cap);
    this.width = new Float64Array(cap);
    this.first = new Int32Array(cap);
    this.nChildren = new Int8Array(cap);
    this.start = new Int32Array(cap);
    this.sub = new Int32Array(cap);
    this.order = new Int32Array(n);
    this.scratch = new Int32Array(n);
  }

  private grow(): void {
    const cap = this.cx.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.cx = f64(this.cx);
    this.cy = f64(this.cy);
    this.width = f64(this.width);
    this.count = i32(this.count);
    this.first = i32(this.first);
    this.start = i32(this.start);
    this.sub = i32(this.sub);
    const c = new Int8Array(cap);
    c.set(this.nChildren);
    this.nChildren = c;
  }

  /** Rebuild over `y` `[n, 2]`. */
  build(y: Float64Array): void {
    const n = this.n;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (let i = 0; i < n; i++) {
      const a = atF64(y, 2 * i);
      const b = atF64(y, 2 * i + 1);
      if (a < x0) x0 = a;
      if (a > x1) x1 = a;
      if (b < y0) y0 = b;
      if (b > y1) y1 = b;
      this.order[i] = i;
    }
    this.size = 0;
    // A square root cell (slightly enlarged) keeps children square, so `width` is the cell side.
    const side = Math.max(x1 - x0, y1 - y0) * (1 + 1e-9) + 1e-12;
    this.node(y, 0, n, x0, y0, side, 0);
  }

  private node(y: Float64Array, s: number, e: number, x0: number, y0: number, side: number, depth: number): number {
    if (this.size === this.cx.length) this.grow();
    const id = this.size++;
    const order = this.order;
    let mx = 0;
    let my = 0;
    let bx0 = Infinity;
    let bx1 = -Infinity;
    let by0 = Infinity;
    let by1 = -Infinity;
    for (let t = s; t < e; t++) {
      const p = atI32(order, t);
      const a = atF64(y, 2 * p);
      const b = atF64(y, 2 * p + 1);
      mx += a;
      my += b;
      if (a < bx0) bx0 = a;
      if (a > bx1) bx1 = a;
      if (b < by0) by0 = b;
      if (b > by1) by1 = b;
    }
    const cnt = e - s;
    this.cx[id] = mx / cnt;
    this.cy[id] = my / cnt;
    this.count[id] = cnt;
    this.width[id] = side;
    this.start[id] = s;
    this.first[id] = -1;
    this.nChildren[id] = 0;
    this.sub[id] = 1;
    // Coincident points (zero extent) or exhausted depth: keep them in one leaf, summed exactly.
    if (cnt <= 1 || depth >= MAX_DEPTH || (bx1 - bx0 === 0 && by1 - by0 === 0)) return id;
    const half = side / 2;
    const mxs = x0 + half;
    const mys = y0 + half;
    // Counting sort of the range into the four quadrants (SW, SE, NW, NE).
    const counts = [0, 0, 0, 0];
    for (let t = s; t < e; t++) {
      const p = atI32(order, t);
      const q = (atF64(y, 2 * p) >= mxs ? 1 : 0) + (atF64(y, 2 * p + 1) >= mys ? 2 : 0);
      counts[q] += 1;
    }
    const pos = [s, 0, 0, 0];
    for (let q = 1; q < 4; q++) pos[q] = atNum(pos, q - 1) + atNum(counts, q - 1);
    const starts = [...pos];
    for (let t = s; t < e; t++) {
      const p = atI32(order, t);
      const q = (atF64(y, 2 * p) >= mxs ? 1 : 0) + (atF64(y, 2 * p + 1) >= mys ? 2 : 0);
      this.scratch[atNum(pos, q)] = p;
      pos[q] += 1;
    }
    for (let t = s; t < e; t++) order[t] = atI32(this.scratch, t);
    let firstChild = -1;
    let nc = 0;
    for (let q = 0; q < 4; q++) {
      const qs = atNum(starts, q);
      const qe = qs + atNum(counts, q);
      if (qe === qs) continue;
      const cid = this.node(y, qs, qe, q & 1 ? mxs : x0, q & 2 ? mys : y0, half, depth + 1);
      if (firstChild === -1) firstChild = cid;
      nc++;
    }
    this.first[id] = firstChild;
    this.nChildren[id] = nc;
    this.sub[id] = this.size - id;
    return id;
  }

  /**
   * Barnes-Hut sums for point `i` at (`px`, `py`): adds sum_j w_ij^2 (p - y_j) into `force` (2 values at
   * `force[2 i]`) and returns sum_j w_ij, with w = 1 / (1 + |p - y_j|^2), j != i. A cell is summarised by its
   * centre of mass when side^2 / dist^2 < theta^2.
   */
  repulsion(i: number, px: number, py: number, y: Float64Array, theta2: number, force: Float64Array, stack: Int32Array): number {
    let sumW = 0;
    let fx = 0;
    let fy = 0;
    let top = 0;
    stack[top++] = 0;
    const { cx, cy, count, width, first, nChildren, start, order, sub } = this;
    // The hottest loop of t-SNE: each group of reads is checked at once (one branch), which V8 compiles as
    // tightly as unchecked reads; per-read accessor calls here cost about 15% of t-SNE's time.
    while (top > 0) {
      const id = stack[--top];
      if (id === undefined) throw new RangeError(`quadTree: stack underflow at ${top}`);
      const cxi = cx[id];
      const cyi = cy[id];
      const fc = first[id];
      const w = width[id];
      const cnt = count[id];
      if (cxi === undefined || cyi === undefined || fc === undefined || w === undefined || cnt === undefined) throw new RangeError(`quadTree: node ${id} is outside the tree`);
      const dx = px - cxi;
      const dy = py - cyi;
      const d2 = dx * dx + dy * dy;
      if (fc === -1) {
        const s = start[id];
        if (s === undefined) throw new RangeError(`quadTree: node ${id} is outside the tree`);
        const e = s + cnt;
        for (let t = s; t < e; t++) {
          const j = order[t];
          if (j === undefined) throw new RangeError(`quadTree: point slot ${t} is outside the tree`);
          if (j === i) continue;
          const yx = y[2 * j];
          const yy = y[2 * j + 1];
          if (yx === undefined || yy === undefined) throw new RangeError(`quadTree: point ${j} is outside the embedding`);
          const ex = px - yx;
          const ey = py - yy;
          const q = 1 / (1 + ex * ex + ey * ey);
          sumW += q;
          const q2 = q * q;
          fx += q2 * ex;
          fy += q2 * ey;
        }
      } else if (w * w < theta2 * d2) {
        const q = 1 / (1 + d2);
        sumW += cnt * q;
        const q2 = cnt * q * q;
        fx += q2 * dx;
        fy += q2 * dy;
      } else {
        const nc = atI8(nChildren, id);
        let c = fc;
        for (let k = 0; k < nc; k++) {
          stack[top++] = c;
          c += atI32(sub, c);
        }
      }
    }
    force[2 * i] += fx;
    force[2 * i + 1] += fy;
    return sumW;
  }
}
