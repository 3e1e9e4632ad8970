// Event ids: 22 random base-62 characters, the shape of Go's nuid.

import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function eventId(): string {
  const b = randomBytes(22);
  let s = "";
  for (let i = 0; i < 22; i++) s += ALPHABET[b[i] % 62];
  return s;
}
