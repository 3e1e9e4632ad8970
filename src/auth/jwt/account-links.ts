// Exports and imports of account JWTs, put onto the accounts' export and
// import tables (src/accounts): public and token-required exports (with
// their response type, threshold, latency and account token position), and
// stream/service imports, a token-required one admitted by a valid
// activation token (issued by the exporter or its signing key, for the
// importer, covering the subject, not expired, not revoked). Problems are
// logged with Go's texts and leave the import out, as nats-server does.

import type { Export, Import } from "@nats-io/jwt";
import { DEFAULT_RESPONSE_THRESHOLD_MS, ServiceExport, StreamExport } from "../../accounts/exports.js";
import { subjectIsSubsetMatch } from "../../sublist/subject-trie.js";
import { addServiceImport, addStreamImport, clearImports } from "../../accounts/imports.js";
import type { ResponseType } from "../../accounts/config-types.js";
import type { ClaimsData } from "@nats-io/jwt";
import { checkDates, decodeClaims } from "./decode.js";
import type { JwtAccount } from "./jwt-account.js";

type ActivationClaims = ClaimsData<{ subject: string; kind?: string; issuer_account?: string }>;

const RESPONSE_TYPES: Record<string, ResponseType> = { Singleton: "Singleton", Stream: "Streamed", Chunked: "Chunked" };

function exportsOf(a: JwtAccount): Export[] {
  return ((a.claims?.nats.exports ?? []) as Export[]).filter((e) => e && typeof e.subject === "string");
}

export function importsOf(a: JwtAccount): Import[] {
  return ((a.claims?.nats.imports ?? []) as Import[]).filter((i) => i && typeof i.subject === "string" && typeof i.account === "string");
}

/** Rebuild the account's export tables from its claims. */
export function applyExports(a: JwtAccount): void {
  const acc = a.account;
  for (const se of acc.serviceExports.values()) if (se.sweepTimer !== null) clearTimeout(se.sweepTimer);
  acc.streamExports.clear();
  acc.serviceExports.clear();
  for (const e of exportsOf(a)) {
    // A token-required export starts with nobody approved; activations add importers.
    const auth = { approved: e.token_req ? new Set<string>() : null, accountTokenPosition: e.account_token_position ?? 0 };
    if (e.type === "service") {
      const lat = e.service_latency;
      const latency = lat && typeof lat.results === "string" ? { sampling: lat.sampling === "headers" ? 0 : Number(lat.sampling) || 100, subject: lat.results } : null;
      const threshold = typeof e.response_threshold === "number" && e.response_threshold > 0 ? e.response_threshold / 1e6 : DEFAULT_RESPONSE_THRESHOLD_MS;
      acc.serviceExports.set(e.subject, new ServiceExport(e.subject, auth, RESPONSE_TYPES[e.response_type ?? "Singleton"] ?? "Singleton", threshold, latency));
    } else {
      acc.streamExports.set(e.subject, new StreamExport(e.subject, auth));
    }
  }
}

/** Go's checkActivation: "" when the token admits `importer` to `imp`, else why not. */
function activationProblem(token: string, imp: Import, importer: JwtAccount, exporter: JwtAccount): string {
  let act: ActivationClaims;
  try {
    act = decodeClaims<ActivationClaims>(token, "activation");
  } catch (e) {
    return (e as Error).message;
  }
  const dates = checkDates(act);
  if (dates !== "") return dates;
  // Go's checkActivation: an activation is over at its expiry second (not after it, as other claims).
  if ((act.exp ?? 0) > 0 && act.exp! <= Math.floor(Date.now() / 1000)) return "activation expired";
  if (act.sub !== importer.id) return "activation is not for this account";
  const issuer = act.nats.issuer_account || act.iss;
  if (issuer !== exporter.id || !exporter.issuerScope(act.iss).known) return "activation not issued by the exporting account";
  if (typeof act.nats.subject !== "string" || !subjectIsSubsetMatch(imp.subject, act.nats.subject)) return "activation subject does not cover the import";
  const exp = exportsOf(exporter).find((e) => e.type === imp.type && subjectIsSubsetMatch(imp.subject, e.subject));
  const revoked = exp?.revocations ?? {};
  const t = revoked[importer.id] ?? revoked["*"];
  if (t !== undefined && t >= act.iat) return "activation revoked";
  return "";
}

/**
 * Rebuild the account's imports against the exporters' current tables.
 * `exporterOf` gives a verified exporter account (undefined when it could
 * not be fetched); `readd` puts the system imports back. The earliest
 * expiry (unix seconds) of the activation tokens admitted is returned (0 =
 * none): the imports must be rebuilt then, as Go's activation timer does.
 */
export function applyImports(a: JwtAccount, exporterOf: (id: string) => JwtAccount | undefined, readd: () => void, log: { debug(m: string): void; error(m: string): void }): number {
  clearImports(a.account);
  readd();
  // Approvals by activation are re-earned below; an expired or removed token loses its approval.
  for (const imp of importsOf(a)) {
    const exporter = exporterOf(imp.account);
    if (!exporter) continue;
    for (const table of [exporter.account.serviceExports, exporter.account.streamExports]) for (const e of table.values()) e.auth.approved?.delete(a.id);
  }
  let nextExpiry = 0;
  for (const imp of importsOf(a)) {
    const exporter = exporterOf(imp.account);
    if (!exporter) {
      log.error(`Can't locate account [${imp.account}] for import of [${imp.subject}] ${imp.type}`);
      continue;
    }
    if (imp.token) {
      const problem = activationProblem(imp.token, imp, a, exporter);
      if (problem !== "") {
        log.debug(`Error adding ${imp.type === "service" ? "service" : "stream"} import to account [${a.id}]: activation token not valid: ${problem}`);
        continue;
      }
      const exp = activationExpiry(imp.token);
      if (exp > 0 && (nextExpiry === 0 || exp < nextExpiry)) nextExpiry = exp;
      const table = imp.type === "service" ? exporter.account.serviceExports : exporter.account.streamExports;
      for (const e of table.values()) if (e.auth.approved !== null && subjectIsSubsetMatch(imp.subject, e.subject)) e.auth.approved.add(a.id);
    }
    let err: string;
    if (imp.type === "service") {
      const local = imp.local_subject || imp.to || imp.subject;
      err = addServiceImport(a.account, exporter.account, local, imp.subject, imp.share === true);
    } else if (imp.local_subject) {
      err = addStreamImport(a.account, exporter.account, imp.subject, "", imp.local_subject);
    } else {
      err = addStreamImport(a.account, exporter.account, imp.subject, imp.to ?? "", "");
    }
    if (err) log.debug(`Error adding ${imp.type === "service" ? "service" : "stream"} import to account [${a.id}]: ${err}`);
  }
  return nextExpiry;
}

function activationExpiry(token: string): number {
  try {
    return decodeClaims<ActivationClaims>(token, "activation").exp ?? 0;
  } catch {
    return 0;
  }
}
