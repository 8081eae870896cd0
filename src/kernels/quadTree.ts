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
      const a = y[2 * i] as number;
      const b = y[2 * i + 1] as number;
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
      const p = order[t] as number;
      const a = y[2 * p] as number;
      const b = y[2 * p + 1] as number;
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
      const p = order[t] as number;
      const q = ((y[2 * p] as number) >= mxs ? 1 : 0) + ((y[2 * p + 1] as number) >= mys ? 2 : 0);
      counts[q] = (counts[q] as number) + 1;
    }
    const pos = [s, 0, 0, 0];
    for (let q = 1; q < 4; q++) pos[q] = (pos[q - 1] as number) + (counts[q - 1] as number);
    const starts = [...pos];
    for (let t = s; t < e; t++) {
      const p = order[t] as number;
      const q = ((y[2 * p] as number) >= mxs ? 1 : 0) + ((y[2 * p + 1] as number) >= mys ? 2 : 0);
      this.scratch[pos[q] as number] = p;
      pos[q] = (pos[q] as number) + 1;
    }
    for (let t = s; t < e; t++) order[t] = this.scratch[t] as number;
    let firstChild = -1;
    let nc = 0;
    for (let q = 0; q < 4; q++) {
      const qs = starts[q] as number;
      const qe = qs + (counts[q] as number);
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
    while (top > 0) {
      const id = stack[--top] as number;
      const dx = px - (cx[id] as number);
      const dy = py - (cy[id] as number);
      const d2 = dx * dx + dy * dy;
      const fc = first[id] as number;
      const w = width[id] as number;
      if (fc === -1) {
        const s = start[id] as number;
        const e = s + (count[id] as number);
        for (let t = s; t < e; t++) {
          const j = order[t] as number;
          if (j === i) continue;
          const ex = px - (y[2 * j] as number);
          const ey = py - (y[2 * j + 1] as number);
          const q = 1 / (1 + ex * ex + ey * ey);
          sumW += q;
          const q2 = q * q;
          fx += q2 * ex;
          fy += q2 * ey;
        }
      } else if (w * w < theta2 * d2) {
        const cnt = count[id] as number;
        const q = 1 / (1 + d2);
        sumW += cnt * q;
        const q2 = cnt * q * q;
        fx += q2 * dx;
        fy += q2 * dy;
      } else {
        const nc = nChildren[id] as number;
        let c = fc;
        for (let k = 0; k < nc; k++) {
          stack[top++] = c;
          c += sub[c] as number;
        }
      }
    }
    force[2 * i] = (force[2 * i] as number) + fx;
    force[2 * i + 1] = (force[2 * i + 1] as number) + fy;
    return sumW;
  }
}
