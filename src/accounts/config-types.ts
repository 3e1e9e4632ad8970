// Account configuration as plain data: what the config file's `accounts`
// block (or an embedder) declares — exports, imports, mappings, limits. The
// users of an account are ordinary users (Options.users / nkeys) whose
// `account` names it. Parsing lives in config/accounts-map.ts; turning this
// into live accounts (with Go's checks) in accounts/registry.ts. Data only.

import type { SubjectMappingConfig } from "../options.js";

export type ResponseType = "Singleton" | "Streamed" | "Chunked";

export interface LatencyConfig {
  /** Percent of requests sampled (1-100); 0 means "headers" (sample when the request asks). */
  sampling: number;
  subject: string;
}

export interface StreamExportConfig {
  kind: "stream";
  subject: string;
  /** Accounts allowed to import; undefined = public. */
  accounts?: string[];
  accountTokenPosition: number;
}

export interface ServiceExportConfig {
  kind: "service";
  subject: string;
  accounts?: string[];
  accountTokenPosition: number;
  responseType: ResponseType;
  /** Milliseconds; undefined = Go's default (2 minutes). */
  responseThreshold?: number;
  latency?: LatencyConfig;
}

export interface StreamImportConfig {
  kind: "stream";
  account: string;
  subject: string;
  prefix: string;
  to: string;
}

export interface ServiceImportConfig {
  kind: "service";
  account: string;
  subject: string;
  /** Local subject the importer publishes on (defaults to `subject`). */
  to: string;
  share: boolean;
}

/** -1 = unlimited (Go's default for account limits). */
export interface AccountLimitsConfig {
  maxConnections: number;
  maxSubscriptions: number;
  maxPayload: number;
  maxLeafnodes: number;
}

export interface AccountConfig {
  name: string;
  nkey: string;
  exports: (StreamExportConfig | ServiceExportConfig)[];
  imports: (StreamImportConfig | ServiceImportConfig)[];
  mappings: SubjectMappingConfig[];
  limits: AccountLimitsConfig;
  /** The account's `jetstream` value as written (JetStream maps it). */
  jetstream?: unknown;
}

export function unlimitedAccountLimits(): AccountLimitsConfig {
  return { maxConnections: -1, maxSubscriptions: -1, maxPayload: -1, maxLeafnodes: -1 };
}

/** The system account's default name, created unless `no_system_account`. */
export const DEFAULT_SYSTEM_ACCOUNT = "$SYS";
