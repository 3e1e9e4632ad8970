// CRC-32 (IEEE) of byte ranges, and continuing a CRC over more bytes. Short
// ranges (most records) use a slice-by-8 table loop in JS, which beats
// crossing into node:zlib for a few dozen bytes; long ranges use zlib's
// native crc32 where the runtime has it (Node >= 20.15). Both give identical
// results.

import * as zlib from "node:zlib";

type Crc32 = (data: Uint8Array, value?: number) => number;

const T = (() => {
  const t = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) for (let s = 1; s < 8; s++) t[s * 256 + n] = (t[(s - 1) * 256 + n] >>> 8) ^ t[t[(s - 1) * 256 + n] & 0xff];
  return t;
})();

function tableCrc32(b: Uint8Array, start: number, end: number, prev: number): number {
  let c = ~prev;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) ^ c;
    c =
      T[1792 + (a & 0xff)] ^
      T[1536 + ((a >>> 8) & 0xff)] ^
      T[1280 + ((a >>> 16) & 0xff)] ^
      T[1024 + (a >>> 24)] ^
      T[768 + b[i + 4]] ^
      T[512 + b[i + 5]] ^
      T[256 + b[i + 6]] ^
      T[b[i + 7]];
  }
  for (; i < end; i++) c = T[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const native = (zlib as unknown as { crc32?: Crc32 }).crc32;
/** Where the native call (about 200 ns to cross into C++) overtakes the table loop (measured on Node 20). */
const NATIVE_FROM = 256;

/** CRC-32 of buf[start, end). */
export function crc32(buf: Buffer, start = 0, end = buf.length): number {
  if (native === undefined || end - start < NATIVE_FROM) return tableCrc32(buf, start, end, 0);
  // A plain Uint8Array view: Buffer#subarray costs more than the view itself.
  return native(new Uint8Array(buf.buffer, buf.byteOffset + start, end - start)) >>> 0;
}

/** The CRC-32 of (bytes whose CRC-32 is prev) followed by all of `more`: no view to make. */
export function crc32Continue(prev: number, more: Uint8Array): number {
  if (native === undefined || more.length < NATIVE_FROM) return tableCrc32(more, 0, more.length, prev);
  return native(more, prev) >>> 0;
}
