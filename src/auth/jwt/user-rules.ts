// The rules a user JWT imposes at connect time, as nats-server applies them:
// permissions from the `pub`/`sub`/`resp` claims, scoped signing key
// templates ({{name()}}, {{subject()}}, {{account-name()}},
// {{account-subject()}}, {{tag(x)}}, {{account-tag(x)}}), allowed connection
// types, source networks and connect time windows. Pure functions of the
// claims; no connection state.

import { BlockList, isIPv4, isIPv6 } from "node:net";
import type { User } from "@nats-io/jwt";
import { withResponseDefaults, type Permissions } from "../model.js";
import { isValidSubject } from "../../protocol/subject.js";
import type { UserClaims } from "./decode.js";

type UserLimits = Partial<User>;

/** Go's buildPermissionsFromJwt: null when the claims set none. */
export function permissionsFromJwt(u: UserLimits): Permissions | null {
  let p: Permissions | null = null;
  const pub = u.pub;
  const sub = u.sub;
  if ((pub?.allow?.length ?? 0) > 0 || (pub?.deny?.length ?? 0) > 0) p = { publish: { allow: pub?.allow ?? undefined, deny: pub?.deny ?? undefined } };
  if ((sub?.allow?.length ?? 0) > 0 || (sub?.deny?.length ?? 0) > 0) (p ??= {}).subscribe = { allow: sub?.allow ?? undefined, deny: sub?.deny ?? undefined };
  if (u.resp) {
    p ??= {};
    // ttl is a Go duration in nanoseconds.
    p.responses = { max: u.resp.max ?? 0, expires: (u.resp.ttl ?? 0) / 1e6 };
    p = withResponseDefaults(p);
  }
  return p;
}

/** Go's HasEmptyPermissions: a scoped user must carry no permissions or limits of its own. */
export function hasEmptyPermissions(u: UserLimits): boolean {
  const noLimit = (n: number | undefined) => n === undefined || n === -1;
  return (
    !u.pub?.allow?.length &&
    !u.pub?.deny?.length &&
    !u.sub?.allow?.length &&
    !u.sub?.deny?.length &&
    !u.resp &&
    noLimit(u.subs) &&
    noLimit(u.data) &&
    noLimit(u.payload) &&
    !u.src?.length &&
    !u.times?.length &&
    !u.locale &&
    !u.bearer_token &&
    !u.allowed_connection_types?.length
  );
}

export interface TemplateContext {
  user: UserClaims;
  accountName: string;
  accountTags: string[];
}

/**
 * Expand a scoped signing key's template for one user. Throws
 * "generated invalid subject" when a deny subject cannot be built (Go
 * refuses the user then); an allow subject that cannot be built is dropped,
 * and an allow list emptied that way becomes a deny of everything.
 */
export function applyUserTemplate(template: UserLimits, ctx: TemplateContext): UserLimits {
  const out: UserLimits = JSON.parse(JSON.stringify(template)) as UserLimits;
  const pub = (out.pub ??= {});
  const sub = (out.sub ??= {});
  const pubAllowSet = (pub.allow?.length ?? 0) > 0;
  const subAllowSet = (sub.allow?.length ?? 0) > 0;
  sub.allow = expandList(sub.allow ?? [], false, ctx);
  sub.deny = expandList(sub.deny ?? [], true, ctx);
  pub.allow = expandList(pub.allow ?? [], false, ctx);
  pub.deny = expandList(pub.deny ?? [], true, ctx);
  if (subAllowSet && sub.allow.length === 0) sub.deny.push(">");
  if (pubAllowSet && pub.allow.length === 0) pub.deny.push(">");
  return out;
}

const isTemplate = (tk: string) => tk.startsWith("{{") && tk.endsWith("}}");

function expandList(list: string[], failOnBad: boolean, ctx: TemplateContext): string[] {
  if (!list.some((s) => s.split(".").some(isTemplate))) return list;
  const out: string[] = [];
  for (const subject of list) {
    // Each token is a fixed string, or a list of values (tag templates).
    const tokens: string[][] = subject.split(".").map((tk) => (isTemplate(tk) ? expandToken(tk, ctx) : [tk]));
    for (const combo of cartesian(tokens)) {
      const s = combo.join(".");
      if (isValidSubject(s)) out.push(s);
      else if (failOnBad) throw new Error("generated invalid subject");
    }
  }
  return out;
}

function expandToken(tk: string, ctx: TemplateContext): string[] {
  const op = tk.slice(2, -2).toLowerCase();
  const u = ctx.user;
  if (op === "name()") return [u.name ?? ""];
  if (op === "subject()") return [u.sub];
  if (op === "account-name()") return [ctx.accountName];
  if (op === "account-subject()") return [u.nats.issuer_account ?? ""];
  const tagged = /^(account-)?tag\((.*)\)$/.exec(op);
  if (tagged) {
    const prefix = `${tagged[2]}:`;
    const tags = tagged[1] ? ctx.accountTags : (u.nats.tags ?? []);
    const values = tags.filter((t) => t.startsWith(prefix)).map((t) => t.slice(prefix.length));
    // No value: an empty token, which makes the subject invalid (as Go's placeholder does).
    return values.length > 0 ? values : [""];
  }
  // An unknown function: a token that is never a valid subject.
  return [" "];
}

function cartesian(lists: string[][]): string[][] {
  let acc: string[][] = [[]];
  for (const l of lists) acc = acc.flatMap((prefix) => l.map((v) => [...prefix, v]));
  return acc;
}

/** Connection types nats-server 2.9 knows. */
const KNOWN_CONN_TYPES = new Set(["STANDARD", "WEBSOCKET", "LEAFNODE", "LEAFNODE_WS", "MQTT", "MQTT_WS"]);

/** Allowed connection types: the known ones, and a debug text for unknown ones. */
export function allowedConnectionTypes(types: string[] | undefined): { allowed: Set<string>; unknown: string } {
  const allowed = new Set<string>();
  const unknown: string[] = [];
  for (const t of types ?? []) {
    if (KNOWN_CONN_TYPES.has(t)) allowed.add(t);
    else unknown.push(t);
  }
  return { allowed, unknown: unknown.length > 0 ? `invalid connection types ${JSON.stringify(unknown).replace(/","/g, '" "')}` : "" };
}

/** Go's validateSrc: the client address is inside one of the claim's networks (no list: anywhere). */
export function sourceAllowed(src: string[] | undefined, host: string): boolean {
  if (!src || src.length === 0) return true;
  if (!isIPv4(host) && !isIPv6(host)) return false;
  for (const cidr of src) {
    const [net, bitsText] = cidr.split("/");
    const bits = Number(bitsText);
    if (net === undefined || bitsText === undefined || !Number.isInteger(bits)) return false;
    const type = isIPv4(net) ? "ipv4" : isIPv6(net) ? "ipv6" : null;
    if (type === null) return false;
    const bl = new BlockList();
    bl.addSubnet(net, bits, type);
    if (bl.check(host, isIPv4(host) ? "ipv4" : "ipv6")) return true;
  }
  return false;
}

/** A claims problem that Go's Validate reports for src/times/locale ("" = fine). */
export function userLimitProblems(u: UserLimits): string {
  for (const cidr of u.src ?? []) {
    const [net, bits] = cidr.split("/");
    const n = Number(bits);
    const ok = net !== undefined && bits !== undefined && /^\d+$/.test(bits) && ((isIPv4(net) && n <= 32) || (isIPv6(net) && n <= 128));
    if (!ok) return `invalid cidr "${cidr}" in user src limits`;
  }
  for (const t of u.times ?? []) {
    if (!HMS.test(t.start ?? "")) return `time ${t.start ?? ""} is not in format 15:04:05`;
    if (!HMS.test(t.end ?? "")) return `time ${t.end ?? ""} is not in format 15:04:05`;
  }
  if (u.locale && !validZone(u.locale)) return `could not parse iana time zone by name: unknown time zone ${u.locale}`;
  return "";
}

const HMS = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;

function validZone(z: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: z });
    return true;
  } catch {
    return false;
  }
}

const seconds = (hms: string) => {
  const [h, m, s] = hms.split(":").map(Number);
  return h! * 3600 + m! * 60 + s!;
};

/**
 * Go's validateTimes: whether now is inside one of the windows (in the
 * claim's locale, else the server's), and for how long (ms; 0 = no window).
 * A window whose start is after its end runs from start today to end
 * tomorrow, as in Go.
 */
export function connectTimeAllowed(times: { start?: string; end?: string }[] | undefined, locale: string | undefined, now = new Date()): { ok: boolean; validFor: number } {
  if (!times || times.length === 0) return { ok: true, validFor: 0 };
  const f = new Intl.DateTimeFormat("en-GB", { timeZone: locale || undefined, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  const nowSec = seconds(f.format(now).replace(/^24/, "00"));
  for (const t of times) {
    const start = seconds(t.start ?? "00:00:00");
    let end = seconds(t.end ?? "00:00:00");
    if (start > end) end += 86400;
    if (start < nowSec && end > nowSec) return { ok: true, validFor: (end - nowSec) * 1000 };
  }
  return { ok: false, validFor: 0 };
}
