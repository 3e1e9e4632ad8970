// The consumer config: decoding from the API's JSON (types checked as Go's
// json.Unmarshal would), Go's defaults, validation against the stream, the
// rules for what an update may change, and the JSON form with Go's field
// order and omitempty. Durations are nanoseconds, as on the wire. Nothing
// here delivers or holds state.

import { formatGoDuration } from "../../go-format/duration.js";
import { isValidSubject } from "../../protocol/subject.js";
import { subjectHasWildcard, subjectMatches, subjectsCollide } from "../../sublist/subject-trie.js";
import { jsFail, type JsApiError } from "../api/errors.js";
import { parseTimeNanos } from "../time.js";
import type { ConsumerStreamConfig } from "./host.js";

export type DeliverPolicy = "all" | "last" | "new" | "by_start_sequence" | "by_start_time" | "last_per_subject";
export type AckPolicy = "none" | "all" | "explicit";
export type ReplayPolicy = "instant" | "original";

export interface ConsumerConfig {
  durable_name?: string;
  name?: string;
  description?: string;
  deliver_policy: DeliverPolicy;
  opt_start_seq?: number;
  opt_start_time?: string;
  ack_policy: AckPolicy;
  ack_wait?: number;
  max_deliver?: number;
  backoff?: number[];
  filter_subject?: string;
  filter_subjects?: string[];
  replay_policy: ReplayPolicy;
  rate_limit_bps?: number;
  sample_freq?: string;
  max_waiting?: number;
  max_ack_pending?: number;
  idle_heartbeat?: number;
  flow_control?: boolean;
  headers_only?: boolean;
  max_batch?: number;
  max_expires?: number;
  max_bytes?: number;
  deliver_subject?: string;
  deliver_group?: string;
  inactive_threshold?: number;
  num_replicas: number;
  mem_storage?: boolean;
  direct?: boolean;
  metadata?: Record<string, string>;
}

const DELIVER_POLICIES = new Set(["all", "last", "new", "by_start_sequence", "by_start_time", "last_per_subject"]);
const ACK_POLICIES = new Set(["none", "all", "explicit"]);
const REPLAY_POLICIES = new Set(["instant", "original"]);

export const ACK_WAIT_DEFAULT_NS = 30e9;
export const DELETE_WAIT_DEFAULT_NS = 5e9;
export const MAX_ACK_PENDING_DEFAULT = 1000;
export const WAIT_QUEUE_DEFAULT_MAX = 512;
const MAX_NAME_LEN = 255;
const MAX_DESCRIPTION_LEN = 4 * 1024;
const MAX_METADATA_LEN = 128 * 1024;

type Json = Record<string, unknown>;

function bad(): JsApiError {
  return jsFail("invalidJSON");
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw bad();
  return v;
}

function int(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw bad();
  return v;
}

function uint(v: unknown): number | undefined {
  const n = int(v);
  if (n !== undefined && n < 0) throw bad();
  return n;
}

function bool(v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw bad();
  return v;
}

function enumOf<T extends string>(v: unknown, allowed: Set<string>, fallback: T): T {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "string" || !allowed.has(v)) throw bad();
  return v as T;
}

/** Decodes the "config" object of a create request; throws invalid JSON on wrong types, as Go's unmarshal. */
export function decodeConsumerConfig(raw: unknown): ConsumerConfig {
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw bad();
  const j = raw as Json;
  const cfg: ConsumerConfig = {
    deliver_policy: enumOf(j.deliver_policy, DELIVER_POLICIES, "all"),
    ack_policy: enumOf(j.ack_policy, ACK_POLICIES, "none"),
    replay_policy: enumOf(j.replay_policy, REPLAY_POLICIES, "instant"),
    num_replicas: int(j.num_replicas) ?? 0,
  };
  const set = <K extends keyof ConsumerConfig>(k: K, v: ConsumerConfig[K] | undefined): void => {
    if (v !== undefined) cfg[k] = v;
  };
  set("durable_name", str(j.durable_name));
  set("name", str(j.name));
  set("description", str(j.description));
  set("opt_start_seq", uint(j.opt_start_seq));
  if (j.opt_start_time !== undefined && j.opt_start_time !== null) {
    const t = str(j.opt_start_time)!;
    if (Number.isNaN(parseTimeNanos(t))) throw bad();
    cfg.opt_start_time = t;
  }
  set("ack_wait", int(j.ack_wait));
  set("max_deliver", int(j.max_deliver));
  if (j.backoff !== undefined && j.backoff !== null) {
    if (!Array.isArray(j.backoff)) throw bad();
    cfg.backoff = j.backoff.map((d) => int(d) ?? 0);
  }
  set("filter_subject", str(j.filter_subject));
  if (j.filter_subjects !== undefined && j.filter_subjects !== null) {
    if (!Array.isArray(j.filter_subjects)) throw bad();
    cfg.filter_subjects = j.filter_subjects.map((s) => str(s) ?? "");
  }
  set("rate_limit_bps", uint(j.rate_limit_bps));
  set("sample_freq", str(j.sample_freq));
  set("max_waiting", int(j.max_waiting));
  set("max_ack_pending", int(j.max_ack_pending));
  set("idle_heartbeat", int(j.idle_heartbeat));
  set("flow_control", bool(j.flow_control));
  set("headers_only", bool(j.headers_only));
  set("max_batch", int(j.max_batch));
  set("max_expires", int(j.max_expires));
  set("max_bytes", int(j.max_bytes));
  set("deliver_subject", str(j.deliver_subject));
  set("deliver_group", str(j.deliver_group));
  set("inactive_threshold", int(j.inactive_threshold));
  set("mem_storage", bool(j.mem_storage));
  set("direct", bool(j.direct));
  if (j.metadata !== undefined && j.metadata !== null) {
    if (typeof j.metadata !== "object" || Array.isArray(j.metadata)) throw bad();
    const md: Record<string, string> = {};
    for (const [k, v] of Object.entries(j.metadata as Json)) md[k] = str(v) ?? "";
    cfg.metadata = md;
  }
  return cfg;
}

export function isPush(cfg: ConsumerConfig): boolean {
  return !!cfg.deliver_subject;
}

export function isDurable(cfg: ConsumerConfig): boolean {
  return !!cfg.durable_name;
}

/** filter_subject and filter_subjects as one list (empty: the whole stream). */
export function filtersOf(cfg: ConsumerConfig): string[] {
  if (cfg.filter_subject) return [cfg.filter_subject];
  return cfg.filter_subjects ?? [];
}

/** Server-wide consumer limits (jetstream { limits { … } }); 0 = none. */
export interface ServerConsumerLimits {
  maxAckPending: number;
  maxRequestBatch: number;
}

export const NO_SERVER_LIMITS: ServerConsumerLimits = { maxAckPending: 0, maxRequestBatch: 0 };

/** Go's setConsumerConfigDefaults. */
export function applyConsumerDefaults(cfg: ConsumerConfig, stream: ConsumerStreamConfig, srv: ServerConsumerLimits = NO_SERVER_LIMITS, accMaxAckPending = 0): void {
  const pull = !cfg.deliver_subject;
  if (pull && !cfg.max_waiting) cfg.max_waiting = WAIT_QUEUE_DEFAULT_MAX;
  const acked = cfg.ack_policy === "explicit" || cfg.ack_policy === "all";
  if (!cfg.ack_wait && acked) cfg.ack_wait = ACK_WAIT_DEFAULT_NS;
  if (!cfg.max_deliver) cfg.max_deliver = -1;
  if (cfg.backoff && cfg.backoff.length > 0) cfg.ack_wait = cfg.backoff[0];
  const lim = stream.consumer_limits ?? {};
  if (!cfg.max_ack_pending && lim.max_ack_pending) cfg.max_ack_pending = lim.max_ack_pending;
  if (!cfg.inactive_threshold && lim.inactive_threshold) cfg.inactive_threshold = lim.inactive_threshold;
  if (acked && !cfg.max_ack_pending) {
    let m = MAX_ACK_PENDING_DEFAULT;
    if (srv.maxAckPending > 0 && srv.maxAckPending < m) m = srv.maxAckPending;
    if (accMaxAckPending > 0 && accMaxAckPending < m) m = accMaxAckPending;
    cfg.max_ack_pending = m;
  }
  if (pull && !cfg.max_batch && srv.maxRequestBatch > 0) cfg.max_batch = srv.maxRequestBatch;
  if (!cfg.durable_name && (cfg.inactive_threshold ?? 0) <= 0) cfg.inactive_threshold = DELETE_WAIT_DEFAULT_NS;
}

function deliveryFormsCycle(stream: ConsumerStreamConfig, deliver: string): boolean {
  for (const s of stream.subjects ?? []) if (subjectMatches(deliver, s)) return true;
  return false;
}

function invalidPolicy(text: string): JsApiError {
  return jsFail("consumerInvalidPolicy", { err: text });
}

/** Go's checkConsumerCfg, after defaults. Throws the API error. */
export function checkConsumerConfig(cfg: ConsumerConfig, stream: ConsumerStreamConfig, srv: ServerConsumerLimits = NO_SERVER_LIMITS): void {
  const sr = stream.num_replicas ?? 1;
  if (cfg.num_replicas > 0 && cfg.num_replicas > sr) throw jsFail("consumerReplicasExceedsStream");
  if (cfg.num_replicas < 0) throw jsFail("replicasCountCannotBeNegative");
  if ((stream.retention === "interest" || stream.retention === "workqueue") && cfg.num_replicas !== 0 && cfg.num_replicas !== sr) {
    throw jsFail("consumerReplicasShouldMatchStream");
  }
  const maxDeliver = cfg.max_deliver ?? -1;
  if (cfg.backoff && cfg.backoff.length > 0 && maxDeliver !== -1 && cfg.backoff.length > maxDeliver) throw jsFail("consumerMaxDeliverBackoff");
  if ((cfg.description ?? "").length > MAX_DESCRIPTION_LEN) throw jsFail("consumerDescriptionTooLong", { max: MAX_DESCRIPTION_LEN });
  const hb = cfg.idle_heartbeat ?? 0;
  if (cfg.deliver_subject) {
    if (subjectHasWildcard(cfg.deliver_subject)) throw jsFail("consumerDeliverToWildcards");
    if (!isValidSubject(cfg.deliver_subject)) throw jsFail("consumerInvalidDeliverSubject");
    if (deliveryFormsCycle(stream, cfg.deliver_subject)) throw jsFail("consumerDeliverCycle");
    if (cfg.max_waiting) throw jsFail("consumerPushMaxWaiting");
    if ((cfg.max_ack_pending ?? 0) > 0 && cfg.ack_policy === "none") throw jsFail("consumerMaxPendingAckPolicyRequired");
    if (hb > 0 && hb < 100e6) throw jsFail("consumerSmallHeartbeat");
  } else {
    if (cfg.ack_policy === "none" && stream.retention === "workqueue") throw jsFail("consumerPullRequiresAck");
    if ((cfg.rate_limit_bps ?? 0) > 0) throw jsFail("consumerPullWithRateLimit");
    if ((cfg.max_waiting ?? 0) < 0) throw jsFail("consumerMaxWaitingNegative");
    if (hb > 0) throw jsFail("consumerHBRequiresPush");
    if (cfg.flow_control) throw jsFail("consumerFCRequiresPush");
    if ((cfg.max_batch ?? 0) < 0) throw jsFail("consumerMaxRequestBatchNegative");
    if (cfg.max_expires && cfg.max_expires < 1e6) throw jsFail("consumerMaxRequestExpiresToSmall");
    if (srv.maxRequestBatch > 0 && (cfg.max_batch ?? 0) > srv.maxRequestBatch) throw jsFail("consumerMaxRequestBatchExceeded", { limit: srv.maxRequestBatch });
  }
  if (srv.maxAckPending > 0 && (cfg.max_ack_pending ?? 0) > srv.maxAckPending) throw jsFail("consumerMaxPendingAckExcess", { limit: srv.maxAckPending });
  const lim = stream.consumer_limits ?? {};
  if (lim.max_ack_pending && (cfg.max_ack_pending ?? 0) > lim.max_ack_pending) throw jsFail("consumerMaxPendingAckExcess", { limit: lim.max_ack_pending });
  if (lim.inactive_threshold && (cfg.inactive_threshold ?? 0) > lim.inactive_threshold) {
    throw jsFail("consumerInactiveThresholdExcess", { limit: formatGoDuration(BigInt(lim.inactive_threshold)) });
  }
  if (cfg.direct) {
    if (!cfg.deliver_subject) throw jsFail("consumerDirectRequiresPush");
    if (cfg.durable_name) throw jsFail("consumerDirectRequiresEphemeral");
  }
  if (cfg.filter_subject && cfg.filter_subjects && cfg.filter_subjects.length > 0) throw jsFail("consumerDuplicateFilterSubjects");
  if (cfg.filter_subject && !isValidSubject(cfg.filter_subject)) throw jsFail("streamInvalidConfig", { err: "invalid subject" });
  for (const f of cfg.filter_subjects ?? []) if (f === "") throw jsFail("consumerEmptyFilter");
  const filters = filtersOf(cfg);
  for (let i = 0; i < filters.length; i++) {
    if (!isValidSubject(filters[i])) throw jsFail("streamInvalidConfig", { err: "invalid subject" });
    for (let k = 0; k < filters.length; k++) if (k !== i && subjectsCollide(filters[i], filters[k])) throw jsFail("consumerOverlappingSubjectFilters");
  }
  const seq = cfg.opt_start_seq ?? 0;
  const time = cfg.opt_start_time !== undefined;
  const badStart = (dp: string, start: string): JsApiError => invalidPolicy(`consumer delivery policy is deliver ${dp}, but optional start ${start} is also set`);
  const notSet = (dp: string, what: string): JsApiError => invalidPolicy(`consumer delivery policy is deliver ${dp}, but optional ${what} is not set`);
  switch (cfg.deliver_policy) {
    case "all":
    case "last":
    case "new":
    case "last_per_subject": {
      const dp = cfg.deliver_policy === "last_per_subject" ? "last per subject" : cfg.deliver_policy;
      if (seq > 0) throw badStart(dp, "sequence");
      if (time) throw badStart(dp, "time");
      if (cfg.deliver_policy === "last_per_subject" && filters.length === 0) throw notSet("last per subject", "filter subject");
      break;
    }
    case "by_start_sequence":
      if (seq === 0) throw notSet("by start sequence", "start sequence");
      if (time) throw badStart("by start sequence", "time");
      break;
    case "by_start_time":
      if (!time) throw notSet("by start time", "start time");
      if (seq !== 0) throw badStart("by start time", "start sequence");
      break;
  }
  if (cfg.sample_freq) {
    const s = cfg.sample_freq.endsWith("%") ? cfg.sample_freq.slice(0, -1) : cfg.sample_freq;
    if (!/^[+-]?\d+$/.test(s) || Number(s) < 0) {
      throw jsFail("consumerInvalidSampling", { err: /^[+-]?\d+$/.test(s) ? "<nil>" : `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax` });
    }
  }
  if (cfg.flow_control && hb === 0) throw jsFail("consumerWithFlowControlNeedsHeartbeats");
  if (cfg.durable_name && cfg.name && cfg.name !== cfg.durable_name) throw jsFail("consumerCreateDurableAndNameMismatch");
  let mdLen = 0;
  for (const [k, v] of Object.entries(cfg.metadata ?? {})) mdLen += k.length + v.length;
  if (mdLen > MAX_METADATA_LEN) throw jsFail("consumerMetadataLength", { limit: `${MAX_METADATA_LEN / 1024}KB` });
}

/** Go's isValidName for consumer names: non-empty, no '.', '*', '>' or whitespace. */
export function isValidConsumerName(name: string): boolean {
  return name !== "" && !/[.*>\s]/.test(name);
}

export function nameTooLong(name: string): boolean {
  return name.length > MAX_NAME_LEN;
}

/** Go's checkNewConsumerConfig: the text of what may not change, or null. deliverHasInterest answers for the old deliver subject. */
export function checkConsumerUpdate(old: ConsumerConfig, next: ConsumerConfig, deliverHasInterest: (subject: string) => boolean): string | null {
  if (configsEqual(old, next)) return null;
  if (old.deliver_policy !== next.deliver_policy) return "deliver policy can not be updated";
  if ((old.opt_start_seq ?? 0) !== (next.opt_start_seq ?? 0)) return "start sequence can not be updated";
  if (old.opt_start_time !== undefined && next.opt_start_time !== undefined) {
    if (parseTimeNanos(old.opt_start_time) !== parseTimeNanos(next.opt_start_time)) return "start time can not be updated";
  } else if (old.opt_start_time !== undefined || next.opt_start_time !== undefined) return "start time can not be updated";
  if (old.ack_policy !== next.ack_policy) return "ack policy can not be updated";
  if (old.replay_policy !== next.replay_policy) return "replay policy can not be updated";
  if ((old.idle_heartbeat ?? 0) !== (next.idle_heartbeat ?? 0)) return "heart beats can not be updated";
  if (!!old.flow_control !== !!next.flow_control) return "flow control can not be updated";
  if ((old.max_waiting ?? 0) !== (next.max_waiting ?? 0)) return "max waiting can not be updated";
  if ((old.deliver_subject ?? "") !== (next.deliver_subject ?? "")) {
    if (!old.deliver_subject) return "can not update pull consumer to push based";
    if (!next.deliver_subject) return "can not update push consumer to pull based";
    if (deliverHasInterest(old.deliver_subject)) return "consumer name already in use";
  }
  const md = next.max_deliver ?? -1;
  if (next.backoff && next.backoff.length > 0 && md !== -1 && next.backoff.length > md) return "max deliver is required to be > length of backoff values";
  return null;
}

/** Deep equality of two configs as Go's reflect.DeepEqual on the struct. */
export function configsEqual(a: ConsumerConfig, b: ConsumerConfig): boolean {
  return JSON.stringify(consumerConfigJSON(a)) === JSON.stringify(consumerConfigJSON(b));
}

/** The config as Go marshals it: its field order, zero values omitted where Go's tags say omitempty. */
export function consumerConfigJSON(c: ConsumerConfig): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (c.durable_name) o.durable_name = c.durable_name;
  if (c.name) o.name = c.name;
  if (c.description) o.description = c.description;
  o.deliver_policy = c.deliver_policy;
  if (c.opt_start_seq) o.opt_start_seq = c.opt_start_seq;
  if (c.opt_start_time !== undefined) o.opt_start_time = c.opt_start_time;
  o.ack_policy = c.ack_policy;
  if (c.ack_wait) o.ack_wait = c.ack_wait;
  if (c.max_deliver) o.max_deliver = c.max_deliver;
  if (c.backoff && c.backoff.length > 0) o.backoff = c.backoff;
  if (c.filter_subject) o.filter_subject = c.filter_subject;
  if (c.filter_subjects && c.filter_subjects.length > 0) o.filter_subjects = c.filter_subjects;
  o.replay_policy = c.replay_policy;
  if (c.rate_limit_bps) o.rate_limit_bps = c.rate_limit_bps;
  if (c.sample_freq) o.sample_freq = c.sample_freq;
  if (c.max_waiting) o.max_waiting = c.max_waiting;
  if (c.max_ack_pending) o.max_ack_pending = c.max_ack_pending;
  if (c.idle_heartbeat) o.idle_heartbeat = c.idle_heartbeat;
  if (c.flow_control) o.flow_control = true;
  if (c.headers_only) o.headers_only = true;
  if (c.max_batch) o.max_batch = c.max_batch;
  if (c.max_expires) o.max_expires = c.max_expires;
  if (c.max_bytes) o.max_bytes = c.max_bytes;
  if (c.deliver_subject) o.deliver_subject = c.deliver_subject;
  if (c.deliver_group) o.deliver_group = c.deliver_group;
  if (c.inactive_threshold) o.inactive_threshold = c.inactive_threshold;
  o.num_replicas = c.num_replicas;
  if (c.mem_storage) o.mem_storage = true;
  if (c.direct) o.direct = true;
  if (c.metadata && Object.keys(c.metadata).length > 0) o.metadata = c.metadata;
  return o;
}
