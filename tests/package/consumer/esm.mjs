// ESM consumer: `import` must resolve to dist/simdnet.mjs (the "import" condition).
import * as simdnet from 'simdnet';
import run from './train.cjs';

const result = await run(simdnet);
console.log(JSON.stringify({ resolved: import.meta.resolve('simdnet'), ...result }));
