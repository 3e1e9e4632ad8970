// tsnats' own stream snapshot format (clients and the nats CLI only carry the
// bytes back): a magic, then sections [type u8][length u32][body][crc32 of
// type+length+body], ending with an END section that counts the sections
// before it. Any bad checksum, unknown section, truncation or trailing byte
// makes the whole snapshot refused (StoreError bad_snapshot) before anything
// is stored.

import { crc32 } from "./checksum.js";
import { decodeConsumerState, encodeConsumerState } from "./consumer-state-codec.js";
import {
  STORE_ERROR_TEXT,
  StoreError,
  type ConsumerMeta,
  type ConsumerState,
  type ConsumerStore,
  type MessageStore,
  type StoredMessage,
  type StoreState,
  type StreamMeta,
} from "./types.js";

const MAGIC = Buffer.from("TSNATS-SNAPSHOT1", "latin1");
const SEC_META = 1;
const SEC_MSG = 2;
const SEC_CONSUMER = 3;
const SEC_END = 4;

function section(type: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(9 + body.length);
  out[0] = type;
  out.writeUInt32LE(body.length, 1);
  body.copy(out, 5);
  out.writeUInt32LE(crc32(out, 0, 5 + body.length), 5 + body.length);
  return out;
}

function messageBody(m: StoredMessage): Buffer {
  const subj = Buffer.from(m.subject);
  const hdrLen = m.hdr === null ? 0 : m.hdr.length;
  const body = Buffer.allocUnsafe(22 + subj.length + hdrLen + m.data.length);
  body.writeDoubleLE(m.seq, 0);
  body.writeDoubleLE(m.ts, 8);
  body.writeUInt16LE(subj.length, 16);
  body.writeInt32LE(m.hdr === null ? -1 : hdrLen, 18);
  subj.copy(body, 22);
  if (m.hdr !== null) m.hdr.copy(body, 22 + subj.length);
  m.data.copy(body, 22 + subj.length + hdrLen);
  return body;
}

export function encodeSnapshot(meta: StreamMeta, state: StoreState, msgs: Iterable<StoredMessage>, consumers: Iterable<ConsumerStore>): Buffer {
  const parts: Buffer[] = [MAGIC];
  parts.push(section(SEC_META, Buffer.from(JSON.stringify({ meta, first_seq: state.first_seq, last_seq: state.last_seq }))));
  let count = 1;
  for (const m of msgs) {
    parts.push(section(SEC_MSG, messageBody(m)));
    count++;
  }
  for (const c of consumers) {
    const name = Buffer.from(c.name);
    const cmeta = Buffer.from(JSON.stringify(c.meta()));
    const st = c.state();
    const stBytes = st === null ? Buffer.alloc(0) : encodeConsumerState(st);
    const body = Buffer.allocUnsafe(6 + name.length + cmeta.length + stBytes.length);
    body.writeUInt16LE(name.length, 0);
    body.writeUInt32LE(cmeta.length, 2);
    name.copy(body, 6);
    cmeta.copy(body, 6 + name.length);
    stBytes.copy(body, 6 + name.length + cmeta.length);
    parts.push(section(SEC_CONSUMER, body));
    count++;
  }
  const end = Buffer.allocUnsafe(8);
  end.writeDoubleLE(count, 0);
  parts.push(section(SEC_END, end));
  return Buffer.concat(parts);
}

export interface DecodedSnapshot {
  meta: StreamMeta;
  firstSeq: number;
  lastSeq: number;
  messages: StoredMessage[];
  consumers: { name: string; meta: ConsumerMeta | null; state: ConsumerState | null }[];
}

function bad(): never {
  throw new StoreError("bad_snapshot", STORE_ERROR_TEXT.bad_snapshot);
}

export function decodeSnapshot(buf: Buffer): DecodedSnapshot {
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) bad();
  let off = MAGIC.length;
  let decoded: DecodedSnapshot | null = null;
  let count = 0;
  try {
    for (;;) {
      if (off + 9 > buf.length) bad();
      const type = buf[off];
      const len = buf.readUInt32LE(off + 1);
      if (off + 9 + len > buf.length) bad();
      if (buf.readUInt32LE(off + 5 + len) !== crc32(buf, off, off + 5 + len)) bad();
      const body = buf.subarray(off + 5, off + 5 + len);
      off += 9 + len;
      if (type === SEC_END) {
        if (decoded === null || body.length !== 8 || body.readDoubleLE(0) !== count || off !== buf.length) bad();
        return decoded;
      }
      count++;
      if (type === SEC_META) {
        if (decoded !== null) bad();
        const j = JSON.parse(body.toString()) as { meta: StreamMeta; first_seq: number; last_seq: number };
        if (typeof j.meta?.config?.name !== "string" || !Number.isInteger(j.first_seq) || !Number.isInteger(j.last_seq)) bad();
        decoded = { meta: j.meta, firstSeq: j.first_seq, lastSeq: j.last_seq, messages: [], consumers: [] };
      } else if (decoded === null) {
        bad();
      } else if (type === SEC_MSG) {
        decoded.messages.push(decodeMessage(body, decoded.messages));
      } else if (type === SEC_CONSUMER) {
        const nameLen = body.readUInt16LE(0);
        const metaLen = body.readUInt32LE(2);
        if (6 + nameLen + metaLen > body.length) bad();
        const stBytes = body.subarray(6 + nameLen + metaLen);
        decoded.consumers.push({
          name: body.toString("utf8", 6, 6 + nameLen),
          meta: JSON.parse(body.toString("utf8", 6 + nameLen, 6 + nameLen + metaLen)) as ConsumerMeta | null,
          state: stBytes.length === 0 ? null : decodeConsumerState(Buffer.from(stBytes)),
        });
      } else {
        bad();
      }
    }
  } catch (err) {
    if (err instanceof StoreError) throw err;
    bad();
  }
}

function decodeMessage(body: Buffer, before: StoredMessage[]): StoredMessage {
  if (body.length < 22) bad();
  const seq = body.readDoubleLE(0);
  const subjLen = body.readUInt16LE(16);
  const hdrLen = body.readInt32LE(18);
  const prev = before.length > 0 ? before[before.length - 1].seq : 0;
  if (!Number.isInteger(seq) || seq <= prev || 22 + subjLen + Math.max(0, hdrLen) > body.length) bad();
  const hdrEnd = 22 + subjLen + Math.max(0, hdrLen);
  return {
    seq,
    ts: body.readDoubleLE(8),
    subject: body.toString("utf8", 22, 22 + subjLen),
    hdr: hdrLen < 0 ? null : Buffer.from(body.subarray(22 + subjLen, hdrEnd)),
    data: Buffer.from(body.subarray(hdrEnd)),
  };
}

/** A store that snapshot restore can fill at original sequences. */
export interface RestorableStore extends MessageStore {
  restoreMessage(msg: StoredMessage): void;
  restoreBounds(firstSeq: number, lastSeq: number): void;
}

/**
 * Validates the whole snapshot, then opens a store for its meta and fills it: messages at their
 * sequences, the original first/last sequence, consumers with meta and state.
 */
export function restoreSnapshot<S extends RestorableStore>(bytes: Buffer, open: (meta: StreamMeta) => S): S {
  const snap = decodeSnapshot(bytes);
  const store = open(snap.meta);
  let n = 0;
  for (const m of snap.messages) {
    store.restoreMessage(m);
    if (++n % 1024 === 0) store.flushPending();
  }
  store.restoreBounds(snap.firstSeq, snap.lastSeq);
  for (const c of snap.consumers) {
    const cs = store.consumerStore(c.name);
    if (c.meta !== null) cs.setMeta(c.meta);
    if (c.state !== null) cs.update(c.state);
  }
  store.flushPending();
  return store;
}
