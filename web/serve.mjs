// npm run serve — builds the demo page (web/build.mjs) and serves it on 127.0.0.1.
//   node web/serve.mjs [--port 8080]      (npm run serve builds dist/ first)
import { parseArgs } from 'node:util';
import { buildPage, servePage } from './build.mjs';

const { values } = parseArgs({ options: { port: { type: 'string', default: process.env.PORT ?? '8080' } } });
const dir = await buildPage();
let served;
try {
  served = await servePage({ dir, port: Number(values.port) });
} catch (e) {
  if (e.code !== 'EADDRINUSE') throw e;
  console.log(`port ${values.port} is in use; taking a free one`);
  served = await servePage({ dir, port: 0 });
}
console.log(`\nsimdnet demo: ${served.url}\n(Ctrl+C to stop)`);
