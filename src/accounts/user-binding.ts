// Which account a connecting client belongs to: the user its CONNECT names
// (user/password, plain or bcrypt) among the users of the accounts, or `$G`
// when no account has users. This is the accounts side of authentication;
// the auth layer's authenticators (tokens, nkeys, JWT, permissions) build on
// the same user records. Decisions only; the connection acts on them.

import bcrypt from "bcryptjs";
import type { Account } from "./account.js";
import type { AccountRegistry } from "./registry.js";
import type { AccountUserConfig } from "./config-types.js";

export type Binding = { ok: true; account: Account; user: AccountUserConfig | null } | { ok: false };

function passwordMatches(stored: string, given: string): boolean {
  if (/^\$2[abxy]?\$/.test(stored)) {
    try {
      return bcrypt.compareSync(given, stored);
    } catch {
      return false;
    }
  }
  return stored === given;
}

/** The account for CONNECT's `user`/`pass`; not ok when the credentials do not match a user. */
export function bindUser(registry: AccountRegistry, user: string, pass: string): Binding {
  if (!registry.hasUsers) return { ok: true, account: registry.global, user: null };
  const bound = registry.users.get(user);
  if (bound === undefined || bound.user.nkey !== "" || !passwordMatches(bound.user.password, pass)) return { ok: false };
  return { ok: true, account: bound.account, user: bound.user };
}
