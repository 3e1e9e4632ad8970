// JwtAccount: an account defined by an account JWT — the Account that
// routes its messages (own SubjectTrie), and what its claims say about
// users: signing keys with their scopes, revocations, connection-level
// limits, default permissions, expiry. Applying a new JWT updates these in
// place; enforcing them on live connections is the authenticator's job.

import type { Account } from "../../accounts/account.js";
import { SubjectMapping } from "../../accounts/subject-mapping.js";
import type { Permissions } from "../model.js";
import { signingKeysOf, type AccountClaims, type SigningScope } from "./decode.js";
import { permissionsFromJwt } from "./user-rules.js";
import { jetStreamTiersOf } from "./jetstream-limits.js";

/** -1 = unlimited (the JWT's NoLimit). */
export interface AccountConnLimits {
  conn: number;
  subs: number;
  payload: number;
  leaf: number;
  disallowBearer: boolean;
}

const UNLIMITED: AccountConnLimits = { conn: -1, subs: -1, payload: -1, leaf: -1, disallowBearer: false };

export class JwtAccount {
  claims: AccountClaims | null = null;
  jwt = "";
  signingKeys = new Map<string, SigningScope | null>();
  revocations: Record<string, number> = {};
  limits: AccountConnLimits = { ...UNLIMITED };
  defaultPermissions: Permissions | null = null;
  expiryTimer: NodeJS.Timeout | null = null;
  /** Fires when the first activation token of an import expires (imports are rebuilt then). */
  activationTimer: NodeJS.Timeout | null = null;
  /** Deleted from the resolver: no new connections (Go sets every limit to 0). */
  disabled = false;

  /** `account` is the server's account of that name (registered by the server). */
  constructor(
    readonly id: string,
    readonly account: Account,
  ) {}

  /** The claims name (Go's nameTag), for templates and logs. */
  get nameTag(): string {
    return this.claims?.name ?? "";
  }

  get tags(): string[] {
    return this.claims?.nats.tags ?? [];
  }

  get issuer(): string {
    return this.claims?.iss ?? "";
  }

  /** True when the account JWT's expiry has passed. */
  get expired(): boolean {
    const exp = this.claims?.exp ?? 0;
    return exp > 0 && Math.floor(Date.now() / 1000) >= exp;
  }

  /** Take a verified JWT's claims. Returns the signing keys whose scope changed or that are gone. */
  apply(claims: AccountClaims, jwt: string): Set<string> {
    const before = this.signingKeys;
    this.claims = claims;
    this.jwt = jwt;
    this.signingKeys = signingKeysOf(claims);
    const altered = new Set<string>();
    for (const [k, scope] of before) {
      if (!this.signingKeys.has(k) || JSON.stringify(this.signingKeys.get(k)) !== JSON.stringify(scope)) altered.add(k);
    }
    this.revocations = { ...(claims.nats.revocations ?? {}) };
    const l = (claims.nats.limits ?? {}) as Partial<Record<string, unknown>>;
    // As Go's decoding: a limit the JWT leaves out is 0 (nsc always writes -1 for "unlimited").
    const num = (v: unknown) => (typeof v === "number" ? v : 0);
    this.limits = { conn: num(l.conn), subs: num(l.subs), payload: num(l.payload), leaf: num(l.leaf), disallowBearer: l.disallow_bearer === true };
    this.defaultPermissions = permissionsFromJwt((claims.nats.default_permissions ?? {}) as never);
    this.account.mappings = mappingsOf(claims);
    this.account.limits = { maxConnections: this.limits.conn, maxSubscriptions: this.limits.subs, maxPayload: this.limits.payload, maxLeafnodes: this.limits.leaf };
    this.account.jwtJetStream = jetStreamTiersOf(claims);
    this.disabled = false;
    this.account.updated = new Date();
    return altered;
  }

  /** The key issued the user: the account itself (null scope) or one of its signing keys. */
  issuerScope(key: string): { known: boolean; scope: SigningScope | null } {
    if (key === this.id) return { known: true, scope: null };
    if (!this.signingKeys.has(key)) return { known: false, scope: null };
    return { known: true, scope: this.signingKeys.get(key) ?? null };
  }

  /** Go's isRevoked: the user (or everyone, "*") revoked at or after the JWT was issued. */
  isRevoked(userKey: string, issuedAt: number): boolean {
    const t = this.revocations[userKey];
    if (t !== undefined && t >= issuedAt) return true;
    const all = this.revocations["*"];
    return all !== undefined && all >= issuedAt;
  }

  disable(): void {
    this.disabled = true;
    this.limits = { conn: 0, subs: 0, payload: 0, leaf: 0, disallowBearer: this.limits.disallowBearer };
    this.account.limits = { maxConnections: 0, maxSubscriptions: 0, maxPayload: 0, maxLeafnodes: 0 };
    this.account.jwtJetStream = null;
  }
}

/** The JWT's `mappings` (source → weighted destinations; weight 0 means 100, as Go's GetWeight). */
function mappingsOf(claims: AccountClaims): SubjectMapping[] {
  const m = (claims.nats as { mappings?: Record<string, { subject?: string; weight?: number; cluster?: string }[]> }).mappings ?? {};
  const out: SubjectMapping[] = [];
  for (const [source, dests] of Object.entries(m)) {
    if (!Array.isArray(dests)) continue;
    const destinations = dests.filter((d) => typeof d?.subject === "string").map((d) => ({ subject: d.subject!, weight: d.weight || 100, ...(d.cluster ? { cluster: d.cluster } : {}) }));
    if (destinations.length > 0) out.push(new SubjectMapping({ source, destinations }));
  }
  return out;
}
