// Exports: the subjects an account offers to others as streams or services,
// with who may import them (public, listed accounts, or the importer's name
// at a token position) and, for services, the response type, the response
// threshold and latency sampling, and which export authorises an import (by
// the subject-subset rule of sublist/). No routing here.

import { subjectIsSubsetMatch } from "../sublist/subject-trie.js";
import type { LatencyConfig, ResponseType } from "./config-types.js";

/** Go's default time a service export's responder may take to answer. */
export const DEFAULT_RESPONSE_THRESHOLD_MS = 120_000;

export interface ExportAuth {
  /** null = public. */
  approved: Set<string> | null;
  /** 1-based token of the export subject that must equal the importer's name (0 = none). */
  accountTokenPosition: number;
}

export class StreamExport {
  constructor(
    readonly subject: string,
    readonly auth: ExportAuth,
  ) {}
}

export class ServiceExport {
  /** Sweep timer of this export's pending responses (see service-replies.ts). */
  sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly subject: string,
    readonly auth: ExportAuth,
    readonly responseType: ResponseType,
    readonly responseThreshold: number,
    readonly latency: LatencyConfig | null,
  ) {}
}

function authAllows(auth: ExportAuth, importer: string, tokens: string[]): boolean {
  if (auth.accountTokenPosition > 0) {
    return auth.accountTokenPosition <= tokens.length && tokens[auth.accountTokenPosition - 1] === importer;
  }
  return auth.approved === null || auth.approved.has(importer);
}

/** The export in `exports` that authorises `importer` to import `subject`, if any (Go's check order). */
export function findApprovedExport<E extends StreamExport | ServiceExport>(exports: Map<string, E>, importer: string, subject: string): E | undefined {
  const tokens = subject.split(".");
  const direct = exports.get(subject);
  if (direct !== undefined) return authAllows(direct.auth, importer, tokens) ? direct : undefined;
  for (const e of exports.values()) {
    if (subjectIsSubsetMatch(subject, e.subject) && authAllows(e.auth, importer, tokens)) return e;
  }
  return undefined;
}

/** The export a subject falls under (direct match, or a wildcard export containing it). */
export function findExportFor<E extends StreamExport | ServiceExport>(exports: Map<string, E>, subject: string): E | undefined {
  const direct = exports.get(subject);
  if (direct !== undefined) return direct;
  for (const e of exports.values()) if (subjectIsSubsetMatch(subject, e.subject)) return e;
  return undefined;
}
