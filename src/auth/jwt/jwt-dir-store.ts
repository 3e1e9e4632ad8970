// DirJwtStore: the nats-resolver's directory of account JWTs
// (`<dir>/<account>.jwt`, Go's unsharded DirJWTStore) and its index: a
// SHA-256 per stored JWT whose XOR is the store hash that CLAIMS.PACK
// compares, least-recently-used order under a limit (cache: evict the
// oldest; full: refuse with "jwt store is full"), and expiry (cache: `ttl`
// after the last use; otherwise the JWT's own expiry) enforced by a timer
// that removes expired files. It keeps bytes only: callers verify a JWT
// before saving it and again after loading it.

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeClaims, type GenericClaims } from "./decode.js";
import { isAccountKey } from "./options.js";

export interface DirStoreOptions {
  /** Most JWTs kept (Infinity = no limit). */
  limit: number;
  /** At the limit: true = drop the least recently used (cache), false = refuse (full). */
  evictOnLimit: boolean;
  /** ms a JWT is kept after its last use; 0 = until the JWT expires. */
  ttl: number;
  /** CLAIMS.DELETE: not allowed, rename to `.jwt.deleted`, or remove. */
  deleteMode: "none" | "rename" | "hard";
}

interface Entry {
  hash: Buffer;
  /** ms since the epoch; Infinity = never. */
  expiresAt: number;
}

/** Go checks for expired entries every minute, or every ttl/2 when that is shorter. */
const MAX_EXPIRE_CHECK = 60_000;

function claimsOrNull(jwt: string): GenericClaims | null {
  try {
    return decodeClaims<GenericClaims>(jwt, "generic");
  } catch {
    return null;
  }
}

export class DirJwtStore {
  /** Insertion order is the use order: least recently used first. */
  private readonly index = new Map<string, Entry>();
  private readonly xor = Buffer.alloc(32);
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly dir: string,
    private readonly opts: DirStoreOptions,
  ) {
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) {
      const key = f.endsWith(".jwt") ? f.slice(0, -4) : "";
      if (!isAccountKey(key)) continue;
      try {
        this.track(key, readFileSync(join(dir, f), "utf8"));
      } catch {
        // Unreadable: not indexed, as Go's directory walk skips it.
      }
    }
    const every = opts.ttl > 0 ? Math.min(Math.max(opts.ttl / 2, 1), MAX_EXPIRE_CHECK) : MAX_EXPIRE_CHECK;
    this.timer = setInterval(() => this.expire(), every);
    this.timer.unref();
  }

  private path(account: string): string {
    return join(this.dir, `${account}.jwt`);
  }

  private track(account: string, jwt: string): void {
    const hash = createHash("sha256").update(jwt).digest();
    const old = this.index.get(account);
    if (old) xorInto(this.xor, old.hash);
    this.index.delete(account);
    let expiresAt = Infinity;
    if (this.opts.ttl > 0) expiresAt = Date.now() + this.opts.ttl;
    else {
      const exp = claimsOrNull(jwt)?.exp ?? 0;
      if (exp > 0) expiresAt = exp * 1000;
    }
    this.index.set(account, { hash, expiresAt });
    xorInto(this.xor, hash);
  }

  private untrack(account: string): void {
    const e = this.index.get(account);
    if (!e) return;
    xorInto(this.xor, e.hash);
    this.index.delete(account);
  }

  /** A use: the ttl starts again and (cache) the entry becomes the most recently used. */
  private touch(account: string): void {
    const e = this.index.get(account);
    if (!e) return;
    if (this.opts.ttl > 0) e.expiresAt = Date.now() + this.opts.ttl;
    if (this.opts.evictOnLimit) {
      this.index.delete(account);
      this.index.set(account, e);
    }
  }

  private expire(): void {
    const now = Date.now();
    for (const [account, e] of [...this.index]) {
      if (e.expiresAt > now) continue;
      try {
        rmSync(this.path(account));
        this.untrack(account);
      } catch {
        // Go retries on the next check.
      }
    }
  }

  /** The stored JWT, or "" when there is none. */
  load(account: string): string {
    if (!isAccountKey(account)) return "";
    try {
      const jwt = readFileSync(this.path(account), "utf8");
      this.touch(account);
      return jwt;
    } catch {
      return "";
    }
  }

  has(account: string): boolean {
    return this.index.has(account);
  }

  /** Write a JWT (Go's write): false when the same JWT is stored; throws Go's errors. */
  save(account: string, jwt: string): boolean {
    if (!isAccountKey(account)) throw new Error("invalid public key");
    if (jwt.length === 0) throw new Error("invalid JWT");
    const hash = createHash("sha256").update(jwt).digest();
    const e = this.index.get(account);
    if (e) {
      this.touch(account);
      if (e.hash.equals(hash)) return false;
    } else if (this.index.size >= this.opts.limit) {
      if (!this.opts.evictOnLimit) throw new Error("jwt store is full");
      const oldest = this.index.keys().next().value as string;
      rmSync(this.path(oldest), { force: true });
      this.untrack(oldest);
    }
    writeFileSync(this.path(account), jwt, { mode: 0o644 });
    this.track(account, jwt);
    return true;
  }

  /** Go's saveIfNewer: keep a fetched or merged JWT unless the stored one is the same or newer. */
  saveIfNewer(account: string, jwt: string): boolean {
    const existing = this.index.has(account) ? this.load(account) : "";
    if (existing !== "") {
      const neu = claimsOrNull(jwt);
      if (neu === null) throw new Error("invalid JWT");
      const old = claimsOrNull(existing);
      if (old !== null) {
        if (old.jti === neu.jti || old.iat > neu.iat) return false;
        if (neu.sub !== account) throw new Error("jwt subject nkey and provided nkey do not match");
      }
    }
    return this.save(account, jwt);
  }

  /** CLAIMS.DELETE of one account: whether a JWT was there; throws when deleting is not allowed. */
  remove(account: string): boolean {
    if (this.opts.deleteMode === "none") throw new Error("store is not set up to for delete");
    const p = this.path(account);
    try {
      if (this.opts.deleteMode === "rename") renameSync(p, p + ".deleted");
      else rmSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw e;
    }
    this.untrack(account);
    return true;
  }

  /** Stored, unexpired accounts in key order (Go's walk for LIST and PACK). */
  list(): string[] {
    const now = Date.now();
    return [...this.index.keys()].filter((k) => this.unexpired(k, now)).sort();
  }

  private unexpired(account: string, now: number): boolean {
    try {
      const exp = claimsOrNull(readFileSync(this.path(account), "utf8"))?.exp ?? 0;
      return exp === 0 || exp * 1000 >= now;
    } catch {
      return false;
    }
  }

  /** The XOR of the SHA-256 of every indexed JWT. */
  hash(): Buffer {
    return Buffer.from(this.xor);
  }

  /** PACK lines `<account>|<jwt>` of the stored, unexpired JWTs. */
  pack(): string[] {
    const out: string[] = [];
    for (const k of this.list()) {
      try {
        const jwt = readFileSync(this.path(k), "utf8");
        if (jwt !== "") out.push(`${k}|${jwt}`);
      } catch {
        // Gone since the listing.
      }
    }
    return out;
  }

  close(): void {
    clearInterval(this.timer);
  }
}

function xorInto(acc: Buffer, h: Buffer): void {
  for (let i = 0; i < acc.length; i++) acc[i]! ^= h[i]!;
}
