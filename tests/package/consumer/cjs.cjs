// CommonJS consumer: `require` must resolve to dist/simdnet.cjs (the "require" condition).
'use strict';
const simdnet = require('simdnet');
const run = require('./train.cjs');

run(simdnet).then((result) => {
  console.log(JSON.stringify({ resolved: require.resolve('simdnet'), ...result }));
}, (e) => {
  console.error(e);
  process.exitCode = 1;
});
