// The authorization model held in Options: configured users (user/password
// or nkey), their permissions and response permissions, in the normalised
// shape nats-server keeps them (its Users/Nkeys/Permissions structs). Plain
// data only; compiling permissions and checking credentials live beside it.

/** Subjects a user may (allow) or may not (deny) publish or subscribe to. Absent = no rule. */
export interface SubjectPermission {
  allow?: string[];
  deny?: string[];
}

/** allow_responses: publish to reply subjects of received requests, `max` times within `expires` ms. */
export interface ResponsePermission {
  /** Negative = unlimited. */
  max: number;
  /** Milliseconds; negative = never. */
  expires: number;
}

export interface Permissions {
  publish?: SubjectPermission;
  subscribe?: SubjectPermission;
  responses?: ResponsePermission;
}

/** A user/password user. `password` may be a bcrypt hash. */
export interface User {
  username: string;
  password: string;
  permissions?: Permissions;
  /** The account the user belongs to (accounts are configured elsewhere); absent = global account. */
  account?: string;
}

/** An nkey user: authenticates by signing the server's nonce. */
export interface NkeyUser {
  nkey: string;
  permissions?: Permissions;
  account?: string;
}

/** Go's defaults for allow_responses: one response within two minutes. */
export const DEFAULT_RESPONSE_MAX = 1;
export const DEFAULT_RESPONSE_EXPIRES = 120_000;

/**
 * As Go's validateResponsePermissions: a response permission turns off the
 * blanket publish allow (an empty allow list), and zero values take defaults.
 */
export function withResponseDefaults(p: Permissions): Permissions {
  if (!p.responses) return p;
  const out: Permissions = { ...p, responses: { ...p.responses } };
  out.publish = { ...(p.publish ?? {}) };
  if (out.publish.allow === undefined) out.publish.allow = [];
  if (out.responses!.max === 0) out.responses!.max = DEFAULT_RESPONSE_MAX;
  if (out.responses!.expires === 0) out.responses!.expires = DEFAULT_RESPONSE_EXPIRES;
  return out;
}

const BCRYPT = /^\$2[abxy]\$\d{2}\$/;

/** A bcrypt hash, as Go recognises one (`$2a$`, `$2b$`, `$2x$`, `$2y$` + cost). */
export function isBcrypt(secret: string): boolean {
  return secret.startsWith("$") && BCRYPT.test(secret);
}
