// Every test file runs against the debug build of the core: same kernels, with asserts on,
// over shared memory (`threads: 1`: no workers; tests/threads resizes the pool).
import { readFileSync } from 'node:fs';
import { init } from '../bindings/index.js';

await init({ wasm: readFileSync(new URL('../build/simdnet.debug.wasm', import.meta.url)), threads: 1 });
