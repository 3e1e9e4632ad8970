// Whether a string decodes as a public nkey (base32 with a valid checksum and
// a known prefix byte). Callers add their own kind check (the first letter, or
// Go's exact shape); nothing here signs, verifies or caches.

import { fromPublic } from "@nats-io/nkeys";

export function isPublicNkey(key: string): boolean {
  try {
    fromPublic(key);
    return true;
  } catch {
    return false;
  }
}
