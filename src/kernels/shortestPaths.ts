import { atF64, atI32 } from '../util/at';
/**
 * Single-source Dijkstra on a sparse undirected graph in CSR form, stopping as soon as a given set of
 * targets is settled. Graph convexity asks for a few dozen targets per source on a kNN graph, so the early
 * stop and a workspace reused across sources (no per-source allocation) are what make it fast.
 */

/** An undirected weighted graph in CSR form: the neighbours of node `i` are `targets[offsets[i]..offsets[i+1])`. */
export interface WeightedGraph {
  readonly nodes: number;
  /** `[nodes + 1]` row offsets. */
  readonly offsets: Int32Array;
  /** `[edges]` neighbour ids (each undirected edge appears in both nodes' lists). */
  readonly targets: Int32Array;
  /** `[edges]` non-negative edge weights, aligned with `targets`. */
  readonly weights: Float64Array;
}

/**
 * Reusable Dijkstra state for one graph. `run(source, targets)` fills `dist` and `pred` for every node it
 * settles (nodes it did not reach keep `dist = Infinity`, `pred = -1`). Equal tentative distances are
 * settled lower node id first, so the predecessor tree, and thus every path, is deterministic.
 */
export class DijkstraWorkspace {
  readonly dist: Float64Array;
  readonly pred: Int32Array;
  private readonly stamp: Int32Array;
  private readonly settled: Uint8Array;
  private readonly wanted: Int32Array;
  private epoch = 0;
  private heapKey: Float64Array;
  private heapNode: Int32Array;
  private size = 0;

  constructor(private readonly graph: WeightedGraph) {
    const n = graph.nodes;
    this.dist = new Float64Array(n);
    this.pred = new Int32Array(n);
    this.stamp = new Int32Array(n).fill(-1);
    this.settled = new Uint8Array(n);
    this.wanted = new Int32Array(n).fill(-1);
    const cap = Math.max(16, graph.targets.length + 1);
    this.heapKey = new Float64Array(cap);
    this.heapNode = new Int32Array(cap);
  }

  /** Whether node `v` was reached by the last run. */
  reached(v: number): boolean {
    return this.stamp[v] === this.epoch && Number.isFinite(atF64(this.dist, v));
  }

  /** The path source..v of the last run as node ids (empty when `v` was not reached). */
  path(v: number): number[] {
    if (!this.reached(v)) return [];
    const out: number[] = [];
    for (let u = v; u !== -1; u = atI32(this.pred, u)) out.push(u);
    return out.reverse();
  }

  /** Shortest paths from `source` until every node in `targets` is settled (or the component is exhausted). */
  run(source: number, targets: Int32Array): void {
    const g = this.graph;
    this.epoch++;
    const ep = this.epoch;
    const { dist, pred, stamp, settled, wanted } = this;
    let remaining = 0;
    for (let t = 0; t < targets.length; t++) {
      const v = atI32(targets, t);
      if (wanted[v] !== ep) {
        wanted[v] = ep;
        remaining++;
      }
    }
    this.size = 0;
    stamp[source] = ep;
    dist[source] = 0;
    pred[source] = -1;
    settled[source] = 0;
    this.push(0, source);
    while (this.size > 0 && remaining > 0) {
      const d = atF64(this.heapKey, 0);
      const u = atI32(this.heapNode, 0);
      this.pop();
      if (settled[u] === 1 || d > atF64(dist, u)) continue;
      settled[u] = 1;
      if (wanted[u] === ep) remaining--;
      const end = atI32(g.offsets, u + 1);
      for (let e = atI32(g.offsets, u); e < end; e++) {
        // Hot loop: both reads checked at once (see QuadTree.repulsion).
        const v = g.targets[e];
        const weight = g.weights[e];
        if (v === undefined || weight === undefined) throw new RangeError(`shortestPaths: edge ${e} is outside the graph`);
        const nd = d + weight;
        if (stamp[v] !== ep) {
          stamp[v] = ep;
          settled[v] = 0;
          dist[v] = nd;
          pred[v] = u;
          this.push(nd, v);
        } else if (settled[v] === 0 && nd < atF64(dist, v)) {
          dist[v] = nd;
          pred[v] = u;
          this.push(nd, v);
        }
      }
    }
    // Unsettled but stamped nodes keep their tentative distances; only settled targets are final, and the
    // loop ends only when all wanted nodes are settled or nothing is left to reach.
    for (let t = 0; t < targets.length; t++) {
      const v = atI32(targets, t);
      if (stamp[v] === ep && settled[v] === 0) dist[v] = Infinity;
      else if (stamp[v] !== ep) {
        stamp[v] = ep;
        dist[v] = Infinity;
        pred[v] = -1;
      }
    }
  }

  // The heap is the other hot spot of convexity: reads are checked in pairs, one branch each (see
  // QuadTree.repulsion for why not per-read accessor calls).
  private less(a: number, b: number): boolean {
    const ka = this.heapKey[a];
    const kb = this.heapKey[b];
    const na = this.heapNode[a];
    const nb = this.heapNode[b];
    if (ka === undefined || kb === undefined || na === undefined || nb === undefined) throw new RangeError(`shortestPaths: heap slots ${a}, ${b} are outside the heap`);
    return ka < kb || (ka === kb && na < nb);
  }

  private swap(a: number, b: number): void {
    const ka = this.heapKey[a];
    const kb = this.heapKey[b];
    const na = this.heapNode[a];
    const nb = this.heapNode[b];
    if (ka === undefined || kb === undefined || na === undefined || nb === undefined) throw new RangeError(`shortestPaths: heap slots ${a}, ${b} are outside the heap`);
    this.heapKey[a] = kb;
    this.heapNode[a] = nb;
    this.heapKey[b] = ka;
    this.heapNode[b] = na;
  }

  private push(key: number, node: number): void {
    if (this.size === this.heapKey.length) {
      const k = new Float64Array(this.size * 2);
      k.set(this.heapKey);
      const v = new Int32Array(this.size * 2);
      v.set(this.heapNode);
      this.heapKey = k;
      this.heapNode = v;
    }
    let i = this.size++;
    this.heapKey[i] = key;
    this.heapNode[i] = node;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private pop(): void {
    const last = --this.size;
    if (last === 0) return;
    this.heapKey[0] = atF64(this.heapKey, last);
    this.heapNode[0] = atI32(this.heapNode, last);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const c = r < last && this.less(r, l) ? r : l;
      if (!this.less(c, i)) break;
      this.swap(c, i);
      i = c;
    }
  }
}
