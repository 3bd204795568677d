// `npm run lectures -- [--quick] [--out DIR] [name ...]` (see lectures/lib/runner.mjs).
import { main } from './lib/runner.mjs';

process.exitCode = await main(process.argv.slice(2));
