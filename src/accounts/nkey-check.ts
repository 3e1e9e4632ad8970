// Validity of an account's public nkey (config `nkey` inside an account):
// a well-formed, checksummed public key with the account prefix "A".

import { fromPublic } from "@nats-io/nkeys";

export function isValidPublicAccountKey(key: string): boolean {
  if (!key.startsWith("A")) return false;
  try {
    fromPublic(key);
    return true;
  } catch {
    return false;
  }
}
