// Event ids in the shape of Go's nuid (22 base-62 characters), for $SYS
// events and latency metrics. Uniqueness only; no ordering promise.

import { randomBytes } from "node:crypto";

const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function newEventId(): string {
  const b = randomBytes(22);
  let s = "";
  for (let i = 0; i < 22; i++) s += DIGITS[b[i] % 62];
  return s;
}

/** `n` random base-62 characters (reply prefixes). */
export function randomToken(n: number): string {
  const b = randomBytes(n);
  let s = "";
  for (let i = 0; i < n; i++) s += DIGITS[b[i] % 62];
  return s;
}
