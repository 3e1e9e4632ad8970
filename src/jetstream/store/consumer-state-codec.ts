// Binary encoding of a ConsumerState (delivered, ack floor, pending and
// redelivery maps) as little-endian doubles, used by the file consumer store
// and snapshots. Decoding validates sizes and throws on anything malformed.

import type { ConsumerState } from "./types.js";

const HEAD = 6;

export function encodeConsumerState(s: ConsumerState): Buffer {
  const n = HEAD + s.pending.size * 3 + s.redelivered.size * 2;
  const f = new Float64Array(n);
  f[0] = s.delivered.consumer_seq;
  f[1] = s.delivered.stream_seq;
  f[2] = s.ack_floor.consumer_seq;
  f[3] = s.ack_floor.stream_seq;
  f[4] = s.pending.size;
  f[5] = s.redelivered.size;
  let k = HEAD;
  for (const [seq, p] of s.pending) {
    f[k++] = seq;
    f[k++] = p.sequence;
    f[k++] = p.ts;
  }
  for (const [seq, count] of s.redelivered) {
    f[k++] = seq;
    f[k++] = count;
  }
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}

export function decodeConsumerState(buf: Buffer): ConsumerState {
  if (buf.length < HEAD * 8 || buf.length % 8 !== 0) throw new Error("bad consumer state length");
  const f = new Float64Array(buf.length / 8);
  Buffer.from(f.buffer).set(buf);
  const np = f[4];
  const nr = f[5];
  if (!Number.isInteger(np) || !Number.isInteger(nr) || np < 0 || nr < 0 || HEAD + np * 3 + nr * 2 !== f.length) {
    throw new Error("bad consumer state counts");
  }
  const state: ConsumerState = {
    delivered: { consumer_seq: f[0], stream_seq: f[1] },
    ack_floor: { consumer_seq: f[2], stream_seq: f[3] },
    pending: new Map(),
    redelivered: new Map(),
  };
  let k = HEAD;
  for (let i = 0; i < np; i++, k += 3) state.pending.set(f[k], { sequence: f[k + 1], ts: f[k + 2] });
  for (let i = 0; i < nr; i++, k += 2) state.redelivered.set(f[k], f[k + 1]);
  return state;
}
