// The 'no threads' answer of a peer asked for more threads than it runs here; shared by the
// contenders of Node, Bun and Deno (contenders.mjs) and of browsers (browser/contenders.mjs).

/**
 * For a cell that needs `n` threads: throws the status 'no threads' (shown in the table,
 * with the reason once under the block) when a peer runs fewer here. The reason is the
 * contender's `info.threadsNote`, set by its loader.
 * NOTE: simdnet is measured whatever its runtime reports: it is what the rows are about,
 * and the header and the summary say how many threads it ran (a simdnet without the option
 * runs 1, and its 2-thread row then measures the 1-thread code once more).
 */
export function needThreads({ info, contender }, n) {
  if (contender === 'simdnet' || n <= 1 || info.threads >= n) return;
  const why = `${contender} runs ${info.threads} thread${info.threads === 1 ? '' : 's'} here${info.threadsNote ? ` (${info.threadsNote})` : ''}`;
  throw Object.assign(new Error(why), { status: 'no threads' });
}
