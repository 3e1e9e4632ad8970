// Authenticator: the server's configured credentials (single user, token,
// users, nkey users, no_auth_user) and the check of a client's CONNECT
// credentials against them, in nats-server's order (nkey, users, token,
// single user). Plain secrets are compared in constant time; bcrypt hashes
// are checked in a worker thread so other clients are not stalled. It does not
// touch connections: the caller applies the verdict.

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { bcryptCompare } from "./bcrypt-check.js";
import { fromPublic } from "@nats-io/nkeys";
import type { NkeyUser, User } from "./model.js";
import { isBcrypt } from "./model.js";
import { CompiledPermissions } from "./permissions.js";
import { mapCertificateToUser } from "./cert-mapping.js";
import type { CertIdentity } from "../server/client-transport.js";
import type { Options } from "../options.js";

/** What an Authenticator needs from Options (operator mode: trusted keys or operators, every client needs a user JWT). */
export type AuthOptions = Pick<Options, "username" | "password" | "authToken" | "users" | "nkeys" | "noAuthUser"> & Partial<Pick<Options, "trustedKeys" | "trustedOperators">>;

/** A configured user as the server holds it: name, secret, compiled permissions. */
export interface ConfiguredUser {
  /** The user name, or the public nkey of an nkey user. */
  readonly name: string;
  readonly kind: "user" | "nkey";
  /** Password or bcrypt hash ("" for nkey users). */
  readonly password: string;
  /** null: unrestricted. */
  readonly permissions: CompiledPermissions | null;
  readonly account: string | undefined;
}

/** The CONNECT fields authentication reads; `user`/`pass` may be filled in for no_auth_user. */
export interface ClientCredentials {
  user: string;
  pass: string;
  authToken: string;
  nkey: string;
  sig: string;
}

export interface AuthVerdict {
  ok: boolean;
  /**
   * The user the client is now (its permissions apply), or undefined when
   * no user was registered (auth not required, token or single user).
   */
  user?: ConfiguredUser;
  /** The configured secret the client's secret matched (lets a reload skip a bcrypt re-check). */
  matchedSecret?: string;
  /** Go's debug line for some failures ("Signature not verified", …). */
  debug?: string;
}

const DENIED: AuthVerdict = { ok: false };
const NONCE_RAW_LEN = 11;

export class Authenticator {
  readonly required: boolean;
  /** INFO carries a nonce for each connection (nkey users exist). */
  readonly nonceRequired: boolean;
  readonly noAuthUser: string;
  private readonly users: Map<string, ConfiguredUser> | null;
  private readonly nkeys: Map<string, ConfiguredUser> | null;
  private readonly username: string;
  private readonly password: string;
  private readonly token: string;

  constructor(o: AuthOptions) {
    // Users sharing a permissions object (block defaults) share the compiled form.
    const compiled = new Map<object, CompiledPermissions>();
    const compile = (p: User["permissions"]) => {
      if (!p) return null;
      let c = compiled.get(p);
      if (!c) compiled.set(p, (c = new CompiledPermissions(p)));
      return c;
    };
    this.users = o.users ? new Map(o.users.map((u) => [u.username, { name: u.username, kind: "user", password: u.password, permissions: compile(u.permissions), account: u.account }])) : null;
    this.nkeys = o.nkeys ? new Map(o.nkeys.map((u) => [u.nkey, { name: u.nkey, kind: "nkey", password: "", permissions: compile(u.permissions), account: u.account }])) : null;
    this.username = o.username;
    this.password = o.password;
    this.token = o.authToken;
    this.noAuthUser = o.noAuthUser;
    const operatorMode = (o.trustedKeys ?? null) !== null || (o.trustedOperators?.length ?? 0) > 0;
    this.required = operatorMode || this.users !== null || this.nkeys !== null || o.username !== "" || o.authToken !== "";
    this.nonceRequired = operatorMode || (this.nkeys !== null && this.nkeys.size > 0);
  }

  get hasUsers(): boolean {
    return this.users !== null;
  }

  get hasNkeys(): boolean {
    return this.nkeys !== null;
  }

  /** A configured user/password user by name, with its permissions (TLS verify_and_map uses this). */
  lookupUser(name: string): ConfiguredUser | undefined {
    return this.users?.get(name);
  }

  /** A configured nkey user by public key. */
  lookupNkey(key: string): ConfiguredUser | undefined {
    return this.nkeys?.get(key);
  }

  /** The no_auth_user, when it is configured and exists. */
  noAuthUserEntry(): ConfiguredUser | undefined {
    return this.noAuthUser !== "" ? this.users?.get(this.noAuthUser) : undefined;
  }

  /** A fresh INFO nonce: 11 random bytes, base64url without padding (15 characters). */
  newNonce(): string {
    return randomBytes(NONCE_RAW_LEN).toString("base64url");
  }

  /**
   * Check credentials. Synchronous unless a bcrypt hash must be compared;
   * `knownSecret` is a configured secret this client's secret already
   * matched (a reload does not compare it again). With `certificate`
   * (verify_and_map) the user is the one the client certificate names.
   */
  check(c: ClientCredentials, nonce: string, knownSecret?: string, certificate?: { identity: CertIdentity | null }): AuthVerdict | Promise<AuthVerdict> {
    if (!this.required) return { ok: true };
    let nkeyUser: ConfiguredUser | undefined;
    let user: ConfiguredUser | undefined;
    if (this.nkeys !== null && this.nkeys.size > 0 && c.nkey !== "") {
      nkeyUser = this.nkeys.get(c.nkey);
      if (!nkeyUser) return DENIED;
    } else if (this.users !== null && this.users.size > 0 && certificate) {
      const name = certificate.identity ? mapCertificateToUser(certificate.identity, this.users.keys()) : null;
      if (name === null) return { ok: false, debug: "User in cert not found in the configured users" };
      // As Go: the user comes from the certificate, whatever CONNECT names.
      c.user = name;
      user = this.users.get(name);
    } else if (this.users !== null && this.users.size > 0) {
      if (this.noAuthUser !== "" && c.user === "" && c.pass === "" && c.authToken === "") {
        const u = this.users.get(this.noAuthUser);
        // As Go: the client takes the no_auth_user's name and password, then is checked like any other.
        if (u) {
          c.user = u.name;
          c.pass = u.password;
        }
      }
      if (c.user !== "") {
        user = this.users.get(c.user);
        if (!user) return DENIED;
      }
    }
    if (nkeyUser) return verifyNonce(nkeyUser, c, nonce);
    if (user) {
      const u = user;
      return withSecret(u.password, c.pass, knownSecret, (ok) => (ok ? { ok: true, user: u, matchedSecret: u.password } : DENIED));
    }
    if (this.token !== "") return withSecret(this.token, c.authToken, knownSecret, (ok) => (ok ? { ok: true, matchedSecret: this.token } : DENIED));
    if (this.username !== "") {
      if (this.username !== c.user) return DENIED;
      return withSecret(this.password, c.pass, knownSecret, (ok) => (ok ? { ok: true, matchedSecret: this.password } : DENIED));
    }
    return DENIED;
  }

  /** Go's startup warning: a single-user password or a user password that is not a bcrypt hash. */
  hasPlaintextPasswords(): boolean {
    if (this.password !== "" && !isBcrypt(this.password)) return true;
    if (this.users) for (const u of this.users.values()) if (!isBcrypt(u.password)) return true;
    return false;
  }
}

/** Compare a configured secret with the client's, then map the result. */
function withSecret(configured: string, given: string, knownSecret: string | undefined, then: (ok: boolean) => AuthVerdict): AuthVerdict | Promise<AuthVerdict> {
  if (!isBcrypt(configured)) return then(constantTimeEqual(configured, given));
  if (knownSecret === configured) return then(true);
  return bcryptCompare(given, configured).then(then);
}

/** Equal strings, in time independent of where they differ (hashed first so lengths do not leak either). */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash("sha256").update(a, "utf8").digest();
  const db = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(da, db);
}

function verifyNonce(u: ConfiguredUser, c: ClientCredentials, nonce: string): AuthVerdict {
  if (c.sig === "") return { ok: false, debug: "Signature missing" };
  const sig = decodeSignature(c.sig);
  if (sig === null) return { ok: false, debug: "Signature not valid base64" };
  let ok = false;
  try {
    ok = fromPublic(c.nkey).verify(Buffer.from(nonce, "latin1"), sig);
  } catch (e) {
    return { ok: false, debug: `User nkey not valid: ${(e as Error).message}` };
  }
  return ok ? { ok: true, user: u } : { ok: false, debug: "Signature not verified" };
}

/** base64url without padding, else standard base64 (strict, as Go's decoders). */
function decodeSignature(s: string): Uint8Array | null {
  if (/^[A-Za-z0-9_-]*$/.test(s) && s.length % 4 !== 1) return Buffer.from(s, "base64url");
  if (/^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0) return Buffer.from(s, "base64");
  return null;
}
