// Eigenvalues of a symmetric matrix (a Hessian): closed form for 2x2, cyclic Jacobi rotations beyond.

/** The eigenvalues of the symmetric n x n matrix (row-major), ascending. NaN entries give NaN eigenvalues. */
export function symmetricEigenvalues(matrix: ArrayLike<number>, n: number): number[] {
  if (n === 0) return [];
  for (let k = 0; k < n * n; k++) if (!Number.isFinite(matrix[k])) return Array.from({ length: n }, () => NaN);
  if (n === 1) return [matrix[0]];
  if (n === 2) {
    const a = matrix[0];
    const b = (matrix[1] + matrix[2]) / 2;
    const d = matrix[3];
    const mean = (a + d) / 2;
    const radius = Math.hypot((a - d) / 2, b);
    return [mean - radius, mean + radius];
  }
  const a = Float64Array.from({ length: n * n }, (_, k) => (matrix[k] + matrix[(k % n) * n + Math.floor(k / n)]) / 2);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        total += a[i * n + j] ** 2;
        if (i !== j) off += a[i * n + j] ** 2;
      }
    }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i]).sort((x, y) => x - y);
}
