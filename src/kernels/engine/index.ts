/**
 * The kernels' compute engine: the heavy linear algebra of every analysis kernel, as small ONNX graphs run
 * by onnxruntime (about 100-300 GFLOP/s here against about 1 in plain JS loops), plus the float64 helpers
 * around them. Kernels validate their inputs (`toMatrix`) before calling in; the engine only checks shapes.
 *
 * Precision: every function takes `precision?: 'float32' | 'float64'`; by default it is float32 only when
 * all inputs are `Float32Array`-backed. float32 products are summed over row blocks in float64, so results
 * agree with float64 ones to about 1e-6 relative; float64 ones agree with NumPy to rounding.
 *
 * - `crossProduct(X, Y)`: `X^T Y` [a, b] (Float64Array) for `X` [n, a], `Y` [n, b]; `gram(X)` = `X^T X`.
 * - `rowProducts(A, B)`: `A B^T` [m, n] in the working precision (materialises m x n: small sets only);
 *   `matmul(A, B)`: `A B` [m, n].
 * - `topKNeighbors(X, {k, metric, excludeSelf = true})` / `knnSearch(queries, reference, {k, metric})`:
 *   exact k-NN in row blocks (Gemm + TopK per block, never n x n), `metric` 'inner' | 'cosine' |
 *   'euclidean' (values = similarities descending, or squared distances ascending); ties go to the lower
 *   index; `indices` Int32Array [rows, k], `values` Float64Array [rows, k].
 * - `columnMeans`, `centerColumns`, `rowSquaredNorms`, `normalizeRows`: float64 sums, output in the asked
 *   precision.
 * - `symmetricEigen(A, n)`: all eigenvalues (descending) and eigenvectors of a symmetric float64 matrix
 *   (Householder tridiagonalisation + implicit QL), for the small d x d problems of CCA.
 */
export { resolvePrecision, type Precision } from './precision';
export { columnMeans, centerColumns, centerColumnsChecked, rowSquaredNorms, normalizeRows, type CenteredColumns } from './columns';
export { crossProduct, gram, matmul, rowProducts } from './products';
export { topKNeighbors, knnSearch, type Neighbors, type NeighborMetric } from './neighbors';
export { symmetricEigen } from './symmetricEigen';
