// The `authorization { … }` block: single user/password or token, timeout,
// `users` (user/password or nkey entries with permissions) and block-level
// default permissions, read into Options the way nats-server 2.9's
// parseAuthorization/parseUsers/parseUserPermissions do, with their error
// texts. Also used for the embedding API's typed `authorization` option (the
// plain object is turned into config nodes first). No credential checks here.

import { isPublicNkey } from "../auth/nkey-check.js";
import type { Options } from "../options.js";
import type { NkeyUser, Permissions, ResponsePermission, SubjectPermission, User } from "../auth/model.js";
import { DEFAULT_RESPONSE_EXPIRES, DEFAULT_RESPONSE_MAX } from "../auth/model.js";
import { goQuote } from "../go-format/quote.js";
import { DurationError, parseGoDurationNs } from "../go-format/duration.js";
import { NodeError, asInt, asMap, asString } from "./node-values.js";
import { goTypeName, type ConfMap, type ConfNode } from "./parser.js";
import { readAuthCallout } from "./auth-callout.js";

type AuthFields = Pick<Partial<Options>, "username" | "password" | "authToken" | "authTimeout" | "users" | "nkeys" | "authCallout">;

/** Read the block; problems go to `report` (as Go collects them), the result holds what was readable. */
export function readAuthorization(node: ConfNode, report: (e: NodeError) => void): AuthFields {
  const am = asMap(node);
  let user = "";
  let pass = "";
  let token = "";
  let timeout: number | undefined;
  let users: User[] | null = null;
  let nkeys: NkeyUser[] = [];
  let defaults: Permissions | undefined;
  let callout: AuthFields["authCallout"];
  for (const [key, v] of am) {
    try {
      switch (key.toLowerCase()) {
        case "user":
        case "username":
          user = asString(v);
          break;
        case "pass":
        case "password":
          pass = asString(v);
          break;
        case "token":
          token = asString(v);
          break;
        case "timeout":
          // Go: a number of seconds; anything else counts as 1 second.
          timeout = v.kind === "integer" || v.kind === "float" ? (v.value as number) : 1;
          break;
        case "users": {
          const r = readUsers(v, report);
          users = r.users;
          nkeys = r.nkeys;
          break;
        }
        case "default_permission":
        case "default_permissions":
        case "permissions":
          defaults = readPermissions(v, report);
          break;
        case "auth_callout":
        case "callout":
          callout = readAuthCallout(v, report);
          break;
        default:
          if (!v.usedAsVariable) report(new NodeError(v, `unknown field ${goQuote(key)}`));
      }
    } catch (e) {
      if (!(e instanceof NodeError)) throw e;
      report(e);
    }
  }
  const out: AuthFields = { username: user, password: pass, authToken: token };
  if (callout) out.authCallout = callout;
  if (timeout !== undefined) out.authTimeout = timeout * 1000;
  if ((user !== "" || pass !== "") && token !== "") {
    report(new NodeError(node, "Cannot have a user/pass and token"));
    return out;
  }
  if (users !== null) {
    if (user !== "") {
      report(new NodeError(node, "Can not have a single user/pass and a users array"));
      return out;
    }
    if (token !== "") {
      report(new NodeError(node, "Can not have a token and a users array"));
      return out;
    }
    const names = new Set<string>();
    for (const u of users as User[]) {
      if (names.has(u.username)) {
        report(new NodeError(node, `Duplicate user ${goQuote(u.username)} detected`));
        return out;
      }
      names.add(u.username);
    }
    for (const k of nkeys) {
      if (names.has(k.nkey)) {
        report(new NodeError(node, `Duplicate nkey ${goQuote(k.nkey)} detected`));
        return out;
      }
      names.add(k.nkey);
    }
    if (defaults) {
      for (const u of users as User[]) u.permissions ??= defaults;
      for (const k of nkeys) k.permissions ??= defaults;
    }
    // Go keeps the lists only when they have entries: `users: []` means no auth.
    if ((users as User[]).length > 0) out.users = users;
    if (nkeys.length > 0) out.nkeys = nkeys;
  }
  return out;
}

export function readUsers(node: ConfNode, report: (e: NodeError) => void): { users: User[]; nkeys: NkeyUser[] } {
  if (node.kind !== "array") throw new NodeError(node, `Expected users field to be an array, got ${goValue(node)}`);
  const users: User[] = [];
  const nkeys: NkeyUser[] = [];
  for (const entry of node.value as ConfNode[]) {
    if (entry.kind !== "map") {
      report(new NodeError(entry, `Expected user entry to be a map/struct, got ${goValue(entry)}`));
      continue;
    }
    let username = "";
    let password = "";
    let nkey = "";
    let perms: Permissions | undefined;
    let last: ConfNode = entry;
    for (const [k, v] of entry.value as ConfMap) {
      last = v;
      try {
        switch (k.toLowerCase()) {
          case "nkey":
            nkey = asString(v);
            break;
          case "user":
          case "username":
            username = asString(v);
            break;
          case "pass":
          case "password":
            password = asString(v);
            break;
          case "permission":
          case "permissions":
          case "authorization":
            perms = readPermissions(v, report);
            break;
          case "allowed_connection_types":
          case "connection_types":
          case "clients":
            readConnectionTypes(v);
            break;
          default:
            if (!v.usedAsVariable) report(new NodeError(v, `unknown field ${goQuote(k)}`));
        }
      } catch (e) {
        if (!(e instanceof NodeError)) throw e;
        report(e);
      }
    }
    if (nkey === "" && username === "") throw new NodeError(last, "User entry requires a user");
    if (nkey !== "") {
      if (!nkey.startsWith("U") || !isPublicNkey(nkey)) throw new NodeError(last, "Not a valid public nkey for a user");
      if (username !== "" || password !== "") throw new NodeError(last, "Nkey users do not take usernames or passwords");
      const u: NkeyUser = { nkey };
      if (perms) u.permissions = perms;
      nkeys.push(u);
    } else {
      const u: User = { username, password };
      if (perms) u.permissions = perms;
      users.push(u);
    }
  }
  return { users, nkeys };
}

const CONNECTION_TYPES = new Set(["STANDARD", "WEBSOCKET", "LEAFNODE", "LEAFNODE_WS", "MQTT", "MQTT_WS"]);

/** allowed_connection_types: checked as Go does; every type tsnats serves is STANDARD today. */
function readConnectionTypes(node: ConfNode): void {
  const items = node.kind === "array" ? (node.value as ConfNode[]) : [node];
  for (const item of items) {
    const t = asString(item);
    if (!CONNECTION_TYPES.has(t.toUpperCase())) throw new NodeError(item, `unknown connection type ${goQuote(t)}`);
  }
}

/** A permissions map: publish/subscribe (list or allow/deny) and allow_responses. */
export function readPermissions(node: ConfNode, report: (e: NodeError) => void): Permissions {
  if (node.kind !== "map") throw new NodeError(node, `Expected permissions to be a map/struct, got ${goValue(node)}`);
  const p: Permissions = {};
  for (const [k, v] of node.value as ConfMap) {
    try {
      switch (k.toLowerCase()) {
        case "pub":
        case "publish":
        case "import": {
          const sp = readSubjectPermission(v, report);
          if (sp) p.publish = sp;
          else delete p.publish;
          break;
        }
        case "sub":
        case "subscribe":
        case "export": {
          const sp = readSubjectPermission(v, report);
          if (sp) p.subscribe = sp;
          else delete p.subscribe;
          break;
        }
        case "publish_allow_responses":
        case "allow_responses": {
          let rp: ResponsePermission | undefined;
          if (v.kind === "bool") {
            if (v.value === true) rp = { max: DEFAULT_RESPONSE_MAX, expires: DEFAULT_RESPONSE_EXPIRES };
          } else {
            rp = readAllowResponses(v, report);
          }
          if (rp) {
            p.responses = rp;
            p.publish ??= {};
            p.publish.allow ??= [];
          }
          break;
        }
        default:
          if (!v.usedAsVariable) report(new NodeError(v, `Unknown field ${goQuote(k)} parsing permissions`));
      }
    } catch (e) {
      if (!(e instanceof NodeError)) throw e;
      report(e);
    }
  }
  return p;
}

/** A subject list (old style: allow only) or `{ allow, deny }`; undefined for an empty map, as Go. */
function readSubjectPermission(node: ConfNode, report: (e: NodeError) => void): SubjectPermission | undefined {
  if (node.kind !== "map") return { allow: readSubjects(node) };
  const m = node.value as ConfMap;
  if (m.size === 0) return undefined;
  const sp: SubjectPermission = {};
  for (const [k, v] of m) {
    try {
      switch (k.toLowerCase()) {
        case "allow":
          sp.allow = readSubjects(v);
          break;
        case "deny":
          sp.deny = readSubjects(v);
          break;
        default:
          if (!v.usedAsVariable) report(new NodeError(v, `Unknown field name ${goQuote(k)} parsing subject permissions, only 'allow' or 'deny' are permitted`));
      }
    } catch (e) {
      if (!(e instanceof NodeError)) throw e;
      report(e);
    }
  }
  return sp;
}

function readSubjects(node: ConfNode): string[] {
  let subjects: string[];
  if (node.kind === "string") {
    subjects = [node.value as string];
  } else if (node.kind === "array") {
    subjects = (node.value as ConfNode[]).map((i) => {
      if (i.kind !== "string") throw new NodeError(i, "Subject in permissions array cannot be cast to string");
      return i.value as string;
    });
  } else {
    throw new NodeError(node, `Expected subject permissions to be a subject, or array of subjects, got ${goTypeName(node)}`);
  }
  // Go reports these without a location.
  const unlocated = { ...node, line: 0, col: 0 };
  for (const s of subjects) {
    if (isValidPermissionSubject(s)) continue;
    // A queue-qualified subject: "subject queue".
    const parts = s.split(/[\t\n\v\f\r ]+/).filter((x) => x !== "");
    if (parts.length !== 2) throw new NodeError(unlocated, `subject ${goQuote(s)} is not a valid subject`);
    if (!isValidPermissionSubject(parts[0])) throw new NodeError(unlocated, `subject ${goQuote(parts[0])} is not a valid subject`);
  }
  return subjects;
}

/** Go's IsValidSubject: non-empty tokens, nothing after `>`, no whitespace. */
function isValidPermissionSubject(s: string): boolean {
  if (s === "") return false;
  let fwc = false;
  for (const t of s.split(".")) {
    if (t.length === 0 || fwc) return false;
    if (/[\t\n\f\r ]/.test(t)) return false;
    if (t === ">") fwc = true;
  }
  return true;
}

function readAllowResponses(node: ConfNode, report: (e: NodeError) => void): ResponsePermission | undefined {
  if (node.kind !== "map") {
    report(new NodeError(node, "error parsing response permissions, expected a boolean or a map"));
    return undefined;
  }
  const rp: ResponsePermission = { max: DEFAULT_RESPONSE_MAX, expires: DEFAULT_RESPONSE_EXPIRES };
  for (const [k, v] of node.value as ConfMap) {
    switch (k.toLowerCase()) {
      case "max":
      case "max_msgs":
      case "max_messages":
      case "max_responses": {
        // Negative means unlimited; 0 keeps the default.
        const n = asInt(v);
        if (n !== 0) rp.max = n;
        break;
      }
      case "expires":
      case "expiration":
      case "ttl": {
        if (v.kind !== "string") {
          report(new NodeError(v, "error parsing expires, not a duration string"));
          return undefined;
        }
        let ns: bigint;
        try {
          ns = parseGoDurationNs(v.value as string);
        } catch (e) {
          if (!(e instanceof DurationError)) throw e;
          report(new NodeError(v, `error parsing expires: ${e.message}`));
          return undefined;
        }
        if (ns !== 0n) rp.expires = Number(ns) / 1e6;
        break;
      }
      default:
        if (!v.usedAsVariable) report(new NodeError(v, `Unknown field ${goQuote(k)} parsing permissions`));
    }
  }
  return rp;
}

/** Go's %v of a config value in the "Expected …, got %v" messages. */
function goValue(node: ConfNode): string {
  switch (node.kind) {
    case "map":
      return `map[${[...(node.value as ConfMap).entries()].map(([k, v]) => `${k}:${goValue(v)}`).join(" ")}]`;
    case "array":
      return `[${(node.value as ConfNode[]).map(goValue).join(" ")}]`;
    default:
      return String(node.value);
  }
}

/** The embedding API's `authorization` option: the config block's settings, typed. */
export interface AuthorizationBlock {
  user?: string;
  password?: string;
  token?: string;
  /** Seconds. */
  timeout?: number;
  users?: AuthorizationUserBlock[];
  /** Default permissions for users without their own. */
  permissions?: PermissionsBlock;
  /** Delegate authentication to a service (config `auth_callout`). */
  auth_callout?: { issuer: string; auth_users: string[]; account?: string; xkey?: string; allowed_accounts?: string[] };
}

export interface AuthorizationUserBlock {
  user?: string;
  password?: string;
  nkey?: string;
  permissions?: PermissionsBlock;
}

export type SubjectListBlock = string | string[];

export interface PermissionsBlock {
  publish?: SubjectListBlock | { allow?: SubjectListBlock; deny?: SubjectListBlock };
  subscribe?: SubjectListBlock | { allow?: SubjectListBlock; deny?: SubjectListBlock };
  /** `true`, or `{ max, expires }` with expires a Go duration ("1m", "500ms"). */
  allow_responses?: boolean | { max?: number; expires?: string };
}

/** Read an embedding `authorization` object exactly as the config block; throws Error with Go's text. */
export function authorizationFromPlain(block: AuthorizationBlock): AuthFields {
  const errors: string[] = [];
  const out = readAuthorization(plainNode(block), (e) => errors.push(e.reason));
  if (errors.length > 0) throw new Error(`authorization: ${errors[0]}`);
  return out;
}

/** A plain value as a config node (the embedding API reads objects like config blocks). */
export function plainNode(v: unknown): ConfNode {
  const node = (kind: ConfNode["kind"], value: ConfNode["value"]): ConfNode => ({ kind, value, file: "", line: 0, col: 0, usedAsVariable: false });
  if (typeof v === "string") return node("string", v);
  if (typeof v === "boolean") return node("bool", v);
  if (typeof v === "number") return node(Number.isInteger(v) ? "integer" : "float", v);
  if (Array.isArray(v)) return node("array", v.map(plainNode));
  if (v !== null && typeof v === "object") {
    const m: ConfMap = new Map();
    for (const [k, x] of Object.entries(v)) if (x !== undefined) m.set(k, plainNode(x));
    return node("map", m);
  }
  return node("string", String(v));
}
