// Plain f64 tensor utilities: column sums, products, norms, gathering, image shifts.

export function colSumRef(x: ArrayLike<number>, rows: number, cols: number, init: ArrayLike<number> | null) {
  const out = new Float64Array(cols);
  const abs = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    out[c] = init ? init[c] : 0;
    abs[c] = Math.abs(out[c]);
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out[c] += x[r * cols + c];
      abs[c] += Math.abs(x[r * cols + c]);
    }
  }
  return { out, abs };
}

export function mulRef(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * b[i];
  return out;
}

export function sumSquaresRef(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}

export function firstNonFiniteRef(x: ArrayLike<number>): number {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return i;
  return -1;
}

/** λ·Σw² and grad + 2λ·w. */
export function l2Ref(grad: ArrayLike<number>, w: ArrayLike<number>, lambda: number) {
  const g = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) g[i] = grad[i] + 2 * lambda * w[i];
  return { penalty: lambda * sumSquaresRef(w), grad: g };
}

/** out row i = x row idx[i], rows of `rowLen` elements. */
export function gatherRowsRef(x: ArrayLike<number>, idx: ArrayLike<number>, rowLen: number): Float64Array {
  const out = new Float64Array(idx.length * rowLen);
  for (let i = 0; i < idx.length; i++) {
    for (let j = 0; j < rowLen; j++) out[i * rowLen + j] = x[idx[i] * rowLen + j];
  }
  return out;
}

/**
 * Image i of x [count, h, w, c] translated by shifts[i] = [dy, dx], zero fill:
 * out[y, x] = in[y − dy, x − dx] where that is inside the image, else 0.
 */
export function randomShiftRef(
  x: ArrayLike<number>, count: number, h: number, w: number, c: number, shifts: [number, number][],
): Float64Array {
  const out = new Float64Array(count * h * w * c);
  for (let i = 0; i < count; i++) {
    const [dy, dx] = shifts[i];
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        const sy = y - dy, sx = xx - dx;
        if (sy < 0 || sy >= h || sx < 0 || sx >= w) continue;
        for (let ch = 0; ch < c; ch++) {
          out[((i * h + y) * w + xx) * c + ch] = x[((i * h + sy) * w + sx) * c + ch];
        }
      }
    }
  }
  return out;
}
