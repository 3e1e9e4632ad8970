// Operator-mode options: trusted operators and keys, the account resolver
// and its preloads (nats-server's TrustedOperators, TrustedKeys,
// AccountResolver, resolverPreloads, resolverPinnedAccounts). Plain data and
// the startup checks Go makes on it; the resolvers themselves live beside.

import { isPublicNkey } from "../nkey-check.js";
import type { RequestOptions } from "node:https";
import type { TlsOptions } from "../../options.js";
import { secureContextOptions } from "../../transport/tls-options.js";
import type { AuthCalloutConfig } from "../callout.js";
import { probeUrlResolver } from "./resolver.js";
import { SERVER_VERSION } from "../../server/version.js";
import { decodeClaims, operatorSigningKeys, type OperatorClaims } from "./decode.js";

export type ResolverConfig =
  | { type: "memory" }
  | { type: "url"; url: string }
  /** `limit` 0 = no limit; `interval`: ms between store syncs (CLAIMS.PACK). */
  | { type: "full"; dir: string; allowDelete: boolean; hardDelete?: boolean; interval: number; timeout: number; limit: number }
  /** `ttl` 0 = a JWT is kept until it expires. */
  | { type: "cache"; dir: string; ttl: number; timeout: number; limit: number };

export interface OperatorOptions {
  /** Operator JWTs (the file contents or the inline tokens), as read from `operator`. */
  trustedOperators: string[];
  /** `trusted` / `trusted_keys` / `--trusted`: operator public keys; null = none. */
  trustedKeys: string[] | null;
  accountResolver: ResolverConfig | null;
  /** `resolver_preload`: account public key → account JWT. */
  resolverPreload: Record<string, string>;
  /** `resolver_pinned_accounts`: only these accounts may connect; null = any. */
  resolverPinnedAccounts: string[] | null;
  /** `authorization { auth_callout { … } }`; null = none. */
  authCallout: AuthCalloutConfig | null;
  /** `resolver_tls`: TLS of the URL resolver's HTTPS fetches (its ca_file is the root CA); null = Node's defaults. */
  accountResolverTls: TlsOptions | null;
}

export function defaultOperatorOptions(): OperatorOptions {
  return { trustedOperators: [], trustedKeys: null, accountResolver: null, resolverPreload: {}, resolverPinnedAccounts: null, authCallout: null, accountResolverTls: null };
}

const OPERATOR_KEY = /^O[A-Z2-7]{55}$/;
const ACCOUNT_KEY = /^A[A-Z2-7]{55}$/;

export interface TrustState {
  operators: OperatorClaims[];
  /** Keys an account JWT may be issued by; null = not operator mode. */
  keys: string[] | null;
  systemAccount: string;
  resolver: ResolverConfig | null;
  /** HTTPS options of the URL resolver (from `resolver_tls`). */
  resolverTls: RequestOptions | null;
}

/**
 * Go's validateTrustedOperators plus the defaults an operator brings
 * (account server URL, system account). Returns the trust state, or the
 * startup error text.
 */
export function resolveTrust(o: OperatorOptions & { systemAccount: string; users: unknown[] | null; nkeys: unknown[] | null; accounts?: unknown[] }): TrustState | string {
  return trustOf(o);
}

/** The start-up probe of a URL account resolver, as Go's NewServer makes it ("" = fine or not needed). */
export async function probeResolver(o: Parameters<typeof resolveTrust>[0]): Promise<string> {
  const t = trustOf(o);
  if (typeof t === "string" || t.resolver?.type !== "url") return "";
  return probeUrlResolver(t.resolver.url, t.resolverTls);
}

/** Go's GenTLSConfig used as a client: the CA file verifies the account server, cert/key are presented. */
function resolverTlsOf(t: TlsOptions | null): RequestOptions | null {
  if (t === null) return null;
  return { ...secureContextOptions(t), rejectUnauthorized: !t.insecure };
}

function trustOf(o: Parameters<typeof resolveTrust>[0]): TrustState | string {
  const operators: OperatorClaims[] = [];
  for (const t of o.trustedOperators) {
    try {
      operators.push(decodeClaims<OperatorClaims>(t, "operator"));
    } catch (e) {
      return `error parsing operator JWT: ${(e as Error).message}`;
    }
  }
  let resolver = o.accountResolver;
  let systemAccount = o.systemAccount;
  let resolverTls: RequestOptions | null;
  try {
    resolverTls = resolverTlsOf(o.accountResolverTls);
  } catch (e) {
    return (e as Error).message;
  }
  if (operators.length === 1) {
    const url = operators[0]!.nats.account_server_url;
    if (resolver === null) {
      // As Go: the operator's account server URL (even an empty one) becomes a URL resolver.
      const base = typeof url === "string" ? url : "";
      if (!/^https?:\/\/[^/]/.test(base)) return `could not fetch <"${base}/accounts/">: Get "${base}/accounts/": unsupported protocol scheme ""`;
      resolver = { type: "url", url: `${base}/accounts` };
    }
    if (systemAccount === "") systemAccount = (operators[0]!.nats.system_account as string | undefined) ?? "";
  }
  if (operators.length === 0) {
    if (o.trustedKeys === null) return { operators, keys: null, systemAccount, resolver, resolverTls };
    return { operators, keys: [...o.trustedKeys], systemAccount, resolver, resolverTls };
  }
  if (resolver === null) return "operators require an account resolver to be configured";
  if ((o.accounts?.length ?? 0) > 0) return "operators do not allow Accounts to be configured directly";
  if (resolver.type === "url" && Object.keys(o.resolverPreload).length > 0) return "resolver preloads only available for writeable resolver types MEM/DIR/CACHE_DIR";
  if ((o.users !== null && o.users.length > 0) || (o.nkeys !== null && o.nkeys.length > 0)) return "operators do not allow users to be configured directly";
  if (o.trustedKeys !== null && o.trustedKeys.length > 0) return "conflicting options for 'TrustedKeys' and 'TrustedOperators'";
  if (o.systemAccount !== "") {
    const named = operators.filter((op) => op.nats.system_account);
    if (named.length > 0 && !named.some((op) => op.nats.system_account === o.systemAccount)) return "system_account in config and operator JWT must be identical";
  } else if (!operators[0]!.nats.system_account && (resolver.type === "full" || resolver.type === "cache")) {
    return "using nats based account resolver - the system account needs to be specified in configuration or the operator jwt";
  }
  for (const op of operators) {
    const refused = versionRefusal(op);
    if (refused !== "") return refused;
  }
  const keys: string[] = [];
  for (const op of operators) {
    if (!op.nats.strict_signing_key_usage) keys.push(op.sub);
    keys.push(...operatorSigningKeys(op));
  }
  for (const k of keys) if (!isOperatorKey(k)) return `trusted Keys "${k}" are required to be a valid public operator nkey`;
  for (const k of o.resolverPinnedAccounts ?? []) if (!isAccountKey(k)) return `pinned account key "${k}" is not a valid public account nkey`;
  if (o.authCallout !== null) return "operators do not allow authorization callouts to be configured directly";
  return { operators, keys, systemAccount, resolver, resolverTls };
}

/** The jwt library's ParseServerVersion: [major, minor, update], or its error text. */
function parseServerVersion(v: string): number[] | string {
  if (v === "") return [0, 0, 0];
  const parts = v.split(".");
  if (parts.length !== 3) return "asserted server version must be of the form <major>.<minor>.<update>";
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[+-]?\d+$/.test(p)) return `asserted server version cant parse ${p} to int`;
    out.push(Number(p));
  }
  return out;
}

/** An operator's `assert_server_version` newer than this server refuses the start ("" = fine). */
function versionRefusal(op: OperatorClaims): string {
  const want = op.nats.assert_server_version;
  if (typeof want !== "string" || want === "") return "";
  const ours = parseServerVersion(SERVER_VERSION.split("-")[0]!) as number[];
  const asked = parseServerVersion(want);
  if (typeof asked === "string") return `operator ${op.sub} expects version ${want} got error instead: ${asked}`;
  const names = ["major", "minor", "update"];
  for (let i = 0; i < 3; i++) {
    if (asked[i]! > ours[i]!) return `operator ${op.sub} expected ${names[i]} version ${asked[i]} > server ${names[i]} version ${ours[i]}`;
    if (ours[i]! > asked[i]!) return "";
  }
  return "";
}

/** A public nkey of the given kind with a valid checksum (Go's nkeys.IsValidPublic*Key). */
function validKey(k: string, shape: RegExp): boolean {
  return shape.test(k) && isPublicNkey(k);
}

export function isAccountKey(k: string): boolean {
  return validKey(k, ACCOUNT_KEY);
}

export function isOperatorKey(k: string): boolean {
  return validKey(k, OPERATOR_KEY);
}
