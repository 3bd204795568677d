// The page's first script: checks what simdnet needs before loading it, so that a browser
// without it gets a sentence, not a blank page or a stack trace. Kept tiny and free of
// imports: it must run (and explain) where the app bundle could not.

// The smallest module using a SIMD instruction (i8x16.splat + i8x16.popcnt); the probe of
// wasm-feature-detect's `simd`, written out here.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

function fatal(title, detail) {
  const box = document.getElementById('fatal');
  box.replaceChildren();
  const h = document.createElement('h2');
  h.textContent = title;
  const p = document.createElement('p');
  p.textContent = detail;
  box.append(h, p);
  box.hidden = false;
  document.getElementById('app').hidden = true;
  document.getElementById('status').textContent = 'Not available in this browser';
}
window.__simdnetFatal = fatal;

if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') {
  fatal('This browser cannot run WebAssembly.', 'simdnet trains networks in WebAssembly. Use a current Chrome, Edge, Firefox or Safari (or enable WebAssembly if it was turned off).');
} else if (!WebAssembly.validate(SIMD_PROBE)) {
  fatal('This browser has no WebAssembly SIMD.', 'simdnet needs WebAssembly SIMD (Chrome/Edge 91+, Firefox 89+, Safari 16.4+). Update the browser, or check that SIMD was not turned off in its settings.');
} else {
  import('./app.js').catch((e) => {
    fatal('The demo could not start.', String(e && e.message ? e.message : e));
  });
}
