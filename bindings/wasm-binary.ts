// Byte-level edits of the core's wasm binary. The build emits one binary whose memory
// import is `(memory 1 65536)`, unshared; threads need the same code over a shared memory,
// which the import must declare. Instead of shipping a second 100 kB binary, the shared
// variant is this one with the import's limits flag changed from 0x01 (has maximum) to
// 0x03 (has maximum, shared): one byte, same length, nothing else moves.

/** Reads an unsigned LEB128 at `pos`; returns [value, next position]. */
function leb(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0, shift = 0, b: number;
  do {
    b = bytes[pos++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [value, pos];
}

function skipName(bytes: Uint8Array, pos: number): [string, number] {
  const [len, start] = leb(bytes, pos);
  let s = '';
  for (let i = start; i < start + len; i++) s += String.fromCharCode(bytes[i]);
  return [s, start + len];
}

/** A copy of `wasm` whose imported memory is shared. Throws if the binary has no such import. */
export function withSharedMemory(wasm: Uint8Array): Uint8Array {
  const out = wasm.slice();
  let pos = 8; // magic + version
  while (pos < out.length) {
    const id = out[pos];
    const [size, body] = leb(out, pos + 1);
    if (id === 2) {
      let [count, p] = leb(out, body);
      while (count-- > 0) {
        let module: string, name: string;
        [module, p] = skipName(out, p);
        [name, p] = skipName(out, p);
        const kind = out[p++];
        if (kind === 0x02) {
          if (out[p] !== 0x01 && out[p] !== 0x03) {
            throw new Error(`simdnet: the memory import ${module}.${name} declares no maximum (limits flag ${out[p]}); rebuild with maximumMemory`);
          }
          out[p] = 0x03;
          return out;
        }
        // skip the other import kinds: function (type index), table, global
        if (kind === 0x00) [, p] = leb(out, p);
        else if (kind === 0x01) { p++; const flag = out[p++]; [, p] = leb(out, p); if (flag & 1) [, p] = leb(out, p); }
        else if (kind === 0x03) p += 2;
        else throw new Error(`simdnet: unknown import kind ${kind} in the wasm binary`);
      }
    }
    pos = body + size;
  }
  throw new Error('simdnet: the wasm binary imports no memory');
}
