// A minimal protocol-buffers writer: just what io.toOnnx needs (varints, 32-bit floats,
// length-delimited bytes, strings and nested messages). A message is a list of parts
// whose total length is kept as they are appended, so a nested message is written with its
// length prefix without being serialized first, and finish() copies every byte once
// (a model's weights are not copied per nesting level). A message must be complete before
// it is added to another: its length is read when it is added.
// Wire format: https://protobuf.dev/programming-guides/encoding/

type Part = Uint8Array | Message;

const utf8 = new TextEncoder();

/** Varint bytes of a non-negative safe integer, or of a negative one as 64-bit two's complement (10 bytes). */
function varint(v: number): Uint8Array {
  if (!Number.isSafeInteger(v)) throw new Error(`protobuf: ${v} is not a safe integer`);
  const out: number[] = [];
  if (v < 0) {
    let b = BigInt.asUintN(64, BigInt(v));
    while (b > 0x7fn) { out.push(Number(b & 0x7fn) | 0x80); b >>= 7n; }
    out.push(Number(b));
  } else {
    while (v > 0x7f) { out.push((v % 0x80) | 0x80); v = Math.floor(v / 0x80); }
    out.push(v);
  }
  return Uint8Array.from(out);
}

export class Message {
  private readonly parts: Part[] = [];
  /** Serialized length in bytes. */
  length = 0;

  private push(p: Part): void {
    this.parts.push(p);
    this.length += p.length;
  }

  /** Wire type 0: int32, int64, enum, bool. */
  int(field: number, v: number): this {
    this.push(varint(field * 8));
    this.push(varint(v));
    return this;
  }

  /** Wire type 5: a float (as IEEE single, little-endian). */
  float(field: number, v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(varint(field * 8 + 5));
    this.push(b);
    return this;
  }

  /** Wire type 2: bytes, or an embedded message. */
  bytes(field: number, v: Uint8Array | Message): this {
    this.push(varint(field * 8 + 2));
    this.push(varint(v.length));
    this.push(v);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  /** Writes the message into out at offset; returns the offset after it. */
  private writeTo(out: Uint8Array, offset: number): number {
    for (const p of this.parts) {
      if (p instanceof Message) offset = p.writeTo(out, offset);
      else { out.set(p, offset); offset += p.length; }
    }
    return offset;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    this.writeTo(out, 0);
    return out;
  }
}
