// Stream configuration: decoding the JSON a client sends (Go's json.Unmarshal
// type rules: a wrong type is "invalid JSON", unknown fields are ignored),
// defaults, validation and the update rules of nats-server 2.10's
// checkStreamCfg / configUpdateCheck, with Go's error texts. Checks that need
// other streams (overlap, mirror/source existence) get them through
// StreamLookup. No stream state lives here.

import { isValidSubject, isValidLiteralSubject } from "../protocol/subject.js";
import { jsFail, type JsApiError } from "./api/errors.js";
import { subjectHasWildcard, subjectIsSubsetMatch, subjectsCollide } from "../sublist/subject-trie.js";
import { validateTransform } from "./subject-transform.js";

export type Nanos = number;

export interface ExternalStream {
  api: string;
  deliver?: string;
}

export interface SubjectTransformConfig {
  src: string;
  dest: string;
}

export interface StreamSourceConfig {
  name: string;
  opt_start_seq?: number;
  opt_start_time?: string;
  filter_subject?: string;
  subject_transforms?: SubjectTransformConfig[];
  external?: ExternalStream;
}

export interface RePublishConfig {
  src?: string;
  dest: string;
  headers_only?: boolean;
}

/** Go's StreamConfig with its JSON names; key order is Go's output order. */
export interface StreamConfig {
  name: string;
  description?: string;
  subjects?: string[];
  retention: "limits" | "interest" | "workqueue";
  max_consumers: number;
  max_msgs: number;
  max_bytes: number;
  max_age: Nanos;
  max_msgs_per_subject: number;
  max_msg_size?: number;
  discard: "old" | "new";
  storage: "file" | "memory";
  num_replicas: number;
  no_ack?: boolean;
  template_owner?: string;
  duplicate_window?: Nanos;
  placement?: { cluster?: string; tags?: string[] };
  mirror?: StreamSourceConfig;
  sources?: StreamSourceConfig[];
  compression: "none" | "s2";
  first_seq?: number;
  subject_transform?: SubjectTransformConfig;
  republish?: RePublishConfig;
  allow_direct: boolean;
  mirror_direct: boolean;
  discard_new_per_subject?: boolean;
  sealed: boolean;
  deny_delete: boolean;
  deny_purge: boolean;
  allow_rollup_hdrs: boolean;
  consumer_limits: { inactive_threshold?: Nanos; max_ack_pending?: number };
  metadata?: Record<string, string>;
}

const MAX_NAME_LEN = 255;
const MAX_DESCRIPTION_LEN = 4096;
const MAX_METADATA_LEN = 128 * 1024;
const MAX_REPLICAS = 5;
const MS = 1_000_000;
export const DEFAULT_DUPLICATE_WINDOW: Nanos = 120_000 * MS;

/** Go's isValidName for stream and consumer names. */
export function isValidName(name: string): boolean {
  return name !== "" && !/[ \t\r\n\f.*>]/.test(name);
}

const invalid = (msg: string): JsApiError => jsFail("streamInvalidConfig", { err: msg });
const badJson = (): JsApiError => jsFail("invalidJSON");

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Field readers with Go's unmarshal rules: null leaves the zero value, a wrong type fails. */
const read = {
  str(o: Json, k: string): string | undefined {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw badJson();
    return v;
  },
  int(o: Json, k: string, unsigned = false): number | undefined {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    // Go's int64/uint64 fields: anything outside their range fails to unmarshal.
    if (typeof v !== "number" || !Number.isInteger(v) || (unsigned && v < 0) || Math.abs(v) >= 2 ** 63) throw badJson();
    return v;
  },
  bool(o: Json, k: string): boolean | undefined {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") throw badJson();
    return v;
  },
  strings(o: Json, k: string): string[] | undefined {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw badJson();
    return v as string[];
  },
  obj(o: Json, k: string): Json | undefined {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) throw badJson();
    return v;
  },
  enumOf<T extends string>(o: Json, k: string, values: readonly T[], aliases: Record<string, T> = {}): T | undefined {
    const v = read.str(o, k);
    if (v === undefined) return undefined;
    const lower = v.toLowerCase();
    const hit = values.find((x) => x === lower) ?? aliases[lower];
    if (hit === undefined) throw badJson();
    return hit;
  },
};

function decodeTransform(o: Json | undefined): SubjectTransformConfig | undefined {
  if (!o) return undefined;
  return { src: read.str(o, "src") ?? "", dest: read.str(o, "dest") ?? "" };
}

function decodeSource(o: Json): StreamSourceConfig {
  const s: StreamSourceConfig = { name: read.str(o, "name") ?? "" };
  const seq = read.int(o, "opt_start_seq", true);
  if (seq) s.opt_start_seq = seq;
  const t = read.str(o, "opt_start_time");
  if (t !== undefined) {
    if (Number.isNaN(Date.parse(t))) throw badJson();
    s.opt_start_time = t;
  }
  const f = read.str(o, "filter_subject");
  if (f) s.filter_subject = f;
  const trs = o.subject_transforms;
  if (trs !== undefined && trs !== null) {
    if (!Array.isArray(trs) || !trs.every(isObj)) throw badJson();
    if (trs.length > 0) s.subject_transforms = trs.map((x) => decodeTransform(x as Json)!);
  }
  const ext = read.obj(o, "external");
  if (ext) {
    s.external = { api: read.str(ext, "api") ?? "" };
    const d = read.str(ext, "deliver");
    if (d) s.external.deliver = d;
  }
  return s;
}

/** Decode a request body into a StreamConfig with Go's zero values (before defaults). */
export function decodeStreamConfig(body: unknown): StreamConfig {
  if (!isObj(body)) throw badJson();
  const o = body;
  const c: StreamConfig = {
    name: read.str(o, "name") ?? "",
    retention: read.enumOf(o, "retention", ["limits", "interest", "workqueue"] as const) ?? "limits",
    max_consumers: read.int(o, "max_consumers") ?? 0,
    max_msgs: read.int(o, "max_msgs") ?? 0,
    max_bytes: read.int(o, "max_bytes") ?? 0,
    max_age: read.int(o, "max_age") ?? 0,
    max_msgs_per_subject: read.int(o, "max_msgs_per_subject") ?? 0,
    discard: read.enumOf(o, "discard", ["old", "new"] as const) ?? "old",
    storage: read.enumOf(o, "storage", ["file", "memory"] as const) ?? "file",
    num_replicas: read.int(o, "num_replicas") ?? 0,
    compression: read.enumOf(o, "compression", ["none", "s2"] as const) ?? "none",
    allow_direct: read.bool(o, "allow_direct") ?? false,
    mirror_direct: read.bool(o, "mirror_direct") ?? false,
    sealed: read.bool(o, "sealed") ?? false,
    deny_delete: read.bool(o, "deny_delete") ?? false,
    deny_purge: read.bool(o, "deny_purge") ?? false,
    allow_rollup_hdrs: read.bool(o, "allow_rollup_hdrs") ?? false,
    consumer_limits: {},
  };
  const desc = read.str(o, "description");
  if (desc) c.description = desc;
  const subjects = read.strings(o, "subjects");
  if (subjects && subjects.length > 0) c.subjects = [...subjects];
  const mms = read.int(o, "max_msg_size");
  if (mms !== undefined && (mms > 2 ** 31 - 1 || mms < -(2 ** 31))) throw badJson();
  c.max_msg_size = mms ?? 0;
  if (read.bool(o, "no_ack")) c.no_ack = true;
  const tpl = read.str(o, "template_owner");
  if (tpl) c.template_owner = tpl;
  const dup = read.int(o, "duplicate_window");
  if (dup) c.duplicate_window = dup;
  const placement = read.obj(o, "placement");
  if (placement) {
    c.placement = {};
    const cl = read.str(placement, "cluster");
    if (cl) c.placement.cluster = cl;
    const tags = read.strings(placement, "tags");
    if (tags && tags.length) c.placement.tags = tags;
  }
  const mirror = read.obj(o, "mirror");
  if (mirror) c.mirror = decodeSource(mirror);
  const sources = o.sources;
  if (sources !== undefined && sources !== null) {
    if (!Array.isArray(sources)) throw badJson();
    const list = sources.filter((s) => s !== null);
    if (!list.every(isObj)) throw badJson();
    if (list.length > 0) c.sources = list.map((s) => decodeSource(s as Json));
  }
  const fseq = read.int(o, "first_seq", true);
  if (fseq) c.first_seq = fseq;
  const st = decodeTransform(read.obj(o, "subject_transform"));
  if (st) c.subject_transform = st;
  const rp = read.obj(o, "republish");
  if (rp) {
    c.republish = { dest: read.str(rp, "dest") ?? "" };
    const src = read.str(rp, "src");
    if (src) c.republish.src = src;
    if (read.bool(rp, "headers_only")) c.republish.headers_only = true;
  }
  if (read.bool(o, "discard_new_per_subject")) c.discard_new_per_subject = true;
  const cl = read.obj(o, "consumer_limits");
  if (cl) {
    const it = read.int(cl, "inactive_threshold");
    if (it) c.consumer_limits.inactive_threshold = it;
    const map = read.int(cl, "max_ack_pending");
    if (map) c.consumer_limits.max_ack_pending = map;
  }
  const md = read.obj(o, "metadata");
  if (md) {
    if (Object.values(md).some((v) => typeof v !== "string")) throw badJson();
    if (Object.keys(md).length > 0) c.metadata = { ...(md as Record<string, string>) };
  }
  return c;
}

/** What validation needs to know about the account's other streams and the server limits. */
export interface StreamLookup {
  config(name: string): StreamConfig | undefined;
  /** Server limits.duplicate_window in ns; 0 = none. */
  maxDuplicateWindow: Nanos;
  /** Account limit max_bytes_required. */
  maxBytesRequired: boolean;
  /** Account per-stream byte cap for this storage type; 0 = none. */
  maxStreamBytes(storage: StreamConfig["storage"]): number;
}

/** Go's output order of StreamConfig fields (omitempty ones left out when unset). */
function ordered(c: StreamConfig): StreamConfig {
  const out: Record<string, unknown> = {};
  const keys: (keyof StreamConfig)[] = ["name", "description", "subjects", "retention", "max_consumers", "max_msgs", "max_bytes", "max_age", "max_msgs_per_subject", "max_msg_size", "discard", "storage", "num_replicas", "no_ack", "template_owner", "duplicate_window", "placement", "mirror", "sources", "compression", "first_seq", "subject_transform", "republish", "allow_direct", "mirror_direct", "discard_new_per_subject", "sealed", "deny_delete", "deny_purge", "allow_rollup_hdrs", "consumer_limits", "metadata"];
  for (const k of keys) if (c[k] !== undefined) out[k] = c[k];
  if (out.max_msg_size === 0) delete out.max_msg_size;
  return out as unknown as StreamConfig;
}

function checkSource(s: StreamSourceConfig, isMirror: boolean): void {
  if (!isValidName(s.name)) throw jsFail(isMirror ? "mirrorInvalidStreamName" : "sourceInvalidStreamName");
  if (s.filter_subject && s.subject_transforms) throw jsFail(isMirror ? "mirrorMultipleFiltersNotAllowed" : "sourceMultipleFiltersNotAllowed");
  const trs = s.subject_transforms ?? [];
  for (const tr of trs) {
    if (!isValidSubject(tr.src)) throw jsFail(isMirror ? "mirrorInvalidSubjectFilter" : "sourceInvalidSubjectFilter");
    if (!isMirror && tr.dest && !validateTransform(tr.src, tr.dest)) throw jsFail("sourceInvalidTransformDestination");
  }
  for (const a of trs) {
    for (const b of trs) {
      if (a === b) continue;
      const overlap = isMirror ? subjectsCollide(a.src, b.src) : subjectIsSubsetMatch(a.src, b.src);
      if (overlap) throw jsFail(isMirror ? "mirrorOverlappingSubjectFilters" : "sourceOverlappingSubjectFilters");
    }
  }
  if (s.filter_subject && !isValidSubject(s.filter_subject)) throw jsFail("streamCreate", { err: `subject filter '${s.filter_subject}' for the ${isMirror ? "mirror" : "source"} invalid subject` });
  if (s.external?.deliver !== undefined && !isValidLiteralSubject(s.external.deliver)) throw jsFail("streamInvalidExternalDeliverySubj", { prefix: s.external.deliver });
  if (s.external && s.external.api !== "") {
    if (!isValidLiteralSubject(s.external.api)) throw invalid(`stream external api prefix "${s.external.api}" must be a valid subject without wildcards`);
    if (subjectsCollide(s.external.api, "$JS.API")) throw jsFail("streamExternalApiOverlap", { prefix: s.external.api, subject: "$JS.API" });
  }
}

/** Defaults and validation of a create (or the new side of an update); returns the effective config. */
export function checkStreamConfig(input: StreamConfig, lookup: StreamLookup): StreamConfig {
  if (!isValidName(input.name)) throw invalid("stream name is required and can not contain '.', '*', '>'");
  if (input.name.length > MAX_NAME_LEN) throw invalid(`stream name is too long, maximum allowed is ${MAX_NAME_LEN}`);
  if ((input.description ?? "").length > MAX_DESCRIPTION_LEN) throw invalid(`stream description is too long, maximum allowed is ${MAX_DESCRIPTION_LEN}`);
  let mdLen = 0;
  for (const [k, v] of Object.entries(input.metadata ?? {})) mdLen += k.length + v.length;
  if (mdLen > MAX_METADATA_LEN) throw invalid(`stream metadata exceeds maximum size of ${MAX_METADATA_LEN} bytes`);

  const c: StreamConfig = structuredClone(input);
  if (c.num_replicas === 0) c.num_replicas = 1;
  if (c.num_replicas > MAX_REPLICAS) throw invalid(`maximum replicas is ${MAX_REPLICAS}`);
  if (c.num_replicas < 0) throw jsFail("replicasCountCannotBeNegative");
  if (c.max_msgs === 0) c.max_msgs = -1;
  if (c.max_msgs_per_subject === 0) c.max_msgs_per_subject = -1;
  if (c.max_bytes === 0) c.max_bytes = -1;
  if (!c.max_msg_size) c.max_msg_size = -1;
  if (c.max_consumers === 0) c.max_consumers = -1;
  if (!c.duplicate_window && !c.mirror) {
    let window = DEFAULT_DUPLICATE_WINDOW;
    if (lookup.maxDuplicateWindow > 0 && window > lookup.maxDuplicateWindow) window = lookup.maxDuplicateWindow;
    c.duplicate_window = c.max_age !== 0 && c.max_age < window ? c.max_age : window;
  }
  const dup = c.duplicate_window ?? 0;
  if (c.max_age > 0 && c.max_age < 100 * MS) throw invalid("max age needs to be >= 100ms");
  if (dup < 0) throw invalid("duplicates window can not be negative");
  if (c.max_age !== 0 && dup > c.max_age) throw invalid("duplicates window can not be larger then max age");
  if (lookup.maxDuplicateWindow > 0 && dup > lookup.maxDuplicateWindow) throw invalid(`duplicates window can not be larger then server limit of ${lookup.maxDuplicateWindow / MS}ms`);
  if (dup > 0 && dup < 100 * MS) throw invalid("duplicates window needs to be >= 100ms");
  if (c.deny_purge && c.allow_rollup_hdrs) throw invalid("roll-ups require the purge permission");
  if (c.discard_new_per_subject) {
    if (c.discard !== "new") throw invalid("discard new per subject requires discard new policy to be set");
    if (c.max_msgs_per_subject <= 0) throw invalid("discard new per subject requires max msgs per subject > 0");
  }

  if (c.mirror) {
    if (c.first_seq) throw jsFail("mirrorWithFirstSeq");
    if (c.subjects) throw jsFail("mirrorWithSubjects");
    if (c.sources) throw jsFail("mirrorWithSources");
    checkSource(c.mirror, true);
    if (!c.mirror.external) {
      const origin = lookup.config(c.mirror.name);
      if (origin) {
        const omax = origin.max_msg_size ?? -1;
        if ((c.max_msg_size ?? -1) > 0 && omax > 0 && c.max_msg_size! < omax) throw jsFail("mirrorMaxMessageSizeTooBig");
        c.mirror_direct = origin.allow_direct;
      }
    }
  }
  const names = new Set<string>();
  for (const s of c.sources ?? []) {
    checkSource(s, false);
    const iname = `${s.name}:${s.external?.api ?? ""}:${s.filter_subject ?? ""}:${(s.subject_transforms ?? []).map((t) => `${t.src}>${t.dest}`).join(",")}`;
    if (names.has(iname)) throw jsFail("sourceDuplicateDetected");
    names.add(iname);
    if (!s.external) {
      const origin = lookup.config(s.name);
      const omax = origin?.max_msg_size ?? -1;
      if (origin && (c.max_msg_size ?? -1) > 0 && omax > 0 && c.max_msg_size! < omax) throw jsFail("sourceMaxMessageSizeTooBig");
    }
  }
  checkCycles(c, lookup);

  if (!c.subjects) {
    if (!c.mirror && !c.sources) c.subjects = [c.name];
  } else {
    const seen = new Set<string>();
    for (const subj of c.subjects) {
      if (!isValidSubject(subj)) throw invalid("invalid subject");
      if (seen.has(subj)) throw invalid("duplicate subjects detected");
      if (subj === ">") {
        if (!c.no_ack) throw invalid("capturing all subjects requires no-ack to be true");
        if (c.num_replicas !== 1) throw invalid("capturing all subjects requires replicas of 1");
      }
      if (!c.no_ack && (subjectIsSubsetMatch(subj, "$JS.>") || subjectIsSubsetMatch(subj, "$JSC.>")) && !subjectIsSubsetMatch(subj, "$JS.EVENT.>")) {
        throw invalid("subjects that overlap with jetstream api require no-ack to be true");
      }
      if (!c.no_ack && subjectIsSubsetMatch(subj, "$SYS.>") && !subjectIsSubsetMatch(subj, "$SYS.ACCOUNT.>")) {
        throw invalid("subjects that overlap with system api require no-ack to be true");
      }
      seen.add(subj);
    }
  }
  if (!c.subjects && !c.sources && !c.mirror) throw invalid("stream needs at least one configured subject or be a source/mirror");
  const streamCap = lookup.maxStreamBytes(c.storage);
  if (lookup.maxBytesRequired && c.max_bytes <= 0) throw jsFail("streamMaxBytesRequired");
  if (streamCap > 0 && c.max_bytes > streamCap) throw jsFail("streamMaxStreamBytesExceeded");
  const subs = c.subjects ?? [];
  // Distinct literal subjects never collide: only pairs with a wildcard are compared (thousands of subjects stay cheap).
  const wild = subs.filter(subjectHasWildcard);
  for (const a of subs) for (const b of subjectHasWildcard(a) ? subs : wild) if (a !== b && subjectsCollide(a, b)) throw invalid(`subject "${a}" overlaps with "${b}"`);

  if (c.republish) {
    if (!c.republish.src) c.republish.src = ">";
    if (subs.some((s) => subjectsCollide(c.republish!.dest, s))) throw invalid("stream configuration for republish destination forms a cycle");
    if (!validateTransform(c.republish.src, c.republish.dest)) {
      throw invalid(`stream configuration for republish with transform from '${c.republish.src}' to '${c.republish.dest}' not valid`);
    }
  }
  if (c.subject_transform && !validateTransform(c.subject_transform.src || ">", c.subject_transform.dest)) {
    throw jsFail("streamCreate", { err: `stream subject transform from '${c.subject_transform.src}' to '${c.subject_transform.dest}': invalid mapping destination` });
  }
  return ordered(c);
}

/** Go refuses a mirror or source graph that loops back (sources only when the filter overlaps). */
function checkCycles(root: StreamConfig, lookup: StreamLookup): void {
  const toVisit: StreamConfig[] = [root];
  const visited = new Set<string>();
  while (toVisit.length > 0) {
    const cfg = toVisit.shift()!;
    visited.add(cfg.name);
    for (const src of cfg.sources ?? []) {
      if (src.external) continue;
      if (visited.has(src.name)) {
        const f = src.filter_subject ?? "";
        if (f === "" || (cfg.subjects ?? []).some((s) => subjectsCollide(s, f))) throw invalid("detected cycle");
      } else {
        const next = lookup.config(src.name);
        if (next) toVisit.push(next);
      }
    }
    const m = cfg.mirror;
    if (m && !m.external) {
      if (visited.has(m.name)) throw invalid("detected cycle");
      const next = lookup.config(m.name);
      if (next) toVisit.push(next);
    }
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Go's configUpdateCheck: the new effective config, or the error for a field that may not change. */
export function checkStreamUpdate(old: StreamConfig, next: StreamConfig, lookup: StreamLookup): StreamConfig {
  const c = checkStreamConfig(next, lookup);
  if (c.name !== old.name) throw invalid("stream configuration name must match original");
  if (c.max_consumers !== old.max_consumers) throw invalid("stream configuration update can not change MaxConsumers");
  if (c.storage !== old.storage) throw invalid("stream configuration update can not change storage type");
  if (c.retention !== old.retention && (old.retention === "workqueue" || c.retention === "workqueue")) {
    throw invalid("stream configuration update can not change retention policy to/from workqueue");
  }
  if (old.template_owner) throw invalid("stream configuration update not allowed on template owned stream");
  if (c.template_owner) throw invalid("stream configuration update can not be owned by a template");
  if (!c.sealed && old.sealed) throw invalid("stream configuration update can not unseal a sealed stream");
  if (!c.deny_delete && old.deny_delete) throw invalid("stream configuration update can not cancel deny message deletes");
  if (!c.deny_purge && old.deny_purge) throw invalid("stream configuration update can not cancel deny purge");
  if (!sameJson(c.mirror, old.mirror)) throw jsFail("streamMirrorNotUpdatable");
  if (c.num_replicas !== old.num_replicas && c.num_replicas > 1) throw jsFail("streamReplicasNotSupported");
  if (c.sealed) {
    c.max_age = 0;
    c.discard = "new";
    c.deny_delete = true;
    c.deny_purge = true;
    c.allow_rollup_hdrs = false;
  }
  return c;
}

/** Configs equal for an idempotent create (Go compares with reflect.DeepEqual). */
export function sameStreamConfig(a: StreamConfig, b: StreamConfig): boolean {
  return sameJson(ordered(a), ordered(b));
}
