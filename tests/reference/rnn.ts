// Plain float64 oracles of the recurrent cell kernels (assembly/rnn.ts), written from the
// formulas (Keras gate orders: LSTM i, f, c, o; GRU z, r, h with the reset after the
// recurrent product), not from the kernels. Activation codes: 0 linear, 1 relu, 2 sigmoid, 3 tanh.

export function actRef(v: number, code: number): number {
  switch (code) {
    case 1: return Math.max(v, 0);
    case 2: return 1 / (1 + Math.exp(-v));
    case 3: return Math.tanh(v);
    default: return v;
  }
}

/** Derivative at the pre-activation v (not through the output, unlike the kernels). */
export function dactRef(v: number, code: number): number {
  switch (code) {
    case 1: return v > 0 ? 1 : 0;
    case 2: { const s = 1 / (1 + Math.exp(-v)); return s * (1 - s); }
    case 3: { const t = Math.tanh(v); return 1 - t * t; }
    default: return 1;
  }
}

export function swapAxesRef(x: ArrayLike<number>, a: number, b: number, c: number): Float64Array {
  const out = new Float64Array(a * b * c);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) for (let k = 0; k < c; k++) out[(j * a + i) * c + k] = x[(i * b + j) * c + k];
  return out;
}

/** LSTM step from pre-activations z [N, 4U] and cPrev [N, U] (null = zeros). */
export function lstmCellRef(z: ArrayLike<number>, cPrev: ArrayLike<number> | null, N: number, U: number, act: number, rec: number) {
  const gates = new Float64Array(N * 4 * U), c = new Float64Array(N * U), ac = new Float64Array(N * U), h = new Float64Array(N * U);
  for (let n = 0; n < N; n++) for (let u = 0; u < U; u++) {
    const b = n * 4 * U + u, r = n * U + u;
    const i = actRef(z[b], rec), f = actRef(z[b + U], rec), g = actRef(z[b + 2 * U], act), o = actRef(z[b + 3 * U], rec);
    gates[b] = i; gates[b + U] = f; gates[b + 2 * U] = g; gates[b + 3 * U] = o;
    c[r] = f * (cPrev ? cPrev[r] : 0) + i * g;
    ac[r] = actRef(c[r], act);
    h[r] = o * ac[r];
  }
  return { gates, c, ac, h };
}

/** LSTM step backward by the chain rule on the pre-activations z. */
export function lstmCellBackwardRef(z: ArrayLike<number>, cPrev: ArrayLike<number> | null, dh: ArrayLike<number>, dc: ArrayLike<number>, N: number, U: number, act: number, rec: number) {
  const dz = new Float64Array(N * 4 * U), dcPrev = new Float64Array(N * U);
  const { gates, c } = lstmCellRef(z, cPrev, N, U, act, rec);
  for (let n = 0; n < N; n++) for (let u = 0; u < U; u++) {
    const b = n * 4 * U + u, r = n * U + u;
    const i = gates[b], f = gates[b + U], g = gates[b + 2 * U], o = gates[b + 3 * U];
    const dct = dc[r] + dh[r] * o * dactRef(c[r], act);
    dz[b] = dct * g * dactRef(z[b], rec);
    dz[b + U] = dct * (cPrev ? cPrev[r] : 0) * dactRef(z[b + U], rec);
    dz[b + 2 * U] = dct * i * dactRef(z[b + 2 * U], act);
    dz[b + 3 * U] = dh[r] * actRef(c[r], act) * dactRef(z[b + 3 * U], rec);
    dcPrev[r] = dct * f;
  }
  return { dz, dcPrev };
}

/** GRU step (resetAfter) from x-projection gx [N, 3U], recurrent product gr [N, 3U], recurrent bias rb [3U] | null, hPrev | null. */
export function gruCellRef(gx: ArrayLike<number>, gr: ArrayLike<number>, rb: ArrayLike<number> | null, hPrev: ArrayLike<number> | null, N: number, U: number, act: number, rec: number) {
  const gates = new Float64Array(N * 3 * U), rh = new Float64Array(N * U), h = new Float64Array(N * U);
  for (let n = 0; n < N; n++) for (let u = 0; u < U; u++) {
    const b = n * 3 * U + u, r = n * U + u;
    const bias = (k: number) => (rb ? rb[k * U + u] : 0);
    const z = actRef(gx[b] + gr[b] + bias(0), rec);
    const rr = actRef(gx[b + U] + gr[b + U] + bias(1), rec);
    rh[r] = gr[b + 2 * U] + bias(2);
    const hh = actRef(gx[b + 2 * U] + rr * rh[r], act);
    gates[b] = z; gates[b + U] = rr; gates[b + 2 * U] = hh;
    h[r] = z * (hPrev ? hPrev[r] : 0) + (1 - z) * hh;
  }
  return { gates, rh, h };
}

/** GRU step backward: d/d gx, d/d (gr + rb), and the direct dhPrev = dh⊙z. */
export function gruCellBackwardRef(gx: ArrayLike<number>, gr: ArrayLike<number>, rb: ArrayLike<number> | null, hPrev: ArrayLike<number> | null, dh: ArrayLike<number>, N: number, U: number, act: number, rec: number) {
  const dgx = new Float64Array(N * 3 * U), dgr = new Float64Array(N * 3 * U), dhPrev = new Float64Array(N * U);
  for (let n = 0; n < N; n++) for (let u = 0; u < U; u++) {
    const b = n * 3 * U + u, r = n * U + u;
    const bias = (k: number) => (rb ? rb[k * U + u] : 0);
    const az = gx[b] + gr[b] + bias(0), ar = gx[b + U] + gr[b + U] + bias(1);
    const z = actRef(az, rec), rr = actRef(ar, rec), rh = gr[b + 2 * U] + bias(2);
    const ah = gx[b + 2 * U] + rr * rh, hh = actRef(ah, act);
    const hp = hPrev ? hPrev[r] : 0;
    const dz = dh[r] * (hp - hh) * dactRef(az, rec);
    const dah = dh[r] * (1 - z) * dactRef(ah, act);
    const dr = dah * rh * dactRef(ar, rec);
    dgx[b] = dz; dgx[b + U] = dr; dgx[b + 2 * U] = dah;
    dgr[b] = dz; dgr[b + U] = dr; dgr[b + 2 * U] = dah * rr;
    dhPrev[r] = dh[r] * z;
  }
  return { dgx, dgr, dhPrev };
}

/** GRU step with the reset before the product (resetAfter: false): gx [N, 3U] = x·W + b, zrIn [N, 2U] = h·U_zr | null, uh [U, U] = U_h. */
export function gruResetBeforeRef(gx: ArrayLike<number>, zrIn: ArrayLike<number> | null, uh: ArrayLike<number>, hPrev: ArrayLike<number> | null, N: number, U: number, act: number, rec: number) {
  const z = new Float64Array(N * U), r = new Float64Array(N * U), rh = new Float64Array(N * U), hu = new Float64Array(N * U);
  const hh = new Float64Array(N * U), h = new Float64Array(N * U), az = new Float64Array(N * U), ar = new Float64Array(N * U), ah = new Float64Array(N * U);
  for (let n = 0; n < N; n++) for (let u = 0; u < U; u++) {
    const i = n * U + u, b = n * 3 * U + u;
    az[i] = gx[b] + (zrIn ? zrIn[n * 2 * U + u] : 0);
    ar[i] = gx[b + U] + (zrIn ? zrIn[n * 2 * U + U + u] : 0);
    z[i] = actRef(az[i], rec); r[i] = actRef(ar[i], rec);
    rh[i] = r[i] * (hPrev ? hPrev[i] : 0);
  }
  for (let n = 0; n < N; n++) for (let j = 0; j < U; j++) {
    let s = 0;
    for (let k = 0; k < U; k++) s += rh[n * U + k] * uh[k * U + j];
    hu[n * U + j] = s;
  }
  for (let n = 0; n < N; n++) for (let u = 0; u < U; u++) {
    const i = n * U + u;
    ah[i] = gx[n * 3 * U + 2 * U + u] + hu[i];
    hh[i] = actRef(ah[i], act);
    h[i] = z[i] * (hPrev ? hPrev[i] : 0) + (1 - z[i]) * hh[i];
  }
  return { z, r, rh, hu, hh, h, az, ar, ah };
}

/** Its backward given dh: pre-activation gradients dz, dr, dhh, d(r⊙h) = dhh·U_hᵀ, and the direct dhPrev = dh⊙z + d(r⊙h)⊙r. */
export function gruResetBeforeBackwardRef(f: ReturnType<typeof gruResetBeforeRef>, uh: ArrayLike<number>, hPrev: ArrayLike<number> | null, dh: ArrayLike<number>, N: number, U: number, act: number, rec: number) {
  const dz = new Float64Array(N * U), dr = new Float64Array(N * U), dhh = new Float64Array(N * U), drh = new Float64Array(N * U), dhPrev = new Float64Array(N * U);
  for (let i = 0; i < N * U; i++) {
    const hp = hPrev ? hPrev[i] : 0;
    dz[i] = dh[i] * (hp - f.hh[i]) * dactRef(f.az[i], rec);
    dhh[i] = dh[i] * (1 - f.z[i]) * dactRef(f.ah[i], act);
  }
  for (let n = 0; n < N; n++) for (let k = 0; k < U; k++) {
    let s = 0;
    for (let j = 0; j < U; j++) s += dhh[n * U + j] * uh[k * U + j];
    drh[n * U + k] = s;
  }
  for (let i = 0; i < N * U; i++) {
    const hp = hPrev ? hPrev[i] : 0;
    dr[i] = drh[i] * hp * dactRef(f.ar[i], rec);
    dhPrev[i] = dh[i] * f.z[i] + drh[i] * f.r[i];
  }
  return { dz, dr, dhh, drh, dhPrev };
}
