// Embedding lookup and its gradient (layers.embedding): rows of a [inputDim, D] table,
// tokens in the model's float dtype.
// Layout: table [inputDim, D] row-major, tokens [n], out and dy [n, D]. Alignment: T-aligned
// pointers. Aliasing: no output may alias an input. Tails: none (whole-row copies and
// scalar loops).

/**
 * Embedding lookup: out[i, :] = table[tokens[i], :] for i < n; table [inputDim, D].
 * Tokens arrive in T (the model's input dtype). Returns −1, or the index of the first token
 * that is not an integer in [0, inputDim) (then out is partly written; callers throw).
 * out must not alias table or tokens.
 */
export function embedding<T>(out: usize, table: usize, tokens: usize, n: usize, inputDim: usize, D: usize): i32 {
  const es = sizeof<T>();
  for (let i: usize = 0; i < n; i++) {
    const v = <f64>load<T>(tokens + i * es);
    if (!(v >= 0 && v < <f64>inputDim && Math.floor(v) == v)) return <i32>i;
    memory.copy(out + i * D * es, table + <usize>v * D * es, D * es);
  }
  return -1;
}

/**
 * dtable = Σ over i of dy[i, :] scattered to row tokens[i] (tokens already validated by the
 * forward). dtable is overwritten (zeroed first, then rows added in order i = 0, 1, …, so
 * repeated tokens sum in a fixed order).
 */
export function embeddingBackward<T>(dtable: usize, dy: usize, tokens: usize, n: usize, inputDim: usize, D: usize): void {
  const es = sizeof<T>();
  memory.fill(dtable, 0, inputDim * D * es);
  for (let i: usize = 0; i < n; i++) {
    const row = dtable + <usize>load<T>(tokens + i * es) * D * es;
    const src = dy + i * D * es;
    for (let j: usize = 0; j < D; j++) store<T>(row + j * es, load<T>(row + j * es) + load<T>(src + j * es));
  }
}
