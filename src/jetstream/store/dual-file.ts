// Small metadata kept in two checksummed copies (<base>.A and <base>.B):
// [u32 magic "TSMD"][f64 generation][u32 length][payload][u32 CRC-32 of all before].
// writeBoth() writes the same generation to both copies one after the other,
// so a crash or a damaged byte leaves at least one good copy; readBest()
// returns the valid copy with the highest generation. Slots are also used
// alone (writeSlot) for state written alternately to A and B.

import * as fs from "node:fs";
import * as path from "node:path";
import { crc32 } from "./checksum.js";

const MAGIC = 0x444d5354;

export function encodeSlot(gen: number, payload: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(20 + payload.length);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeDoubleLE(gen, 4);
  buf.writeUInt32LE(payload.length, 12);
  payload.copy(buf, 16);
  buf.writeUInt32LE(crc32(buf, 0, 16 + payload.length), 16 + payload.length);
  return buf;
}

/** The slot's generation and payload, or null when missing or damaged. Bytes after the slot are ignored. */
export function decodeSlot(buf: Buffer): { gen: number; payload: Buffer } | null {
  if (buf.length < 20 || buf.readUInt32LE(0) !== MAGIC) return null;
  const len = buf.readUInt32LE(12);
  if (20 + len > buf.length) return null;
  if (buf.readUInt32LE(16 + len) !== crc32(buf, 0, 16 + len)) return null;
  return { gen: buf.readDoubleLE(4), payload: buf.subarray(16, 16 + len) };
}

export function slotPaths(dir: string, base: string): [string, string] {
  return [path.join(dir, `${base}.A`), path.join(dir, `${base}.B`)];
}

function readIfExists(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch {
    return null;
  }
}

/** The valid copy with the highest generation, and whether both copies hold it (else rewrite them). */
export function readBest(dir: string, base: string): { gen: number; payload: Buffer; bothGood: boolean } | null {
  let best: { gen: number; payload: Buffer } | null = null;
  let good = 0;
  for (const file of slotPaths(dir, base)) {
    const buf = readIfExists(file);
    const slot = buf === null ? null : decodeSlot(buf);
    if (slot === null) continue;
    if (best === null || slot.gen > best.gen) best = slot;
    good++;
  }
  return best === null ? null : { ...best, bothGood: good === 2 };
}

export function writeBoth(dir: string, base: string, gen: number, payload: Buffer, writeFile: (file: string, data: Buffer) => void): void {
  const data = encodeSlot(gen, payload);
  for (const file of slotPaths(dir, base)) writeFile(file, data);
}
